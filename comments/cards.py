"""The moderation queue's cards rendered to HTML in one pass (templates/admin/comments/queue.html).

Like the thread (comments/render.py): Django's template engine spent about 2.5 ms per card
here (two dozen lookups, translations and filters each), so a page of 50 cards took
~130 ms; one format string per card costs a few µs. Labels are translated once per page.

Safety: every value interpolated below goes through ``escape`` (or is an integer, or a URL
we built and escape too), except ``body_html``, which was escaped by urlize and sanitised by
nh3 when the comment was posted (comments/text.py). tests/comments/test_queue.py feeds it
hostile names, websites, reasons, notes and text.
"""

from html import escape

from django.template.defaultfilters import truncatechars
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

CARD = (
    '<li class="desk-card" id="card-{id}" data-id="{id}" tabindex="-1" '
    'aria-labelledby="card-{id}-who">'
    '<div class="desk-card__head">'
    '<input type="checkbox" name="ids" value="{id}" id="select-{id}" class="desk-select">'
    '<label for="select-{id}" class="desk-card__who" id="card-{id}-who"><bdi>{name}</bdi></label>'
    '<span class="desk-card__when"><time datetime="{iso}" title="{stamp}">{ago}</time></span>'
    "</div>"
    '<p class="desk-card__contact">{contact}</p>'
    '<p class="desk-card__story">{on} <a href="{story_url}">{headline}</a>{section}'
    ' · <a href="{thread_url}">{in_thread}</a>{status}</p>'
    "{parent}"
    '<div class="desk-card__body">{body}</div>'
    "{why}"
    '<p class="desk-card__record"><span class="desk-card__label">{record_label}</span> {record}{record_link}</p>'
    "{reports}"
    '<div class="desk-card__actions">{buttons}</div>'
    "</li>\n"
)
BUTTON = (
    '<button type="submit" name="decision" value="{key}:{id}" class="desk-btn desk-btn--{key}" '
    'data-shortcut="{shortcut}" aria-describedby="card-{id}-who">{label}</button>'
)


def _labels():
    """Every fixed text of a card, translated once."""
    return {
        "no_email": escape(gettext("no email")),
        "ip": escape(gettext("IP")),
        "on": escape(gettext("On")),
        "in_thread": escape(gettext("in its thread")),
        "in_reply_to": escape(gettext("In reply to")),
        "why": escape(gettext("Why held:")),
        "record": escape(gettext("Record:")),
        "new": escape(gettext("nothing decided before")),
        "record_counts": gettext("%(a)d approved · %(s)d spam · %(r)d removed"),
        "their": escape(gettext("all their comments")),
    }


def _contact(card, c, t) -> str:
    parts = [
        f'<span class="desk-card__email">{escape(c.email)}</span>'
        if c.email
        else f"<span>{t['no_email']}</span>"
    ]
    if card["website"]:
        parts.append(
            f'<a href="{escape(card["website"])}" rel="nofollow noopener noreferrer ugc" '
            f'class="desk-card__site">{escape(truncatechars(card["website"], 60))}</a>'
        )
    elif c.url:
        parts.append(f"<span>{escape(truncatechars(c.url, 60))}</span>")
    if c.ip_address:
        parts.append(
            f'<span class="desk-card__ip">{t["ip"]} {escape(c.ip_address)}</span>'
        )
    return " · ".join(parts)


def _reports(reports) -> str:
    if not reports:
        return ""
    n = len(reports)
    items = []
    for report in reports:
        note = f": “{escape(truncatechars(report.note, 300))}”" if report.note else ""
        at = timezone.localtime(report.created_at)
        items.append(
            f"<li>{escape(str(report.get_reason_display()))}{note} "
            f'<time datetime="{at.isoformat(timespec="seconds")}">'
            f"{at.day} {at:%b}, {at:%H:%M}</time></li>"
        )
    heading = ngettext("%(n)d open report", "%(n)d open reports", n) % {"n": n}
    return (
        f'<div class="desk-card__reports"><p class="desk-card__label">{escape(heading)}</p>'
        f"<ul>{''.join(items)}</ul></div>"
    )


def render_cards(cards, *, decisions, show_status: bool) -> SafeString:
    """The ``<li>`` of every card, in order, with the given decisions' buttons."""
    t = _labels()
    buttons = [
        (escape(d.key), escape(d.shortcut), escape(str(d.label))) for d in decisions
    ]
    out = []
    for card in cards:
        c = card["comment"]
        record = card["record"]
        parent = ""
        if c.parent_id and c.parent:
            parent = (
                f'<blockquote class="desk-card__parent"><p><span class="desk-card__label">'
                f"{t['in_reply_to']}</span> <bdi>{escape(c.parent.name)}</bdi>: "
                f"{escape(card['parent_text'])}</p></blockquote>"
            )
        why = ""
        if c.reason:
            detail = f" — {escape(c.reason_detail)}" if c.reason_detail else ""
            why = (
                f'<p class="desk-card__why"><span class="desk-card__label">{t["why"]}</span> '
                f"{escape(str(c.get_reason_display()))}{detail}</p>"
            )
        section = c.article.section
        local = timezone.localtime(c.created_at)
        out.append(
            CARD.format(
                id=c.pk,
                name=escape(c.name),
                iso=local.isoformat(timespec="seconds"),
                stamp=f"{local.day} {local:%b %Y, %H:%M}",
                ago=escape(card["ago"]),
                contact=_contact(card, c, t),
                on=t["on"],
                story_url=escape(card["story_url"]),
                headline=escape(c.article.headline),
                section=(
                    f' <span class="desk-card__section">({escape(section.name)})</span>'
                    if section
                    else ""
                ),
                thread_url=escape(card["thread_url"]),
                in_thread=t["in_thread"],
                status=(
                    f" · {escape(str(c.get_status_display()))}" if show_status else ""
                ),
                parent=parent,
                body=c.body_html,  # sanitised when posted (comments/text.py)
                why=why,
                record_label=t["record"],
                record=(
                    t["new"]
                    if record.is_new
                    else escape(
                        t["record_counts"]
                        % {"a": record.approved, "s": record.spam, "r": record.removed}
                    )
                ),
                record_link=(
                    f' · <a href="{escape(card["record_url"])}">{t["their"]}</a>'
                    if card["record_url"]
                    else ""
                ),
                reports=_reports(card["reports"]),
                buttons="".join(
                    BUTTON.format(key=key, id=c.pk, shortcut=shortcut, label=label)
                    for key, shortcut, label in buttons
                ),
            )
        )
    return mark_safe("".join(out))  # noqa: S308 — every part escaped above
