"""The demo content files load, check what they should, and each story's comments fit it."""

import re
import shutil
from collections import Counter

import pytest

from demo import data
from demo.pictures import SCENES


def _words(text):
    """Lower-case words of four letters or more (numbers count: "2074", "20mph")."""
    text = text.lower().replace("’", "'")
    return {w for w in re.findall(r"[a-z0-9][a-z0-9']+", text) if len(w) >= 4}


def _bodies(comments):
    for comment in comments:
        yield comment["body"]
        yield from _bodies(comment["reply"])


def _depth(comments):
    return max((1 + _depth(c["reply"]) for c in comments), default=0)


@pytest.fixture
def content_copy(tmp_path):
    """A writable copy of demo/content/ to break one file at a time."""
    directory = tmp_path / "content"
    shutil.copytree(data.CONTENT_DIR, directory)
    return directory


def _replace(path, old, new):
    text = path.read_text()
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1))


def test_the_content_files_load_with_everything_the_seed_promises():
    content = data.load()

    assert len(content.sections) == 6
    assert len(content.authors) == 5
    assert len(content.articles) == 37
    assert len(content.ads) == 4
    assert [a["slug"] for a in content.articles if a.get("featured")] == [
        "ferry-lane-flood-gates-hold-as-wend-peaks"
    ]
    assert sorted(a.get("status") for a in content.articles if "status" in a) == [
        "draft",
        "scheduled",
    ]
    assert {a["image"]["scene"] for a in content.articles if "image" in a} == set(
        SCENES
    )
    # Ads come back with tuples, which Pillow needs for sizes and colours.
    assert all(isinstance(ad["size"], tuple) for ad in content.ads)
    assert all(
        isinstance(colour, tuple)
        for ad in content.ads
        for colour in ad["colours"].values()
    )


def test_every_thread_is_keyed_by_a_published_story_open_to_comments():
    content = data.load()
    open_stories = {
        a["slug"]
        for a in content.articles
        if "status" not in a and a.get("comments_open", True)
    }

    assert content.threads
    assert set(content.threads) <= open_stories
    # Some open stories keep no comments, so the "No comments yet" state shows.
    assert 3 <= len(open_stories - set(content.threads)) <= 6


def test_popular_stories_have_deep_threads_some_commenters_a_website_and_two_are_held():
    content = data.load()
    comments = [c for thread in content.threads.values() for c in _flatten(thread)]

    assert sum(_depth(thread) == 3 for thread in content.threads.values()) >= 5
    assert sum(bool(c.get("url")) for c in comments) >= 3
    held = [c for c in comments if c.get("status") == "pending"]
    assert len(held) == 2


def _flatten(comments):
    for comment in comments:
        yield comment
        yield from _flatten(comment["reply"])


def test_each_storys_comments_are_about_that_story():
    # Words a story shares with at most two others are its own ("Pike", "pontoon", "otters").
    # Its comments must use several of them, and more than they use of any other story's:
    # the generic threads once rotated across every story would fail here.
    content = data.load()
    story_words = {
        a["slug"]: _words(" ".join([a["headline"], a["standfirst"], *a["paragraphs"]]))
        for a in content.articles
    }
    spread = Counter(word for words in story_words.values() for word in words)
    distinctive = {
        slug: {w for w in words if spread[w] <= 3}
        for slug, words in story_words.items()
    }

    for slug, thread in content.threads.items():
        said = _words(" ".join(_bodies(thread)))
        own = len(said & distinctive[slug])
        elsewhere = max(
            len(said & words) for other, words in distinctive.items() if other != slug
        )
        assert own >= 3, slug
        assert own > elsewhere, slug


def test_replies_come_after_what_they_answer():
    content = data.load()

    def check(comments, after):
        for comment in comments:
            assert comment["minutes"] > after
            check(comment["reply"], comment["minutes"])

    for thread in content.threads.values():
        check(thread, 0)


def test_a_missing_field_names_the_file_the_entry_and_the_field(content_copy):
    _replace(
        content_copy / "articles.toml",
        'headline = "Wend Bridge to close overnight',
        'title = "Wend Bridge to close overnight',
    )

    with pytest.raises(data.DemoDataError) as error:
        data.load(content_copy)

    assert str(error.value) == (
        "articles.toml: article 2 (wend-bridge-overnight-closures): missing field 'headline'"
    )


