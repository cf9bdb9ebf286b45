import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from articles.models import Article
from newsroom.views import server_error
from tests.factories import (
    comment_form_data,
    image_file,
    make_ad,
    make_article,
    make_author,
    make_comment,
    make_section,
)

# How templates write <time datetime>: whole seconds, as the HTML spec allows.
MACHINE_TIME = r"Y-m-d\TH:i:sO"

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_article_page_shows_the_story(client):
    article = make_article(
        headline="Bridge reopens", body="The bridge reopened.\n\nTraffic flowed."
    )

    response = client.get(article.get_absolute_url())

    assertContains(response, '<h1 id="story-title">Bridge reopens</h1>', html=False)
    assertContains(response, "Published on <time datetime=")
    assertContains(response, "<p>The bridge reopened.</p>", html=True)
    assertContains(response, article.section.get_absolute_url())
    assertContains(response, article.author.get_absolute_url())
    assertContains(response, 'id="respond"')


def test_article_url_has_zero_padded_local_date():
    article = make_article(
        slug="storm", published_at=timezone.now().replace(month=3, day=4, hour=12)
    )

    assert article.get_absolute_url() == f"/{article.published_at.year}/03/04/storm/"


def test_wrong_date_in_url_is_404(client):
    article = make_article(published_at=timezone.now() - timedelta(days=3))
    local = timezone.localtime(article.published_at) - timedelta(days=1)

    url = reverse(
        "articles:detail", args=[local.year, local.month, local.day, article.slug]
    )

    assert client.get(url).status_code == 404
    assert client.get(f"/2024/13/45/{article.slug}/").status_code == 404


def test_two_stories_at_one_address_show_the_newest_never_a_500(client):
    # unique_for_date is checked by forms only; a bulk update or import can bypass it.
    now = timezone.now()
    make_article(
        slug="same", headline="Older twin", published_at=now - timedelta(minutes=2)
    )
    make_article(
        slug="same", headline="Newer twin", published_at=now - timedelta(minutes=1)
    )
    local = timezone.localtime(now - timedelta(minutes=1))
    url = reverse("articles:detail", args=[local.year, local.month, local.day, "same"])

    response = client.get(url)

    assert response.status_code == 200
    assertContains(response, "Newer twin")
    assertNotContains(response, "Older twin")


