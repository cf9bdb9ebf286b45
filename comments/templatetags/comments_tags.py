import re

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from comments import moderation, personal
from comments.forms import CommentForm
from comments.models import Comment
from comments.render import author_html, render_comments, when
from comments.thread import build_thread

register = template.Library()


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def discussion(context, article):
    """An article's comments and Leave a Reply form: one query for the whole thread.

    The thread is the same for every reader; the form and the reader's own held comments
    are the per-reader parts (templates/personal/).
    """
    request = context["request"]
    approved, held = thread_comments(request, article)
    thread = build_thread(
        approved, page=request.GET.get("cpage"), per_page=settings.COMMENTS_PER_PAGE
    )
    form = context.get("comment_form")
    if form is not None and form.is_bound:
        reply_to = form.reply_to
    else:
        reply_to = _reply_target(request.GET.get("replytocom"), approved)
        remembered = personal.remembered_author(request)
        initial = {
            **remembered,
            "parent": reply_to.id if reply_to else None,
            "remember": bool(remembered),
        }
        form = CommentForm(article=article, user=request.user, initial=initial)
    state = moderation.discussion_state(article)
    article_url = article.get_absolute_url()
    comments_html = render_comments(
        thread.items,
        article_url=article_url,
        page_number=thread.page_obj.number,
        can_reply=state != moderation.DiscussionState.CLOSED
        and settings.COMMENTS_MAX_DEPTH > 1,
    )
    return {
        "comments_html": comments_html,
        "held_comments": _held_for_display(held, approved),
        "article": article,
        "article_url": article_url,
        "thread": thread,
        "form": form,
        "reply_to": reply_to,
        "state": state,
        "request": request,
        "user": request.user,
        # Inclusion tags start a fresh context: the CSRF token must be handed over explicitly.
        "csrf_token": context.get("csrf_token"),
    }


def thread_comments(request, article) -> tuple[list, list]:
    """``(approved, this reader's held)`` for the article: one query per request, shared by every tag."""
    cached = getattr(request, "_newsroom_thread", None)
    if cached is None or cached[0] != article.pk:
        rows = list(Comment.objects.for_thread(article, personal.held_ids(request)))
        approved = [c for c in rows if c.status == Comment.Status.APPROVED]
        held = [c for c in rows if c.status != Comment.Status.APPROVED]
        cached = (article.pk, approved, held)
        request._newsroom_thread = cached
    return cached[1], cached[2]


def _held_for_display(held, approved) -> list[dict]:
    names = {c.id: c.name for c in approved}
    items = []
    for c in held:
        iso, stamp = when(c.created_at)
        items.append(
            {
                "id": c.id,
                "author": mark_safe(author_html(c.name, c.url)),  # noqa: S308 - escaped in author_html
                "iso": iso,
                "when": stamp,
                "body": mark_safe(c.body_html),  # noqa: S308 - escaped and nh3-sanitised when posted
                "parent_id": c.parent_id if c.parent_id in names else None,
                "parent_name": names.get(c.parent_id, ""),
            }
        )
    return items


def _reply_target(raw, approved):
    if not re.fullmatch(r"[0-9]{1,18}", raw or ""):
        return None
    wanted = int(raw)
    return next((c for c in approved if c.id == wanted), None)


@register.simple_tag
def pending_comment_count():
    """How many comments await moderation (for the admin index)."""
    return Comment.objects.pending().count()
