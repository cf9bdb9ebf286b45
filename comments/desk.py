"""The moderation queue page in the admin ("Moderation queue"): a card per waiting comment.

Registered by ``CommentAdmin.get_urls()`` (comments/admin.py) under the admin site, so the
admin's login, staff check and CSRF protection wrap both views; each also checks the
``comments.moderate_comment`` permission. The rules (order, filters, records, decisions)
are in ``comments/queue.py``; these views map them to pages, redirects and JSON.
Works without JavaScript; ``static/js/desk.js`` only saves the page load per decision.
"""

from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from comments import queue
from comments.cards import render_cards
from comments.models import Comment

PERMISSION = "comments.moderate_comment"
QUEUE_URL = "admin:comments_comment_queue"
DECIDE_URL = "admin:comments_comment_queue_decide"


def _require_moderator(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def thread_url(comment) -> str:
    """Where the comment sits in its thread: the permalink once approved, else the staff preview."""
    return comment.get_staff_url()


def queue_url(filters: queue.QueueFilters, *, anchor=None, page=True) -> str:
    items = filters.query_items(page=page)
    url = reverse(QUEUE_URL) + (f"?{urlencode(items)}" if items else "")
    return url + (f"#card-{anchor}" if anchor else "")


def _website(url: str) -> str:
    """The commenter's website, only when it is a web address (it is shown as a link)."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def _cards(comments, now):
    records = queue.commenter_records(c.email for c in comments)
    changelist = reverse("admin:comments_comment_changelist")
    cards = []
    for c in comments:
        cards.append(
            {
                "comment": c,
                "ago": queue.ago(c.created_at, now),
                "thread_url": thread_url(c),
                "story_url": c.article.get_absolute_url(),
                "website": _website(c.url),
                "parent_text": truncatechars(c.parent.body, 200) if c.parent else "",
                "record": records.get(c.email, queue.Record()),
                "record_url": (
                    f"{changelist}?{urlencode({'email__exact': c.email})}"
                    if c.email
                    else ""
                ),
                "reports": getattr(c, "open", []),
            }
        )
    return cards


@require_GET
def queue_page(request, *, admin_site):
    """The queue: one tab's comments, oldest first, 50 a page, with the filters and the summary."""
    _require_moderator(request)
    filters = queue.QueueFilters.from_query(request.GET)
    paginator = Paginator(queue.queue_comments(filters), queue.PER_PAGE)
    page = paginator.get_page(filters.page)
    comments = list(page.object_list)
    now = timezone.now()
    summary = queue.queue_summary()
    cards = _cards(comments, now)
    last = None
    if not comments and not filters.narrowed and filters.tab == queue.HELD:
        last = queue.last_decision()
    context = {
        **admin_site.each_context(request),
        "title": _("Moderation queue"),
        "subtitle": None,
        "opts": Comment._meta,
        "filters": filters,
        "page": page,
        "paginator": paginator,
        "cards": cards,
        "cards_html": render_cards(
            cards,
            decisions=queue.TAB_DECISIONS[filters.tab],
            show_status=filters.tab != queue.HELD,
        ),
        "page_ids": [c.pk for c in comments],
        "summary": summary,
        "choices": queue.filter_choices(filters.tab),
        "decisions": queue.TAB_DECISIONS[filters.tab],
        "tabs": [
            (tab, label, count, queue_url(queue.QueueFilters(tab=tab), page=False))
            for tab, label, count in (
                (queue.HELD, _("Held"), summary.waiting),
                (queue.REPORTED, _("Reported"), summary.reported_comments),
            )
        ],
        "last_decision": last,
        "last_decision_ago": queue.ago(last.moderated_at, now) if last else "",
        "decide_url": reverse(DECIDE_URL),
        "clear_url": queue_url(queue.QueueFilters(tab=filters.tab), page=False),
        "previous_url": (
            queue_url(replace(filters, page=str(page.previous_page_number())))
            if page.has_previous()
            else ""
        ),
        "next_url": (
            queue_url(replace(filters, page=str(page.next_page_number())))
            if page.has_next()
            else ""
        ),
    }
    return TemplateResponse(request, "admin/comments/queue.html", context)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 12]


def _next_card(page_ids, decided):
    """The card to show after deciding: the one after the last decided, else the one before."""
    decided = set(decided)
    positions = [i for i, pk in enumerate(page_ids) if pk in decided]
    if not positions:
        return None
    after = [pk for pk in page_ids[positions[-1] + 1 :] if pk not in decided]
    before = [pk for pk in page_ids[: positions[0]] if pk not in decided]
    return after[0] if after else (before[-1] if before else None)


def _message(decision, n) -> str:
    if decision == queue.APPROVE:
        text = ngettext("%(n)d comment approved.", "%(n)d comments approved.", n)
    elif decision == queue.SPAM:
        text = ngettext(
            "%(n)d comment marked as spam.", "%(n)d comments marked as spam.", n
        )
    elif decision == queue.REMOVE:
        text = ngettext("%(n)d comment removed.", "%(n)d comments removed.", n)
    elif decision == queue.TRUST:
        text = ngettext(
            "%(n)d comment approved; its author is trusted.",
            "%(n)d comments approved; their authors are trusted.",
            n,
        )
    else:
        text = ngettext(
            "%(n)d comment kept; its reports are dismissed.",
            "%(n)d comments kept; their reports are dismissed.",
            n,
        )
    return text % {"n": n}


@require_POST
def queue_decide(request, *, admin_site):
    """One decision on one card (``decision=approve:<id>``) or on the selected cards (``bulk=approve``).

    Without JavaScript: back to the queue with the same filters, at the next card. With it
    (``Accept: application/json``): the decided ids, a message and the new summary.
    """
    _require_moderator(request)
    filters = queue.QueueFilters.from_query(request.POST)
    page_ids = _ids(request.POST.getlist("page_ids"))
    single = request.POST.get("decision", "")
    if single:
        key, _sep, raw_id = single.partition(":")
        wanted = _ids([raw_id])
    else:
        key = request.POST.get("bulk", "")
        wanted = (
            page_ids
            if request.POST.get("all_on_page")
            else _ids(request.POST.getlist("ids"))
        )
    decision = queue.DECISIONS.get(key)
    if decision not in queue.TAB_DECISIONS[filters.tab] or (single and not wanted):
        return HttpResponseBadRequest(gettext("Unknown decision."))
    ids = queue.decidable(wanted, tab=filters.tab)
    n = queue.decide(decision=decision, ids=ids, moderator=request.user) if ids else 0
    if not wanted:
        text, level = gettext("Select at least one comment first."), messages.WARNING
    elif not ids:
        text = gettext("Already decided: someone else got there first.")
        level = messages.WARNING
    else:
        text, level = _message(decision, len(ids)), messages.SUCCESS
    if _wants_json(request):
        return JsonResponse(
            {
                "decided": ids,
                "gone": wanted,
                "count": n,
                "message": text,
                "summary": queue.queue_summary().as_json(),
            }
        )
    messages.add_message(request, level, text)
    anchor = _next_card(page_ids, wanted) if wanted else None
    return HttpResponseRedirect(queue_url(filters, anchor=anchor))
