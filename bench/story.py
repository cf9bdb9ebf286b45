"""The benchmark's data: one realistic story with 200 realistic comments, and its neighbours.

The text comes from the demo paper (demo/content/*.toml), read as plain data: the story is
the demo's lead story, and the 200 comments cycle through every demo comment (names, email
addresses, websites and bodies of varied length), in threads three levels deep, posted
minutes apart. A page of one sentence repeated 200 times would gzip far better than real
readers' words do, so the page weight measured here is the one a real discussion has.
"""

import itertools
import tomllib
from datetime import timedelta
from pathlib import Path

CONTENT = Path(__file__).resolve().parent.parent / "demo" / "content"
COMMENTS = 200


def _toml(name: str) -> dict:
    return tomllib.loads((CONTENT / name).read_text(encoding="utf-8"))


def demo_comments() -> list[dict]:
    """Every comment and reply in demo/content/comments.toml, flattened, in file order."""
    found = []

    def walk(entries):
        for entry in entries:
            found.append(
                {key: entry.get(key, "") for key in ("name", "email", "url", "body")}
            )
            walk(entry.get("reply", []))

    for story in _toml("comments.toml")["story"]:
        walk(story.get("comment", []))
    return found


def demo_story() -> dict:
    """The demo's lead story: headline, standfirst, Markdown body, picture alt and caption."""
    entry = next(a for a in _toml("articles.toml")["article"] if a.get("featured"))
    image = entry.get("image", {})
    return {
        "headline": entry["headline"],
        "standfirst": entry["standfirst"],
        "body": "\n\n".join(entry["paragraphs"]),
        "image_alt": image.get("alt", "A picture"),
        "image_caption": image.get("caption", ""),
    }


def build(comments: int = COMMENTS):
    """Create the story (lead image, two ads, ten related stories, ``comments`` comments) and a
    comment-less twin; return ``(story, twin)``. Needs a migrated database."""
    from django.utils import timezone

    from comments.models import Comment
    from comments.services import article_comment_counts_refresh
    from comments.text import render_comment
    from tests.factories import image_file, make_ad, make_article

    text = demo_story()
    story = make_article(
        headline=text["headline"],
        slug="benchmark-story",
        standfirst=text["standfirst"],
        body=text["body"],
        image=image_file(),
        image_alt=text["image_alt"],
        image_caption=text["image_caption"],
        published_at=timezone.now() - timedelta(hours=30),
    )
    for _ in range(10):
        make_article(section=story.section)
    twin = make_article(
        headline=text["headline"] + " (twin)",
        slug="benchmark-twin",
        section=story.section,
        standfirst=text["standfirst"],
        body=text["body"],
        image=image_file(),
        image_alt=text["image_alt"],
    )
    make_ad(after_paragraph=2)
    make_ad(
        placement="sidebar", image=image_file("side.png", size=(300, 250), fmt="PNG")
    )
    pool = itertools.cycle(demo_comments())
    start = story.published_at + timedelta(minutes=5)
    parents: list = []  # the chain of open threads: [top, reply]
    for n in range(comments):
        depth = n % 3 + 1  # top, reply, reply to the reply
        spec = next(pool)
        parent = parents[depth - 2] if depth > 1 else None
        comment = Comment.objects.create(
            article=story,
            parent=parent,
            depth=depth,
            name=spec["name"],
            email=spec["email"],
            url=spec["url"],
            body=spec["body"],
            body_html=render_comment(spec["body"]),
            status=Comment.Status.APPROVED,
        )
        # auto_now_add ignores a value given to create(): date them minutes apart afterwards.
        Comment.objects.filter(pk=comment.pk).update(
            created_at=start + timedelta(minutes=7 * n)
        )
        parents = parents[: depth - 1] + [comment]
    article_comment_counts_refresh(article_ids=[story.pk])
    return story, twin
