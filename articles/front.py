"""The home page's first page arranged as a newspaper front: plain functions over stories
already loaded (no query here), so the page keeps its fixed query count.

- the **lead**: the newest featured story, else the newest story with a picture, else the
  newest story;
- two to four **secondary** stories, with pictures where the page has them (newest first);
- **tertiary** headlines: the next stories, headline only;
- the **latest** list: the rest of the page, ending in the "Older stories" link.

Page 2 onwards is a plain list; ``HOME_PER_PAGE`` stories a page either way, so page 2
starts exactly where page 1 stopped.
"""

from dataclasses import dataclass, field

SECONDARY = 4
MIN_SECONDARY = 2
TERTIARY = 6


@dataclass(frozen=True)
class Front:
    lead: object | None = None
    secondary: list = field(default_factory=list)
    tertiary: list = field(default_factory=list)
    latest: list = field(default_factory=list)


def has_picture(article) -> bool:
    return bool(article.image_sources)


def arrange(stories, featured=None, *, secondary=SECONDARY, tertiary=TERTIARY) -> Front:
    """Arrange ``stories`` (one page, newest first) around ``featured`` (or None)."""
    stories = list(stories)
    lead = featured or next(filter(has_picture, stories), None)
    if lead is None and stories:
        lead = stories[0]
    rest = [story for story in stories if lead is None or story.pk != lead.pk]
    pictured = [story for story in rest if has_picture(story)][:secondary]
    if (
        len(pictured) < MIN_SECONDARY
    ):  # a paper short of pictures still has a second row
        plain = [story for story in rest if story not in pictured]
        pictured += plain[: MIN_SECONDARY - len(pictured)]
    chosen = {story.pk for story in pictured}
    second = [story for story in rest if story.pk in chosen]  # back in date order
    rest = [story for story in rest if story.pk not in chosen]
    return Front(
        lead=lead,
        secondary=second,
        tertiary=rest[:tertiary],
        latest=rest[tertiary:],
    )


def picture_first(stories) -> list:
    """A section block's stories with the newest pictured one first (the block shows its picture)."""
    stories = list(stories)
    first = next(filter(has_picture, stories), None)
    if first is None:
        return stories
    return [first, *(story for story in stories if story.pk != first.pk)]
