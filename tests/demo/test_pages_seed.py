"""The demo paper's details and standing pages: demo/content/pages.toml, checked and seeded."""

import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase

from articles.models import Publication, StandingPage
from articles.services import standing_page_save
from demo import data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_RENDITION_WIDTHS = [240]


def seed():
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_writes_all_five_kinds_of_page():
    content = data.load()

    assert tuple(StandingPage.Kind.values) == data.PAGE_KINDS
    assert sorted(p["slug"] for p in content.pages) == sorted(data.PAGE_KINDS)
    assert content.publication["news_desk_email"].endswith("@example.org")


def test_the_privacy_notice_says_what_is_stored_for_how_long_and_how_to_ask():
    privacy = next(p for p in data.load().pages if p["slug"] == "privacy")["body"]

    for stored in ("name", "email address", "website", "IP address", "browser"):
        assert stored in privacy, stored
    # The retention the production schedule applies (docs/deploy.md: --days 90).
    assert "90 days" in privacy
    assert "a copy" in privacy and "erasure" in privacy
    assert "/contact/" in privacy  # where the request goes: the news desk


def test_seed_demo_writes_the_pages_and_details_and_readers_see_them(client):
    output = seed()

    assert "Standing pages: 5 created" in output
    assert "Paper details: 1 created" in output
    assert StandingPage.objects.count() == 5
    publication = Publication.objects.get()
    assert publication.address_lines == ["3 Wend Quay", "Eastbrook", "EB2 7LN"]
    contact = client.get("/contact/")
    assert contact.status_code == 200
    assert "newsdesk@example.org" in contact.content.decode()
    footer = client.get("/").content.decode().split('<footer class="site-footer">')[1]
    for slug in data.PAGE_KINDS:
        assert f'href="/{slug}/"' in footer


def test_seed_demo_never_overwrites_an_editors_page_or_details():
    standing_page_save(
        page=StandingPage(slug="about", title="Our own", body="Written by us.")
    )
    Publication.objects.create(address="Our office", news_desk_email="us@example.org")

    output = seed()
    again = seed()

    assert "Standing pages: 4 created, 1 already there" in output
    assert "Standing pages: 0 created, 5 already there" in again
    assert StandingPage.objects.get(slug="about").title == "Our own"
    assert Publication.objects.get().address == "Our office"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'slug = "terms"',
            'slug = "imprint"',
            "page 5 (imprint): slug is one of about",
        ),
        ('title = "Contact"\n', "", "page 2 (contact): missing field 'title'"),
        ("[publication]", "[paper]", "pages.toml: no [publication] table"),
        (
            'news_desk_email = "newsdesk@example.org"',
            "news_desk_email = 3",
            "pages.toml: publication: field 'news_desk_email' should be text",
        ),
    ],
)
def test_a_mistake_in_pages_toml_is_named(tmp_path, old, new, message):
    directory = tmp_path / "content"
    shutil.copytree(data.CONTENT_DIR, directory)
    path = directory / "pages.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))

    with pytest.raises(data.DemoDataError) as error:
        data.load(directory)

    assert message in str(error.value)
