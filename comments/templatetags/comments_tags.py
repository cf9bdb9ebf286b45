import bisect
import re

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from articles.models import Publication, StandingPage
from comments import moderation, personal
from comments.forms import CommentForm
from comments.models import THREAD_FIELDS, Comment
from comments.queue import queue_summary
from comments.render import author_html, render_comments, render_picks, when
from comments.thread import (
    NEWEST,
    OLDEST,
    ORDER_PARAM,
    build_thread,
    page_number_of,
    thread_order,
    thread_query,
)
from newsroom.fragments import cached_fragment

register = template.Library()


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def discussion(context, article):
    """An article's comments and Leave a Reply form: at most one query for the whole thread.

    The thread is the same for every reader and is cached as a fragment under the content
    version (newsroom/fragments.py), so a warm page runs no comment query at all. The form
    and the reader's own held comments are the per-reader parts (templates/personal/); only
    a reader who has held comments, or asks to reply to one, needs the thread's rows.
    """
    request = context["request"]
    state = moderation.discussion_state(article)
    article_url = article.get_absolute_url()
    raw_page = request.GET.get("cpage") or ""
    # Any non-number shows page 1, like Paginator.get_page; numbers are kept as given, since
    # an out-of-range one shows the last page.
    page_key = raw_page if re.fullmatch(r"[0-9]{1,6}", raw_page) else "1"
    # Oldest first unless ?corder=newest; an unknown value is the default order.
    order = thread_order(request.GET.get(ORDER_PARAM))
    preview = context.get("comment_preview")
    thread_html = (
        # Staff preview of one comment (comments.views.preview): never cached, for it holds
        # what readers cannot see.
        _preview_thread_html(request, article, article_url, preview, state)
        if preview is not None
        else cached_fragment(
            request,
            "thread",
            article.pk,
            # The stored count moves with every approval or removal, even before the version does.
            article.comment_count,
            page_key,
            order,
            state,
            settings.COMMENTS_PER_PAGE,
            settings.COMMENTS_MAX_DEPTH,
            # Rendered from the page in the key, never the raw value: a junk or negative
            # ?cpage= (shown as the last page by Paginator.get_page) must not be stored as page 1.
            render=lambda: _thread_html(
                request, article, article_url, page_key, state, order
            ),
        )
    )
    form = context.get("comment_form")
    if form is not None and form.is_bound:
        reply_to = form.reply_to
        reply_home = moderation.reply_parent(reply_to) if reply_to else None
    else:
        raw_reply = request.GET.get("replytocom")
        approved = thread_comments(request, article)[0] if _is_id(raw_reply) else []
        reply_to = _reply_target(raw_reply, approved)
        by_id = {c.id: c for c in approved}
        reply_home = (
            moderation.reply_parent(reply_to, lambda c: by_id.get(c.parent_id))
            if reply_to
            else None
        )
        remembered = personal.remembered_author(request)
        initial = {
            **remembered,
            "parent": reply_to.id if reply_to else None,
            "remember": bool(remembered),
        }
        form = CommentForm(article=article, user=request.user, initial=initial)
    held_comments, own_comments = [], []
    # Readers without these cookies (nearly all) cost no query here.
    if personal.held_ids(request) or personal.own_ids(request):
        approved, held = thread_comments(request, article)
        held_comments = _held_for_display(
            held, approved, personal.held_controls(request, held, approved)
        )
        own_comments = personal.own_published(request, approved)
    return {
        "thread_html": thread_html,
        "held_comments": held_comments,
        "own_comments": own_comments,
        "article": article,
        "article_url": article_url,
        "form": form,
        "reply_to": reply_to,
        # Set when the comment replied to is as deep as replies go: the reply joins this one's thread.
        "reply_home": reply_home
        if reply_home and reply_home.id != reply_to.id
        else None,
        "max_depth": settings.COMMENTS_MAX_DEPTH,
        "posting_notice": moderation.posting_notice(state),
        # Only pages an editor has written are linked (no link to a 404); cached with the masthead.
        **_policy_links(),
        "state": state,
        "request": request,
        "user": request.user,
        # Inclusion tags start a fresh context: the CSRF token must be handed over explicitly.
        "csrf_token": context.get("csrf_token"),
    }


