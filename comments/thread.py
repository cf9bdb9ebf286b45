"""Turn one article's approved comments (from one query) into a page of nested threads.

The renderer walks a flat list once; each item says whether it opens a list of replies and how
many lists close after it, so no template include or query runs per comment.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator

from comments.text import avatar_hue, initials


@dataclass
class ThreadItem:
    comment: object
    depth: int
    initials: str
    hue: int
    has_children: bool = False
    closes: range = field(default_factory=lambda: range(0))


@dataclass
class ThreadPage:
    items: list
    page_obj: object
    approved_count: int


def _top_levels_and_children(comments):
    by_id = {c.id: c for c in comments}
    children: dict[int, list] = {}
    tops = []
    for c in comments:
        if c.parent_id and c.parent_id in by_id:
            children.setdefault(c.parent_id, []).append(c)
        else:  # top-level, or a reply whose parent is no longer public
            tops.append(c)
    return tops, children


def page_number_of(comments, comment_id: int, per_page: int) -> int:
    """The thread page (1-based) that shows ``comment_id``, or 1 if it is not among ``comments``."""
    tops, _ = _top_levels_and_children(comments)
    by_id = {c.id: c for c in comments}
    target = by_id.get(comment_id)
    while target is not None and target.parent_id in by_id:
        target = by_id[target.parent_id]
    if target is None:
        return 1
    return tops.index(target) // per_page + 1


def build_thread(comments, *, page: int | str | None, per_page: int) -> ThreadPage:
    """A page of threads from approved ``comments`` (oldest first). Out-of-range pages show the nearest page."""
    tops, children = _top_levels_and_children(comments)
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
    return ThreadPage(items=items, page_obj=page_obj, approved_count=len(comments))