@pytest.mark.parametrize(
    "fields",
    [
        {
            "status": Article.Status.DRAFT,
            "published_at": timezone.now() - timedelta(hours=1),
        },
        {"published_at": timezone.now() + timedelta(days=2)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_story_is_404_for_readers_and_a_marked_preview_for_staff(
    client, admin_client, fields
):
    article = make_article(**fields)

    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(reverse("articles:preview", args=[article.pk])).status_code == 404
    response = admin_client.get(article.get_absolute_url())
    assertContains(response, "Draft preview")
    assertContains(
        admin_client.get(reverse("articles:preview", args=[article.pk])),
        "Draft preview",
    )


def test_published_story_is_not_marked_as_preview_for_staff(admin_client):
    article = make_article()

    assertNotContains(admin_client.get(article.get_absolute_url()), "Draft preview")


def test_preview_banner_comes_from_the_personal_templates(admin_client):
    # Staff-only markup lives in templates/personal/, where a page cache can find it.
    scheduled = make_article(published_at=timezone.now() + timedelta(days=2))
    draft = make_article(status=Article.Status.DRAFT, published_at=None)

    response = admin_client.get(reverse("articles:preview", args=[scheduled.pk]))

    assertTemplateUsed(response, "personal/_preview_banner.html")
    assertContains(response, "Readers cannot see this story until it is published on")
    assertContains(
        admin_client.get(reverse("articles:preview", args=[draft.pk])),
        "Readers cannot see this story: it is a draft.",
    )
    for name in ("articles/article_detail.html", "base.html"):
        assert "preview-banner" not in (TEMPLATES / name).read_text()


def test_toggling_featured_or_comments_does_not_show_updated(client):
    # The old test set updated_at by hand to simulate an edit; updated_at moves on every save,
    # so "Updated" now follows revised_at, which only text and picture changes set.
    article = make_article(published_at=timezone.now() - timedelta(days=1))

    article.is_featured = True
    article.comments_open = False
    article.save()

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, "Updated")


def test_editing_the_body_after_publication_shows_updated(client):
    article = make_article(published_at=timezone.now() - timedelta(days=1))

    article.body += "\n\nCorrection: the bridge reopens on Friday."
    article.save()

    article.refresh_from_db()
    assertContains(
        client.get(article.get_absolute_url()),
        f' · Updated <time datetime="{dateformat.format(timezone.localtime(article.revised_at), MACHINE_TIME)}">',
    )


def test_lead_image_is_served_with_srcset_sizes_and_dimensions(client):
    article = make_article(
        image=image_file(),
        image_alt="Boats on the river",
        image_caption="Low tide",
        image_credit="Jo Bloggs",
    )

    response = client.get(article.get_absolute_url())

    assertContains(response, 'type="image/webp"')
    assertContains(response, "480w")
    assertContains(response, 'sizes="')
    assertContains(response, 'width="1200" height="675"')
    assertContains(response, 'alt="Boats on the river"')
    assertContains(response, "Jo Bloggs")


def test_in_article_ad_sits_after_its_paragraph_and_is_labelled(client):
    article = make_article(body="One.\n\nTwo.\n\nThree.")
    ad = make_ad(after_paragraph=2, link="https://example.org/shop")

    html = client.get(article.get_absolute_url()).content.decode()

    assert (
        html.index("<p>Two.</p>")
        < html.index("Advertisement")
        < html.index("<p>Three.</p>")
    )
    assert 'rel="sponsored noopener"' in html
    assert f'width="{ad.image_width}" height="{ad.image_height}"' in html


def test_no_ad_markup_when_no_slot_is_live(client):
    make_ad(is_active=False)
    article = make_article()

    assertNotContains(client.get(article.get_absolute_url()), "Advertisement")


def test_ad_after_a_missing_paragraph_is_left_out(client):
    article = make_article(body="Only one paragraph.")
    make_ad(after_paragraph=4)

    assertNotContains(client.get(article.get_absolute_url()), "Advertisement")


def test_home_shows_featured_lead_latest_and_section_blocks(client):
    sport = make_section(name="Sport")
    lead = make_article(
        headline="Featured story",
        is_featured=True,
        published_at=timezone.now() - timedelta(days=2),
    )
    newest = make_article(headline="Newest story", section=sport)

    response = client.get(reverse("articles:home"))

    assert response.context["lead"] == lead
    assert newest in response.context["front"].secondary
    assertContains(response, "Featured story")
    assertContains(response, 'id="section-' + sport.slug + '"')


def test_home_hides_drafts_and_scheduled(client):
    make_article(
        headline="Secret draft", status=Article.Status.DRAFT, published_at=None
    )
    make_article(
        headline="Future story", published_at=timezone.now() + timedelta(hours=2)
    )

    response = client.get(reverse("articles:home"))

    assertNotContains(response, "Secret draft")
    assertNotContains(response, "Future story")


def test_section_page_lists_only_its_stories_and_paginates(client):
    section, other = make_section(), make_section()
    for _ in range(13):
        make_article(section=section)
    make_article(section=other, headline="Elsewhere")

    first = client.get(section.get_absolute_url())
    second = client.get(section.get_absolute_url() + "?page=2")

    assert len(first.context["page_obj"].object_list) == 12
    assert len(second.context["page_obj"].object_list) == 1
    assertNotContains(first, "Elsewhere")
    assert client.get(section.get_absolute_url() + "?page=3").status_code == 404
    assert client.get(section.get_absolute_url() + "?page=abc").status_code == 404


def test_author_page_lists_their_stories(client):
    author = make_author(name="Ada Reporter", bio="Covers the council.")
    make_article(author=author, headline="Council sets budget")

    response = client.get(author.get_absolute_url())

    assertContains(response, "Ada Reporter")
    assertContains(response, "Covers the council.")
    assertContains(response, "Council sets budget")


def test_unknown_section_is_a_branded_404(client):
    response = client.get(reverse("articles:section", args=["nope"]))

    assert response.status_code == 404
    assertContains(response, "We couldn’t find that page", status_code=404)


def test_no_page_references_another_host(client):
    article = make_article(image=image_file())
    make_ad(placement="sidebar")
    pages = [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.section.get_absolute_url(),
    ]

    for url in pages:
        html = client.get(url).content.decode()
        for marker in (
            'src="http',
            'href="//',
            'src="//',
            "@import",
            "fonts.googleapis",
        ):
            assert marker not in html, (url, marker)


# CSP-ready (docs/architecture.md): the strict policy forbids inline code and styles. JSON-LD blocks are
# data, not code, so they are the one kind of <script> without src= that may appear.
TAG = re.compile(r"<[a-zA-Z][^>]*>")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def csp_violations(html: str) -> list[str]:
    """Everything in ``html`` that a strict Content-Security-Policy would block."""
    found = [
        tag
        for tag in SCRIPT_TAG.findall(html)
        if not re.search(r"\ssrc\s*=", tag) and 'type="application/ld+json"' not in tag
    ]
    for tag in TAG.findall(html):
        if HANDLER_ATTR.search(tag) or STYLE_ATTR.search(tag):
            found.append(tag)
    return found + STYLE_ELEMENT.findall(html)


def test_csp_violations_finds_what_it_should():
    assert csp_violations('<script type="application/ld+json">{}</script>') == []
    assert csp_violations('<script src="/s.js" defer></script>') == []
    assert csp_violations("<p>Click on = here; style = plain</p>") == []
    for bad in (
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        '<img src="a.png" onerror="x()">',
        '<a href="#"\nonclick = "x()">',
        '<p style="color: red">',
        "<style>p {}</style>",
    ):
        assert csp_violations(bad), bad


def test_no_inline_script_style_or_handlers(client, admin_client, rf):
    """Every page type, and every template, is free of inline code and styles (feeds are XML)."""
    section, author = make_section(), make_author(bio="Covers the harbour.")
    article = make_article(
        headline="Harbour wall repaired",
        section=section,
        author=author,
        image=image_file(),
        body="One.\n\nTwo.\n\nThree.",
    )
    hostile = '<img src=x onerror="alert(1)"> <style>p{}</style> <b style="x">'
    reply_to = make_comment(article=article, body="First! " + hostile)
    make_comment(article=article, parent=reply_to, body="A reply " + hostile)
    make_ad(after_paragraph=2)
    make_ad(placement="sidebar")
    make_ad(placement="home")
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    csrf_client = Client(enforce_csrf_checks=True)
    pages = {
        "home": (client.get(reverse("articles:home")), 200),
        "article": (client.get(article.get_absolute_url()), 200),
        "section": (client.get(section.get_absolute_url()), 200),
        "author": (client.get(author.get_absolute_url()), 200),
        "search": (client.get(reverse("discovery:search"), {"q": "harbour"}), 200),
        "search box": (client.get(reverse("discovery:search")), 200),
        "404": (client.get("/no-such-page/"), 404),
        "staff preview": (
            admin_client.get(reverse("articles:preview", args=[draft.pk])),
            200,
        ),
        "403 csrf": (
            csrf_client.post(
                reverse("comments:post", args=[article.pk]),
                comment_form_data(article, body=hostile),
            ),
            403,
        ),
        "500": (server_error(rf.get("/")), 500),
    }

    for name, (response, status) in pages.items():
        assert response.status_code == status, name
        html = response.content.decode()
        assert "</html>" in html, name
        assert csp_violations(html) == [], name
    assert "Harbour wall repaired" in pages["search"][0].content.decode()
    assert "Advertisement" in pages["article"][0].content.decode()
    assert "First! " in pages["article"][0].content.decode()

    templates = [
        path
        for path in TEMPLATES.rglob("*")
        if path.is_file() and path.suffix in {".html", ".xml", ".txt"}
    ]
    assert len(templates) > 20
    for path in templates:
        assert csp_violations(path.read_text()) == [], path


def test_pages_answer_head_requests_for_uptime_monitors(client):
    article = make_article()

    for url in (
        reverse("articles:home"),
        article.get_absolute_url(),
        reverse("healthz"),
    ):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""
