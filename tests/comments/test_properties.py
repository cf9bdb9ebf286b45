"""Property-based tests (hypothesis): whatever a stranger sends in the comment form's fields
or the story page's query string, the answer is never a 5xx."""

import contextlib
import time
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments import services
from comments.forms import CommentForm
from comments.spam import form_token
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Everything UTF-8 can carry (the test client encodes as UTF-8, so no lone surrogates here;
# raw bytes below and the form test cover those).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
any_bytes = st.binary(max_size=120)
field_value = st.one_of(
    any_text,
    st.sampled_from(["", " ", "0", "-1", "9" * 25, "https://", "javascript:x", "@"]),
)


@pytest.fixture
def story(settings):
    settings.COMMENTS_RATE_LIMIT = 10**6
    article = make_article()
    make_comment(article=article)
    return article


@FAST
@given(
    fields=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(("body", "name", "email", "url", "parent", "leave_empty", "remember"), field_value),
    ),
    token=st.sampled_from(["fresh", "fast", "forged", "missing"]),
)  # fmt: skip
def test_any_form_fields_never_give_a_5xx(story, fields, token):
    data = {"name": "Pat", "email": "pat@example.org", "body": "Hi"} | fields
    if token != "missing":
        data["timestamp"] = {
            "fresh": form_token(story.pk, now=time.time() - 60),
            "fast": form_token(story.pk),
            "forged": "x:y:z",
        }[token]
    client = Client()

    response = client.post(reverse("comments:post", args=[story.pk]), data)

    assert response.status_code < 500
    if response.status_code == 302:
        assert client.get(story.get_absolute_url()).status_code == 200
        feed = client.get(story.get_absolute_url() + "comments/feed/")
        assert feed.status_code == 200


@FAST
@given(body=any_bytes, name=any_bytes)
def test_any_bytes_in_the_posted_body_never_give_a_5xx(story, body, name):
    token = form_token(story.pk, now=time.time() - 60)
    raw = (
        f"body={quote_from_bytes(body)}&name={quote_from_bytes(name)}"
        f"&email=pat%40example.org&timestamp={token}"
    )

    response = Client().generic(
        "POST",
        reverse("comments:post", args=[story.pk]),
        raw.encode(),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code < 500


@FAST
@given(
    body=st.text(max_size=200),  # lone surrogates included: the form drops them
    name=st.text(max_size=120),
)
def test_the_form_and_service_never_fail_on_any_text(story, body, name):
    data = {
        "body": body,
        "name": name,
        "email": "pat@example.org",
        "timestamp": form_token(story.pk, now=time.time() - 60),
    }
    form = CommentForm(data, article=story)
    if not form.is_valid():
        return
    submission = form.submission()
    assert not any(
        "\ud800" <= ch <= "\udfff" for ch in submission.body + submission.name
    )
    with contextlib.suppress(services.CommentRefused):
        services.comment_submit(article=story, submission=submission)


query_key = st.one_of(st.sampled_from(["page", "cpage", "q", "replytocom"]), any_text)
query_value = st.one_of(
    any_text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "0", "1", "2", "last", "1e9", "NaN", "１"]),
)


@FAST
@given(params=st.dictionaries(query_key, query_value, max_size=5))
def test_any_story_page_query_never_gives_a_5xx(story, params):
    response = Client().get(story.get_absolute_url(), params)

    assert response.status_code < 500


@FAST
@given(raw=any_bytes)
def test_any_raw_query_string_bytes_never_give_a_5xx(story, raw):
    query = "&".join(
        f"{key}={quote_from_bytes(raw)}" for key in ("page", "cpage", "replytocom", "q")
    )

    response = Client().get(story.get_absolute_url(), QUERY_STRING=query)

    assert response.status_code < 500
