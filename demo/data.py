"""Load and check the demo paper's content: the TOML files in ``demo/content/``.

Each file holds one kind of thing (sections, authors, background paragraphs, stories, ad
slots, reader comments, the paper's details and standing pages). ``load()`` reads them all and checks every entry before anything
is written, so a typo fails with the file, the entry and the field named, not halfway
through a seed.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from demo.pictures import SCENES

CONTENT_DIR = Path(__file__).resolve().parent / "content"

TEXT, NUMBER, FLAG, COUNT = str, (int, float), bool, int
# Top-level comments may have replies, and replies replies: three levels, as COMMENTS_MAX_DEPTH.
MAX_DEPTH = 3
COMMENT_STATUSES = ("approved", "pending")
# The standing pages' addresses (articles.models.StandingPage.Kind; the demo app may import any).
PAGE_KINDS = ("about", "contact", "privacy", "comment-guidelines", "terms")


class DemoDataError(ValueError):
    """A demo content file is missing, unreadable, or has an entry that does not fit."""


@dataclass(frozen=True)
class DemoData:
    sections: list[dict]
    authors: list[dict]
    paragraphs: dict[str, list[str]]
    articles: list[dict]
    image_credit: str
    ads: list[dict]
    # Story slug -> its top-level comments, in the order they were posted; each has "replies".
    threads: dict[str, list[dict]]
    # The paper's details (Publication) and its standing pages (About, Contact, Privacy…).
    publication: dict
    pages: list[dict]


# kind: (required fields, optional fields), each field with the type it must have.
SCHEMAS = {
    "section": (
        {"slug": TEXT, "name": TEXT, "order": COUNT, "description": TEXT},
        {},
    ),
    # photo: draw the author a portrait (demo/pictures.py) for the byline and the author page.
    "author": ({"slug": TEXT, "name": TEXT, "bio": TEXT}, {"photo": FLAG}),
    "article": (
        {
            "slug": TEXT,
            "headline": TEXT,
            "section": TEXT,
            "author": TEXT,
            "standfirst": TEXT,
            "paragraphs": list,
        },
        {
            "age_hours": NUMBER,
            "status": TEXT,
            "featured": FLAG,
            "edited": FLAG,
            "comments_open": FLAG,
            "filler": COUNT,
            "image": dict,
        },
    ),
    "image": ({"scene": TEXT, "alt": TEXT, "caption": TEXT}, {}),
    "ad": (
        {
            "name": TEXT,
            "placement": TEXT,
            "after_paragraph": COUNT,
            "size": list,
            "business": TEXT,
            "slogan": TEXT,
            "action": TEXT,
            "link": TEXT,
            "colours": dict,
        },
        # small_size: [width, height] of a second, phone-sized picture (AdSlot.small_image).
        {"small_size": list},
    ),
    "colours": ({"background": list, "accent": list, "text": list}, {}),
    "story": ({"slug": TEXT, "comment": list}, {}),
    "publication": (
        {"address": TEXT, "news_desk_email": TEXT},
        {"tagline": TEXT, "phone": TEXT},
    ),
    "page": ({"slug": TEXT, "title": TEXT, "summary": TEXT, "body": TEXT}, {}),
    "comment": (
        {"name": TEXT, "email": TEXT, "minutes": COUNT, "body": TEXT},
        {"url": TEXT, "status": TEXT, "reply": list},
    ),
}


def _type_name(expected):
    names = {str: "text", bool: "true or false", int: "a whole number", list: "a list"}
    names[dict] = "a table"
    if expected == NUMBER:
        return "a number"
    return names[expected]


def _check(entry, kind, where):
    """Raise DemoDataError unless ``entry`` has every required field of ``kind``, each of the right type."""
    if not isinstance(entry, dict):
        raise DemoDataError(f"{where}: should be a table of fields")
    required, optional = SCHEMAS[kind]
    for name in required:
        if name not in entry:
            raise DemoDataError(f"{where}: missing field '{name}'")
    for name, value in entry.items():
        expected = required.get(name) or optional.get(name)
        if expected is None:
            known = ", ".join([*required, *optional])
            raise DemoDataError(f"{where}: unknown field '{name}' (known: {known})")
        # bool is an int in Python; a count or a number written as true is still a mistake.
        wrong_bool = isinstance(value, bool) and expected is not FLAG
        if wrong_bool or not isinstance(value, expected):
            raise DemoDataError(
                f"{where}: field '{name}' should be {_type_name(expected)}"
            )
        if isinstance(value, str) and not value.strip():
            raise DemoDataError(f"{where}: field '{name}' is empty")


def _entries(data, key, kind, file):
    """The list ``key`` of a loaded file, each entry checked as ``kind``; labels name the entry."""
    entries = data.get(key)
    if not isinstance(entries, list) or not entries:
        raise DemoDataError(f"{file}: no [[{key}]] entries")
    for number, entry in enumerate(entries, start=1):
        label = f"{file}: {key} {number}"
        if isinstance(entry, dict) and isinstance(entry.get("slug"), str):
            label += f" ({entry['slug']})"
        _check(entry, kind, label)
    return entries


def _label(file, key, number, entry):
    return f"{file}: {key} {number} ({entry['slug']})"


def _unique(entries, field, file, key):
    seen = set()
    for number, entry in enumerate(entries, start=1):
        if entry[field] in seen:
            raise DemoDataError(
                f"{file}: {key} {number}: {field} '{entry[field]}' is used twice"
            )
        seen.add(entry[field])
    return seen


def _read(directory, name):
    path = directory / name
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise DemoDataError(f"{name}: file not found in {directory}") from None
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{name}: not valid TOML: {error}") from None


def _colour(value, where):
    if len(value) != 3 or not all(
        isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value
    ):
        raise DemoDataError(f"{where}: a colour is [red, green, blue], each 0-255")
    return tuple(value)


def _check_articles(articles, file, sections, authors, paragraphs):
    featured = 0
    for number, entry in enumerate(articles, start=1):
        where = _label(file, "article", number, entry)
        if entry["section"] not in sections:
            raise DemoDataError(
                f"{where}: section '{entry['section']}' is not in sections.toml"
            )
        if entry["section"] not in paragraphs:
            raise DemoDataError(
                f"{where}: paragraphs.toml has no paragraphs for '{entry['section']}'"
            )
        if entry["author"] not in authors:
            raise DemoDataError(
                f"{where}: author '{entry['author']}' is not in authors.toml"
            )
        status = entry.get("status")
        if status not in (None, "draft", "scheduled"):
            raise DemoDataError(
                f"{where}: status is 'draft' or 'scheduled', not '{status}'"
            )
        if status is None and "age_hours" not in entry:
            raise DemoDataError(
                f"{where}: missing field 'age_hours' (needed unless status is set)"
            )
        if not entry["paragraphs"] or not all(
            isinstance(p, str) and p.strip() for p in entry["paragraphs"]
        ):
            raise DemoDataError(f"{where}: paragraphs should be a list of texts")
        if image := entry.get("image"):
            _check(image, "image", f"{where} image")
            if image["scene"] not in SCENES:
                raise DemoDataError(
                    f"{where}: image scene '{image['scene']}' is not drawn by "
                    f"demo/pictures.py (scenes: {', '.join(SCENES)})"
                )
        featured += entry.get("featured", False)
    if featured != 1:
        raise DemoDataError(f"{file}: exactly one article should be featured")


def _check_ads(ads, file):
    for number, entry in enumerate(ads, start=1):
        where = f"{file}: ad {number} ({entry['name']})"
        size = entry["size"]
        if len(size) != 2 or not all(isinstance(n, int) and n > 0 for n in size):
            raise DemoDataError(f"{where}: size is [width, height] in pixels")
        entry["size"] = tuple(size)
        if "small_size" in entry:
            small = entry["small_size"]
            if len(small) != 2 or not all(isinstance(n, int) and n > 0 for n in small):
                raise DemoDataError(f"{where}: small_size is [width, height] in pixels")
            entry["small_size"] = tuple(small)
        _check(entry["colours"], "colours", f"{where} colours")
        entry["colours"] = {
            name: _colour(value, f"{where} colours.{name}")
            for name, value in entry["colours"].items()
        }


def _check_comments(comments, where, depth=1, after=None):
    for number, comment in enumerate(comments, start=1):
        label = f"{where} {'comment' if depth == 1 else 'reply'} {number}"
        _check(comment, "comment", label)
        if comment.get("status", "approved") not in COMMENT_STATUSES:
            raise DemoDataError(
                f"{label}: status is one of {', '.join(COMMENT_STATUSES)}"
            )
        if after is not None and comment["minutes"] <= after:
            raise DemoDataError(
                f"{label}: a reply's minutes must come after its parent's ({after})"
            )
        replies = comment.setdefault("reply", [])
        if replies and depth >= MAX_DEPTH:
            raise DemoDataError(f"{label}: replies go at most {MAX_DEPTH} levels deep")
        _check_comments(replies, label, depth + 1, comment["minutes"])


def _threads(stories, file, articles):
    by_slug = {entry["slug"]: entry for entry in articles}
    threads = {}
    for number, story in enumerate(stories, start=1):
        where = _label(file, "story", number, story)
        article = by_slug.get(story["slug"])
        if article is None:
            raise DemoDataError(f"{where}: no story with this slug in articles.toml")
        if "status" in article or not article.get("comments_open", True):
            raise DemoDataError(
                f"{where}: the story is not published with comments open"
            )
        if story["slug"] in threads:
            raise DemoDataError(f"{where}: this story's comments are listed twice")
        _check_comments(story["comment"], where)
        threads[story["slug"]] = sorted(story["comment"], key=lambda c: c["minutes"])
    return threads


def load(directory: Path = CONTENT_DIR) -> DemoData:
    """Every demo content file, read and checked; raises DemoDataError naming the file and entry."""
    sections = _entries(
        _read(directory, "sections.toml"), "section", "section", "sections.toml"
    )
    section_slugs = _unique(sections, "slug", "sections.toml", "section")
    authors = _entries(
        _read(directory, "authors.toml"), "author", "author", "authors.toml"
    )
    author_slugs = _unique(authors, "slug", "authors.toml", "author")

    paragraphs = _read(directory, "paragraphs.toml")
    for section, pool in paragraphs.items():
        if not isinstance(pool, list) or not pool:
            raise DemoDataError(
                f"paragraphs.toml: '{section}' should be a list of texts"
            )
        if not all(isinstance(p, str) and p.strip() for p in pool):
            raise DemoDataError(
                f"paragraphs.toml: '{section}' should be a list of texts"
            )

    article_data = _read(directory, "articles.toml")
    image_credit = article_data.get("image_credit")
    if not isinstance(image_credit, str) or not image_credit.strip():
        raise DemoDataError("articles.toml: missing field 'image_credit'")
    articles = _entries(article_data, "article", "article", "articles.toml")
    _unique(articles, "slug", "articles.toml", "article")
    _check_articles(articles, "articles.toml", section_slugs, author_slugs, paragraphs)

    ads = _entries(_read(directory, "ads.toml"), "ad", "ad", "ads.toml")
    _unique(ads, "name", "ads.toml", "ad")
    _check_ads(ads, "ads.toml")

    stories = _entries(
        _read(directory, "comments.toml"), "story", "story", "comments.toml"
    )
    threads = _threads(stories, "comments.toml", articles)

    pages_data = _read(directory, "pages.toml")
    publication = pages_data.get("publication")
    if publication is None:
        raise DemoDataError("pages.toml: no [publication] table")
    _check(publication, "publication", "pages.toml: publication")
    pages = _entries(pages_data, "page", "page", "pages.toml")
    _unique(pages, "slug", "pages.toml", "page")
    for number, entry in enumerate(pages, start=1):
        if entry["slug"] not in PAGE_KINDS:
            raise DemoDataError(
                f"{_label('pages.toml', 'page', number, entry)}: slug is one of "
                f"{', '.join(PAGE_KINDS)}"
            )

    return DemoData(
        sections=sections,
        authors=authors,
        paragraphs=paragraphs,
        articles=articles,
        image_credit=image_credit,
        ads=ads,
        threads=threads,
        publication=publication,
        pages=pages,
    )
