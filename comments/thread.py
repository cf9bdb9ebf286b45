"""Turn one article's approved comments (from one query) into a page of nested threads.

The renderer walks a flat list once; each item says whether it opens a list of replies and how
many lists close after it, so no template include or query runs per comment.

Two orders (``?corder=``): oldest first (the default) and newest first. The order applies to
the top-level comments, which are what is paginated; replies always read oldest first under
their parent, as a conversation does.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator

from comments.text import avatar_hue, initials

ORDER_PARAM = "corder"
OLDEST = "oldest"
NEWEST = "newest"
ORDERS = (OLDEST, NEWEST)


def thread_order(raw) -> str:
    """The thread order a ``?corder=`` value asks for; anything unknown is the default, oldest first."""
    return raw if raw in ORDERS else OLDEST


def thread_query(*, order: str = OLDEST, page: int = 1) -> str:
    """The query string (``?…``, or "") of one thread page in one order, as every link spells it.

    Default values are left out, so the default page keeps the story's plain address.
    """
    params = []
    if order != OLDEST:
        params.append(f"{ORDER_PARAM}={order}")
    if page > 1:
        params.append(f"cpage={page}")
    return "?" + "&".join(params) if params else ""


@dataclass
class ThreadItem:
    comment: object
    depth: int
    initials: str
    hue: int
    has_children: bool = False
    closes: range = field(default_factory=lambda: range(0))


@dataclass
class Pick:
    """An approved editor's pick, and the thread page (in this order) that shows it in place."""

    comment: object
    page: int
    initials: str
    hue: int


@dataclass
class ThreadPage:
    items: list
    page_obj: object
    approved_count: int
    order: str = OLDEST
    # Shown above the thread on its first page (docs/decisions.md); empty on later pages.
    picks: list = field(default_factory=list)


def _top_levels_and_children(comments, order=OLDEST):
    by_id = {c.id: c for c in comments}
    children: dict[int, list] = {}
    tops = []
    for c in comments:
        if c.parent_id and c.parent_id in by_id:
            children.setdefault(c.parent_id, []).append(c)
        else:  # top-level, or a reply whose parent is no longer public
            tops.append(c)
    if order == NEWEST:
        tops.reverse()  # the rows come oldest first; replies keep that order
    return tops, children


def _root(comment, by_id):
    while comment.parent_id in by_id:
        comment = by_id[comment.parent_id]
    return comment


def page_number_of(
    comments, comment_id: int, per_page: int, order: str = OLDEST
) -> int:
    """The thread page (1-based) that shows ``comment_id`` in ``order``, or 1 if it is not among ``comments``."""
    tops, _ = _top_levels_and_children(comments, order)
    by_id = {c.id: c for c in comments}
    target = by_id.get(comment_id)
    if target is None:
        return 1
    return tops.index(_root(target, by_id)) // per_page + 1


def build_thread(
    comments, *, page: int | str | None, per_page: int, order: str = OLDEST
) -> ThreadPage:
    """A page of threads from approved ``comments`` (rows oldest first), top-level ones in ``order``.

    Out-of-range pages show the nearest page. The first page also lists the editor's picks.
    """
    order = thread_order(order)
    tops, children = _top_levels_and_children(comments, order)
    page_obj = Paginator(tops, per_page).get_page(page)
    items: list[ThreadItem] = []

    def walk(comment, depth):
        item = ThreadItem(
            comment=comment,
            depth=depth,
            initials=initials(comment.name),
            hue=avatar_hue(comment.name),
        )
        items.append(item)
        replies = children.get(comment.id, ())
        item.has_children = bool(replies)
        for reply in replies:
            walk(reply, depth + 1)

    for top in page_obj.object_list:
        walk(top, 1)
    # After a leaf, close one reply list per level the next item climbs back up.
    for index, item in enumerate(items):
        if not item.has_children:
            next_depth = items[index + 1].depth if index + 1 < len(items) else 1
            item.closes = range(item.depth - next_depth)
    picks = _picks(comments, tops, per_page, order) if page_obj.number == 1 else []
    return ThreadPage(
        items=items,
        page_obj=page_obj,
        approved_count=len(comments),
        order=order,
        picks=picks,
    )


def _picks(comments, tops, per_page, order) -> list[Pick]:
    """The editor's picks among ``comments``, in ``order``, each with the page that shows it."""
    picked = [c for c in comments if c.is_pick]
    if not picked:
        return []
    if order == NEWEST:
        picked.reverse()
    by_id = {c.id: c for c in comments}
    top_index = {c.id: index for index, c in enumerate(tops)}
    return [
        Pick(
            comment=c,
            page=top_index[_root(c, by_id).id] // per_page + 1,
            initials=initials(c.name),
            hue=avatar_hue(c.name),
        )
        for c in picked
    ]