def test_a_comment_missing_its_email_names_the_story_and_the_reply(content_copy):
    _replace(
        content_copy / "comments.toml",
        'email = "tom.okafor@example.org"\n',
        "",
    )

    with pytest.raises(data.DemoDataError) as error:
        data.load(content_copy)

    assert str(error.value) == (
        "comments.toml: story 1 (ferry-lane-flood-gates-hold-as-wend-peaks) "
        "comment 1 reply 1: missing field 'email'"
    )


def test_a_thread_for_an_unknown_story_is_refused(content_copy):
    _replace(
        content_copy / "comments.toml",
        'slug = "wend-bridge-overnight-closures"',
        'slug = "wend-bridge-closes-for-ever"',
    )

    with pytest.raises(
        data.DemoDataError, match=r"story 2 \(wend-bridge-closes-for-ever\): no story"
    ):
        data.load(content_copy)


def test_a_thread_on_a_story_closed_to_comments_is_refused(content_copy):
    _replace(
        content_copy / "comments.toml",
        'slug = "wend-bridge-overnight-closures"',
        'slug = "water-company-fined-over-sewage-in-the-wend"',
    )

    with pytest.raises(data.DemoDataError, match="not published with comments open"):
        data.load(content_copy)


def test_a_reply_dated_before_its_parent_is_refused(content_copy):
    _replace(content_copy / "comments.toml", "minutes = 58\n", "minutes = 20\n")

    with pytest.raises(data.DemoDataError, match="must come after its parent's"):
        data.load(content_copy)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "articles.toml",
            'section = "news"',
            'section = "weather"',
            "section 'weather' is not in sections.toml",
        ),
        (
            "articles.toml",
            'author = "priya-ramaswamy"',
            'author = "nobody"',
            "author 'nobody' is not in authors.toml",
        ),
        (
            "articles.toml",
            'scene = "floodwall"',
            'scene = "volcano"',
            "image scene 'volcano' is not drawn",
        ),
        (
            "articles.toml",
            "age_hours = 4.5",
            'age_hours = "4.5"',
            "field 'age_hours' should be a number",
        ),
        (
            "articles.toml",
            "featured = true",
            "featured = 1",
            "field 'featured' should be true or false",
        ),
        (
            "articles.toml",
            "featured = true",
            "featured = false",
            "exactly one article should be featured",
        ),
        ("articles.toml", "edited = true", "edtied = true", "unknown field 'edtied'"),
        ("ads.toml", "size = [728, 180]", "size = [728]", "size is [width, height]"),
        (
            "ads.toml",
            "accent = [176, 98, 42]",
            "accent = [176, 98, 420]",
            "a colour is [red, green, blue]",
        ),
        (
            "sections.toml",
            'slug = "politics"',
            'slug = "news"',
            "slug 'news' is used twice",
        ),
        (
            "comments.toml",
            'minutes = 400\nstatus = "pending"',
            'minutes = 400\nstatus = "spam"',
            "status is one of approved, pending",
        ),
        ("authors.toml", "[[author]]", "[[author]\n", "authors.toml: not valid TOML"),
    ],
)
def test_the_loader_says_what_is_wrong_and_where(content_copy, file, old, new, message):
    _replace(content_copy / file, old, new)

    with pytest.raises(data.DemoDataError, match=re.escape(message)) as error:
        data.load(content_copy)

    assert str(error.value).startswith(file)


def test_a_missing_file_is_named(content_copy):
    (content_copy / "ads.toml").unlink()

    with pytest.raises(data.DemoDataError, match=r"^ads\.toml: file not found"):
        data.load(content_copy)


def test_replies_deeper_than_three_levels_are_refused(content_copy):
    _replace(
        content_copy / "comments.toml",
        'body = "Ha, so did we.',
        'body = "Deeper."\n\n[[story.comment.reply.reply.reply]]\nname = "X"\n'
        'email = "x@example.org"\nminutes = 80\nbody = "Ha, so did we.',
    )

    with pytest.raises(data.DemoDataError, match="at most 3 levels deep"):
        data.load(content_copy)
