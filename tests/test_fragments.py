"""The fragment cache (newsroom/fragments.py): shared pieces of a page, kept under the content
version, fresh after every change and never holding anything that belongs to one reader."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client

from articles.models import Article
from comments.models import Comment
from comments.personal import (
    AUTHOR_COOKIE,
    AUTHOR_SALT,
    HELD_COOKIE,
    HELD_SALT,
)
from comments.text import render_comment
from newsroom import fragments
from newsroom.pagecache import pages_changed
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


class RecordingCache:
    """The real cache, noting every value stored through it."""

    def __init__(self, real):
        self.real, self.stored = real, {}

    def get(self, key, *args, **kwargs):
        return self.real.get(key, *args, **kwargs)

    def set(self, key, value, *args, **kwargs):
        self.stored[key] = value
        return self.real.set(key, value, *args, **kwargs)


@pytest.fixture
def stored(monkeypatch):
    recorder = RecordingCache(fragments.cache)
    monkeypatch.setattr(fragments, "cache", recorder)
    return recorder.stored


def _signed(name, value, salt):
    response = HttpResponse()
    response.set_signed_cookie(name, value, salt=salt)
    return response.cookies[name].value


def test_a_story_edit_without_a_save_shows_after_pages_changed(
    client, django_capture_on_commit_callbacks
):
    article = make_article(body="The first version of the story.")
    url = article.get_absolute_url()
    assert "The first version" in client.get(url).content.decode()
    # A write that skips save() (and so moves nothing the fragment key names).
    Article.objects.filter(pk=article.pk).update(
        body_html="<p>The corrected version of the story.</p>"
    )

    stale = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        pages_changed()
    fresh = client.get(url).content.decode()

    assert (
        "The first version" in stale
    )  # served from the fragment until the version moved
    assert "The corrected version" in fresh
    assert "The first version" not in fresh


def test_an_edited_comment_shows_on_the_next_render_after_pages_changed(
    client, django_capture_on_commit_callbacks
):
    article = make_article()
    comment = make_comment(article=article, body="Original words.")
    url = article.get_absolute_url()
    assert "Original words." in client.get(url).content.decode()
    Comment.objects.filter(pk=comment.pk).update(
        body_html=render_comment("Edited by a moderator.")
    )

    stale = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        pages_changed()
    fresh = client.get(url).content.decode()

    assert "Original words." in stale
    assert "Edited by a moderator." in fresh
    assert "Original words." not in fresh


def test_pages_changed_inside_a_transaction_takes_effect_only_on_commit(
    client, django_capture_on_commit_callbacks
):
    article = make_article()
    comment = make_comment(article=article, body="Before.")
    url = article.get_absolute_url()
    client.get(url)
    Comment.objects.filter(pk=comment.pk).update(body_html=render_comment("After."))

    with django_capture_on_commit_callbacks(execute=False) as pending:
        pages_changed()
    before_commit = client.get(url).content.decode()
    for callback in pending:
        callback()
    after_commit = client.get(url).content.decode()

    assert "Before." in before_commit
    assert "After." in after_commit


def test_each_comment_page_is_its_own_fragment(client, settings):
    settings.COMMENTS_PER_PAGE = 1
    article = make_article()
    make_comment(article=article, body="On page one.")
    make_comment(article=article, body="On page two.")
    url = article.get_absolute_url()

    def discussion(**query):
        page = client.get(url, query).content.decode()
        return page[
            page.index('id="comments"') :
        ]  # the head's JSON-LD lists comments too

    first = discussion()
    second = discussion(cpage=2)
    junk = discussion(cpage="x")

    assert "On page one." in first and "On page two." not in first
    assert "On page two." in second and "On page one." not in second
    assert "On page one." in junk  # any non-number is page 1


@pytest.mark.parametrize("junk", ["-1", "1234567", "1.5"])
def test_a_junk_comment_page_cannot_replace_page_one_for_everyone(
    client, settings, junk
):
    # A number Paginator.get_page would show as the last page must not be rendered into the
    # fragment every reader of page 1 gets.
    settings.COMMENTS_PER_PAGE = 1
    article = make_article()
    make_comment(article=article, body="On page one.")
    make_comment(article=article, body="On the last page.")
    url = article.get_absolute_url()

    client.get(url, {"cpage": junk})
    plain = Client().get(url).content.decode()

    discussion = plain[plain.index('id="comments"') :]
    assert "On page one." in discussion
    assert "On the last page." not in discussion


def test_no_per_reader_data_lands_in_a_fragment(
    client, django_user_model, stored, settings
):
    article = make_article()
    make_comment(article=article, body="A public comment everyone sees.")
    held = make_comment(
        article=article,
        status=Comment.Status.PENDING,
        name="Held Hettie",
        body="My private held words.",
    )
    reader = Client(enforce_csrf_checks=True)
    reader.cookies[HELD_COOKIE] = _signed(HELD_COOKIE, str(held.pk), HELD_SALT)
    reader.cookies[AUTHOR_COOKIE] = _signed(
        AUTHOR_COOKIE,
        '{"name": "Saved Sam", "email": "sam@private.example", "url": ""}',
        AUTHOR_SALT,
    )
    staff = django_user_model.objects.create_user(
        "staffer-steve", password="pw", is_staff=True
    )
    editor = Client()
    editor.force_login(staff)

    reader_page = reader.get(article.get_absolute_url()).content.decode()
    editor_page = editor.get(article.get_absolute_url()).content.decode()

    # The readers did see their own parts…
    assert "My private held words." in reader_page
    assert "Saved Sam" in reader_page and "sam@private.example" in reader_page
    assert "staffer-steve" in editor_page
    # …and the shared fragments were built on those very requests, holding none of them.
    assert {key.split(":")[2] for key in stored} >= {
        "story-head",
        "story-body",
        "story-related",
        "thread",
    }
    shared = "\n".join(stored.values())
    assert "A public comment everyone sees." in shared
    tokens = [reader.cookies.get("csrftoken"), editor.cookies.get("csrftoken")]
    private = [
        "My private held words.",
        "Held Hettie",
        "awaiting moderation",
        "Saved Sam",
        "sam@private.example",
        "staffer-steve",
        "csrfmiddlewaretoken",
        *(token.value for token in tokens if token is not None),
    ]
    for text in private:
        assert text not in shared, text


def test_without_a_content_version_pages_render_without_fragments(
    client, monkeypatch, stored
):
    monkeypatch.setattr(fragments, "content_version", lambda: None)
    article = make_article(body="Rendered fresh.")
    make_comment(article=article, body="A comment, fresh too.")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "Rendered fresh." in page and "A comment, fresh too." in page
    assert stored == {}


def test_zero_seconds_turns_fragments_off(client, settings, stored):
    settings.FRAGMENT_CACHE_SECONDS = 0
    article = make_article()

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert stored == {}


def test_a_fragment_cannot_include_a_personal_template():
    with pytest.raises(TemplateSyntaxError, match="personal/"):
        Template(
            '{% load articles_tags %}{% fragment "x" %}'
            '{% include "personal/_comment_form.html" %}{% endfragment %}'
        )


def test_a_fragment_renders_its_content_when_the_cache_fails(rf, monkeypatch):
    class BrokenCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        def set(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(fragments, "cache", BrokenCache())
    monkeypatch.setattr(fragments, "content_version", lambda: 7)
    template = Template(
        '{% load articles_tags %}{% fragment "x" n %}<b>{{ n }}</b>{% endfragment %}'
    )

    html = template.render(Context({"request": rf.get("/"), "n": 3}))

    assert html == "<b>3</b>"