def _policy_links() -> dict:
    """Which of the guidelines and the privacy notice the form links: only pages an editor has
    written (never a link to a 404), from the paper's details the masthead reads (cached)."""
    written = {slug for slug, _title in Publication.current().pages}
    kinds = StandingPage.Kind
    return {
        "guidelines_page": kinds.GUIDELINES in written,
        "privacy_page": kinds.PRIVACY in written,
    }


def _thread_html(request, article, article_url, raw_page, state, order) -> str:
    """The shared part of the discussion: heading, editor's picks, order links, one page of threads, comment pages."""
    approved, _ = thread_comments(request, article)
    thread = build_thread(
        approved,
        page=raw_page or None,
        per_page=settings.COMMENTS_PER_PAGE,
        order=order,
    )
    comments_html = render_comments(
        thread.items,
        article_url=article_url,
        page_number=thread.page_obj.number,
        can_reply=state != moderation.DiscussionState.CLOSED
        and settings.COMMENTS_MAX_DEPTH > 1,
        order=thread.order,
    )
    return _render_thread(thread, comments_html, article_url, state)


def _render_thread(thread, comments_html, article_url, state) -> str:
    """comments/_thread.html for one built page of threads: picks, order links, pagination."""
    page_obj = thread.page_obj

    def address(page, order=thread.order):
        return article_url + thread_query(order=order, page=page)

    return render_to_string(
        "comments/_thread.html",
        {
            "thread": thread,
            "comments_html": comments_html,
            "picks_html": render_picks(
                thread.picks, article_url=article_url, order=thread.order
            ),
            "article_url": article_url,
            "state": state,
            "newest_first": thread.order == NEWEST,
            # Each order starts from its first page.
            "oldest_url": address(1, OLDEST),
            "newest_url": address(1, NEWEST),
            "previous_url": address(page_obj.previous_page_number())
            if page_obj.has_previous()
            else "",
            "next_url": address(page_obj.next_page_number())
            if page_obj.has_next()
            else "",
        },
    )


# What the staff preview (comments.views.preview) says on the one comment readers cannot see.
PREVIEW_NOTES = {
    Comment.Status.PENDING: gettext_lazy("Held — only staff see this"),
    Comment.Status.SPAM: gettext_lazy("Marked as spam — only staff see this"),
    Comment.Status.REMOVED: gettext_lazy("Removed — only staff see this"),
}


def _preview_thread_html(request, article, article_url, comment, state) -> str:
    """The thread with ``comment`` in its place (whatever its status), on the page that shows it."""
    approved, _held = thread_comments(request, article)
    rows = [c for c in approved if c.id != comment.pk]
    row = (
        Comment.objects.filter(pk=comment.pk)
        .values_list(*THREAD_FIELDS, named=True)
        .get()
    )
    at = bisect.bisect([(c.created_at, c.id) for c in rows], (row.created_at, row.id))
    rows.insert(at, row)
    per_page = settings.COMMENTS_PER_PAGE
    thread = build_thread(
        rows, page=page_number_of(rows, comment.pk, per_page), per_page=per_page
    )
    held = not comment.is_public
    if held:
        thread.approved_count -= 1  # the heading counts what readers see
    comments_html = render_comments(
        thread.items,
        article_url=article_url,
        page_number=thread.page_obj.number,
        can_reply=False,
        held_id=comment.pk if held else None,
        held_note=str(PREVIEW_NOTES.get(comment.status, "")),
    )
    return _render_thread(thread, comments_html, article_url, state)


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


def _held_for_display(held, approved, controls) -> list[dict]:
    """The reader's held comments for templates/personal/_held_comments.html.

    ``controls``: ``{id: until when}`` for those the reader may still edit or delete.
    """
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
                "why": moderation.held_reason_text(c.reason),
                "change": controls.get(c.id),
            }
        )
    return items


def _is_id(raw) -> bool:
    return bool(re.fullmatch(r"[0-9]{1,18}", raw or ""))


def _reply_target(raw, approved):
    if not _is_id(raw):
        return None
    wanted = int(raw)
    return next((c for c in approved if c.id == wanted), None)


@register.simple_tag
def pending_comment_count():
    """How many comments await moderation."""
    return Comment.objects.pending().count()


@register.simple_tag
def moderation_summary():
    """The queue at a glance for the admin index: ``.waiting``, ``.oldest_age``, ``.open_reports``, ``.text``.

    One aggregate query ("7 waiting · oldest 9 h · 2 reports open").
    """
    return queue_summary()
