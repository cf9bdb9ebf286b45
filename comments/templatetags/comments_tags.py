from django import template
from django.conf import settings

from comments import moderation, personal, schema
from comments.forms import CommentForm
from comments.models import Comment
from comments.render import render_comments
from comments.thread import build_thread

register = template.Library()


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def discussion(context, article):
    """An article's comments and Leave a Reply form: one query for the whole thread."""
    request = context["request"]
    comments = thread_comments(request, article)
    thread = build_thread(
        comments, page=request.GET.get("cpage"), per_page=settings.COMMENTS_PER_PAGE
    )
    form = context.get("comment_form")
    reply_to = None
    if form is not None and form.is_bound:
        reply_to = form.parent_comment
    else:
        reply_to = _reply_target(request.GET.get("replytocom"), comments)
        initial = {
            **personal.remembered_author(request),
            "parent": reply_to.id if reply_to else None,
        }
        initial["remember"] = bool(personal.remembered_author(request))
        form = CommentForm(article=article, user=request.user, initial=initial)
    state = moderation.discussion_state(article)
    comments_html = render_comments(
        thread.items,
        page_number=thread.page_obj.number,
        can_reply=state != "closed" and settings.COMMENTS_MAX_DEPTH > 1,
    )
    return {
        "comments_html": comments_html,
        "article": article,
        "thread": thread,
        "form": form,
        "reply_to": reply_to,
        "state": state,
        "max_depth": settings.COMMENTS_MAX_DEPTH,
        "request": request,
        "user": request.user,
        # Inclusion tags start a fresh context: the CSRF token must be handed over explicitly.
        "csrf_token": context.get("csrf_token"),
    }


def thread_comments(request, article) -> list:
    """The article's thread for this request, loaded once and shared by every tag on the page."""
    cached = getattr(request, "_newsroom_thread", None)
    if cached is None or cached[0] != article.pk:
        comments = list(Comment.objects.for_thread(article, personal.held_ids(request)))
        cached = (article.pk, comments)
        request._newsroom_thread = cached
    return cached[1]


@register.simple_tag(takes_context=True)
def comment_schema(context, article, limit=5):
    """``{"count": n, "items": [...]}``: approved comments as schema.org data, for the page's JSON-LD.

    Only approved comments, so the head is the same for every reader; shares the thread query.
    """
    approved = [
        c
        for c in thread_comments(context["request"], article)
        if c.status == Comment.Status.APPROVED
    ]
    return {
        "count": len(approved),
        "items": [schema.comment_data(article, c) for c in approved[:limit]],
    }


def _reply_target(raw, comments):
    if not (raw or "").isdigit():
        return None
    wanted = int(raw)
    return next(
        (c for c in comments if c.id == wanted and c.status == Comment.Status.APPROVED),
        None,
    )


@register.simple_tag
def pending_comment_count():
    """How many comments await moderation (for the admin index)."""
    return Comment.objects.pending().count()
