"""Standing pages (About, Contact, Privacy, Comment guidelines, Terms) and the paper's details:
what readers see, what Editors may change in the admin and Moderators may not, and the footer."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Publication, StandingPage
from articles.services import publication_save, standing_page_save
from comments.groups import MODERATORS_GROUP
from newsroom.pagecache import content_version
from tests.pages import forget_page

pytestmark = pytest.mark.django_db

HOSTILE = (
    "Hello <script>alert('x')</script> and <img src=x onerror=alert(1)>\n\n"
    '[click](javascript:alert(1)) <a href="#" onclick="steal()">me</a> '
    '<iframe src="https://evil.example"></iframe> <p style="color:red">styled</p>'
)


def make_page(slug="about", **fields):
    fields = {"title": f"Page {slug}", "body": "Some text.", **fields}
    return standing_page_save(page=StandingPage(slug=slug, **fields))


def make_publication(**fields):
    fields = {
        "address": "3 Wend Quay\nEastbrook\nEB2 7LN",
        "news_desk_email": "newsdesk@example.org",
        **fields,
    }
    return publication_save(publication=Publication(**fields))


def _staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(
        username, f"{username}@example.org", "not-a-real-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(_staff(django_user_model, "editor", "Editors"))
    return client


@pytest.fixture
def moderator_client(client, django_user_model):
    client.force_login(_staff(django_user_model, "moderator", MODERATORS_GROUP))
    return client


def _footer(response):
    html = response.content.decode()
    return html[html.index('<footer class="site-footer">') :]


# --- Reading ------------------------------------------------------------------------------


def test_a_written_page_shows_its_title_text_date_and_metadata(client, settings):
    page = make_page(
        "privacy",
        title="Privacy notice",
        summary="What we store when you comment.",
        body="## When you comment\n\nWe keep your **name**.",
    )

    response = client.get("/privacy/")

    assert response.status_code == 200
    assertContains(response, "<h1>Privacy notice</h1>", html=True)
    assertContains(response, "<h2>When you comment</h2>", html=True)
    assertContains(response, "<strong>name</strong>", html=True)
    assertContains(response, "Last updated")
    assertContains(response, f'datetime="{page.updated_at.date().isoformat()}"')
    assertContains(response, "<title>Privacy notice — ")
    assertContains(
        response,
        '<meta name="description" content="What we store when you comment.">',
    )
    assertContains(response, f'rel="canonical" href="{settings.SITE_URL}/privacy/"')


def test_an_unwritten_page_is_not_found_and_other_root_addresses_are_not_pages(client):
    make_page("about")

    assert client.get("/terms/").status_code == 404
    assert client.get("/contact/").status_code == 404
    assert client.get("/imprint/").status_code == 404


def test_hostile_markdown_is_sanitised_when_saved(client):
    page = make_page("terms", body=HOSTILE)

    html = client.get("/terms/").content.decode()
    body = html[html.index('class="standing-page__body"') :]
    body = body[: body.index("</article>")]

    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "style="):
        assert bad not in body, bad
        assert bad not in page.body_html, bad
    assert "styled" in body  # the words stay, the markup goes


def test_contact_page_shows_the_news_desk_from_the_paper_details(client):
    make_publication(phone="01632 960 123")
    make_page("contact", title="Contact", body="Write to us.")

    response = client.get("/contact/")

    assertContains(
        response,
        '<a href="mailto:newsdesk@example.org">newsdesk@example.org</a>',
        html=True,
    )
    assertContains(response, "3 Wend Quay<br>Eastbrook<br>EB2 7LN")
    assertContains(response, "01632 960 123")
    assertContains(response, "Write to us.")
    assertNotContains(
        response, "<form method"
    )  # no contact form; the search form is get


def test_other_pages_do_not_show_the_news_desk_card(client):
    make_publication()
    make_page("about")

    assertNotContains(client.get("/about/"), "contact-card")


def test_the_page_is_served_from_the_page_cache_and_a_save_makes_it_fresh(client):
    page = make_page("about", body="First version.")
    client.get("/about/")
    assert client.get("/about/")["X-Page-Cache"] == "hit"

    page.body = "Second version."
    with TestCase.captureOnCommitCallbacks(execute=True):
        standing_page_save(page=page)

    response = client.get("/about/")
    assert response["X-Page-Cache"] != "hit"
    assertContains(response, "Second version.")


def test_a_standing_page_costs_one_query_once_the_furniture_is_cached(
    client, django_assert_num_queries
):
    make_publication()
    make_page("contact", title="Contact")
    client.get("/contact/")  # navigation, Trending, ads, paper details now cached
    forget_page("/contact/")

    with django_assert_num_queries(1):  # the page itself
        response = client.get("/contact/")

    assertContains(response, "newsdesk@example.org")


# --- The footer ----------------------------------------------------------------------------


def test_footer_links_only_the_pages_that_are_written_and_the_feeds(client):
    make_page("about", title="About us")
    make_page("privacy", title="Privacy notice")

    footer = _footer(client.get("/"))

    links = re.findall(r'<a href="(/[^"]*)"', footer)
    assert "/about/" in links and "/privacy/" in links
    for unwritten in ("/contact/", "/terms/", "/comment-guidelines/"):
        assert unwritten not in links
    assert "/feed/" in links and "/feed/atom/" in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_footer_shows_the_paper_name_address_and_copyright(client, settings):
    make_publication(tagline="News for the valley")

    footer = _footer(client.get("/"))

    assert settings.SITE_NAME in footer
    assert "News for the valley" in footer
    assert "3 Wend Quay<br>Eastbrook<br>EB2 7LN" in footer
    assert re.search(r"© 20\d\d " + re.escape(settings.SITE_NAME), footer)


def test_footer_follows_a_new_page_and_a_changed_address_at_once(client):
    make_publication(address="Old Street 1")
    client.get("/")

    with TestCase.captureOnCommitCallbacks(execute=True):
        make_page("terms", title="Terms of use")
        publication = Publication.objects.get()
        publication.address = "New Road 2"
        publication_save(publication=publication)

    footer = _footer(client.get("/"))
    assert "/terms/" in footer
    assert "New Road 2" in footer and "Old Street 1" not in footer


def test_publication_current_costs_one_query_cold_and_none_warm(
    django_assert_num_queries,
):
    make_publication(tagline="Valley news")
    make_page("about", title="About us")
    make_page("terms", title="Terms of use")

    with django_assert_num_queries(1):
        cold = Publication.current()
    with django_assert_num_queries(0):
        warm = Publication.current()

    for paper in (cold, warm):
        assert paper.tagline == "Valley news"
        assert paper.pages == [("about", "About us"), ("terms", "Terms of use")]


def test_publication_current_without_a_row_is_empty_but_lists_pages(
    django_assert_num_queries,
):
    make_page("contact", title="Contact")

    with django_assert_num_queries(2):  # no row to carry the pages: asked for apart
        paper = Publication.current()

    assert paper.pk is None and paper.address_lines == []
    assert paper.pages == [("contact", "Contact")]


# --- The admin: Editors may, Moderators may not --------------------------------------------


def _page_form(**fields):
    return {
        "slug": "about",
        "title": "About us",
        "summary": "Who we are.",
        "body": "We report on **Eastbrook**.",
        **fields,
    }


def test_editor_adds_a_page_in_the_admin_and_readers_see_it(editor_client, client):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_standingpage_add"), _page_form()
        )

    assert response.status_code == 302
    page = StandingPage.objects.get()
    assert page.body_html == "<p>We report on <strong>Eastbrook</strong>.</p>"
    assert "/about/" in _footer(editor_client.get("/"))


def test_editor_changes_a_page_and_the_cached_pages_are_made_stale(editor_client):
    page = make_page("about", title="About us", body="Old text.")
    version = content_version()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_standingpage_change", args=[page.pk]),
            {"title": "About the paper", "summary": "", "body": "New text."},
        )

    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.title, page.body_html) == ("About the paper", "<p>New text.</p>")
    assert page.slug == "about"  # the address is fixed once written
    assert content_version() != version


def test_editor_cannot_write_a_second_page_of_one_kind(editor_client):
    make_page("about")

    response = editor_client.post(
        reverse("admin:articles_standingpage_add"), _page_form()
    )

    assert response.status_code == 200
    assertContains(response, "Standing page with this Page already exists.")


def test_editor_deletes_a_page_and_the_footer_drops_its_link(editor_client):
    page = make_page("terms")
    assert "/terms/" in _footer(editor_client.get("/"))

    with TestCase.captureOnCommitCallbacks(execute=True):
        editor_client.post(
            reverse("admin:articles_standingpage_delete", args=[page.pk]),
            {"post": "yes"},
        )

    assert not StandingPage.objects.exists()
    assert "/terms/" not in _footer(editor_client.get("/"))


def test_editor_adds_the_paper_details_once_and_cannot_delete_them(editor_client):
    add = reverse("admin:articles_publication_add")
    form = {
        "tagline": "Valley news",
        "address": "3 Wend Quay\r\nEastbrook",
        "news_desk_email": "desk@example.org",
        "phone": "",
    }

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert editor_client.post(add, form).status_code == 302

    publication = Publication.objects.get()
    assert Publication.current().news_desk_email == "desk@example.org"
    assert editor_client.get(add).status_code == 403  # one row only
    delete = reverse("admin:articles_publication_delete", args=[publication.pk])
    assert editor_client.get(delete).status_code == 403
    changelist = editor_client.get(reverse("admin:articles_publication_changelist"))
    assert changelist.status_code == 302
    assert changelist["Location"] == reverse(
        "admin:articles_publication_change", args=[publication.pk]
    )


def test_editor_changes_the_paper_details_and_the_footer_follows(editor_client):
    publication = make_publication()
    editor_client.get("/")

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_publication_change", args=[publication.pk]),
            {
                "tagline": "",
                "address": "9 Mill Lane\r\nEastbrook",
                "news_desk_email": "tips@example.org",
                "phone": "",
            },
        )

    assert response.status_code == 302
    assert "9 Mill Lane<br>Eastbrook" in _footer(editor_client.get("/"))


def test_paper_details_refuse_a_bad_email_next_to_the_field(editor_client):
    response = editor_client.post(
        reverse("admin:articles_publication_add"),
        {"tagline": "", "address": "", "news_desk_email": "not an email", "phone": ""},
    )

    assert response.status_code == 200
    assertContains(response, "Enter a valid email address.")
    assert not Publication.objects.exists()


def test_editor_sees_both_on_the_admin_index(editor_client):
    response = editor_client.get(reverse("admin:index"))

    assertContains(response, reverse("admin:articles_standingpage_changelist"))
    assertContains(response, reverse("admin:articles_publication_changelist"))


@pytest.mark.parametrize(
    "name", ["changelist", "add", "change", "delete"], ids=lambda name: name
)
@pytest.mark.parametrize("model", ["standingpage", "publication"])
def test_moderator_can_neither_see_nor_change_pages_or_paper_details(
    moderator_client, model, name
):
    row = make_page("about") if model == "standingpage" else make_publication()
    args = [row.pk] if name in ("change", "delete") else []
    url = reverse(f"admin:articles_{model}_{name}", args=args)

    assert moderator_client.get(url).status_code == 403
    assert (
        moderator_client.post(url, {"title": "Hacked", "post": "yes"}).status_code
        == 403
    )
    row.refresh_from_db()
    assert getattr(row, "title", "") != "Hacked"


def test_moderator_admin_index_does_not_offer_them(moderator_client):
    response = moderator_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assertNotContains(response, reverse("admin:articles_standingpage_changelist"))
    assertNotContains(response, reverse("admin:articles_publication_changelist"))


# --- For crawlers ----------------------------------------------------------------------------


def test_the_pages_sitemap_lists_home_and_only_the_written_pages(client, settings):
    make_page("terms")
    make_page("about")

    response = client.get(reverse("discovery:sitemap-section", args=["pages"]))

    locations = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    assert locations == [
        f"{settings.SITE_URL}/",
        f"{settings.SITE_URL}/about/",
        f"{settings.SITE_URL}/terms/",
    ]
