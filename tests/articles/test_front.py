"""The newspaper front (issue 13): masthead, home page arrangement, story furniture, typography,
phone-sized ads. What a reader sees in the HTML; the layout itself is checked in the browser
(tests/browser/test_front.py)."""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles import front
from articles.markup import render_markdown
from articles.models import Publication
from articles.services import publication_save
from articles.share import share_links
from articles.typography import curly
from articles.views import HOME_PER_PAGE
from discovery.schedule import next_date_change
from newsroom import pagecache
from tests.factories import (
    image_file,
    make_ad,
    make_article,
    make_author,
    make_comment,
    make_section,
)

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(\"x\")</script> & 'quoted' <img src=x onerror=alert(1)>"


# --- Typography -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ('"Hello," she said', "“Hello,” she said"),
        ("O'Neill's 'quote'", "O’Neill’s ‘quote’"),
        ("the '90s and '60s", "the ’90s and ’60s"),
        ("2010--2020, wait---no", "2010–2020, wait—no"),
        ("Wait for it...", "Wait for it…"),
        ('x < y and "z" > w', "x < y and “z” > w"),
        ("AT&T &lt;b&gt;", "AT&T &lt;b&gt;"),
        ("", ""),
    ],
)
def test_curly_makes_quotes_curly_and_leaves_the_text_plain(typed, shown):
    assert curly(typed) == shown


def test_bodies_get_curly_quotes_but_code_and_markup_stay_as_written():
    body = render_markdown(
        '"It\'s done," she said -- at last... `print("x")`\n\n' + HOSTILE
    )

    assert "“It’s done,” she said – at last…" in body
    assert '<code>print("x")</code>' in body
    assert "<script" not in body and "onerror" not in body
    assert "&amp;" in body and "&lt;" not in body.split("</code>")[1].split("&amp;")[0]
    assert "&rsquo;" not in body  # characters, not named entities, after nh3


def test_headlines_are_curly_on_every_page_and_hostile_ones_stay_text(client):
    section = make_section()
    article = make_article(
        headline='Council\'s "final" offer', standfirst=HOSTILE, section=section
    )
    pages = [
        reverse("articles:home"),
        article.get_absolute_url(),
        section.get_absolute_url(),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "Council’s “final” offer" in page, url
        assert "<script>alert" not in page and "<img src=x" not in page, url
    story = client.get(article.get_absolute_url()).content.decode()
    assert "<title>Council’s “final” offer — " in story
    assert "&lt;script&gt;alert(“x”)&lt;/script&gt; &amp; ‘quoted’" in story


# --- The front page --------------------------------------------------------------------------


def _stories(n, *, pictures=(), **fields):
    """``n`` stories, newest first; those at the indexes in ``pictures`` have a lead image."""
    now = timezone.now()
    return [
        make_article(
            published_at=now - timedelta(minutes=i + 1),
            image=image_file() if i in pictures else None,
            **fields,
        )
        for i in range(n)
    ]


def test_the_front_leads_with_the_featured_story_then_pictured_secondary_stories():
    stories = _stories(12, pictures={2, 3, 5, 8, 9})
    featured = stories[6]

    page = front.arrange(stories, featured)

    assert page.lead == featured
    assert page.secondary == [stories[i] for i in (2, 3, 5, 8)]
    assert page.tertiary == [stories[i] for i in (0, 1, 4, 7, 9, 10)]
    assert page.latest == [stories[11]]
    shown = [page.lead, *page.secondary, *page.tertiary, *page.latest]
    assert sorted(s.pk for s in shown) == sorted(s.pk for s in stories)


def test_without_a_featured_story_the_newest_picture_leads():
    stories = _stories(5, pictures={1, 3})

    page = front.arrange(stories)

    assert page.lead == stories[1]
    # Only one more picture: the newest other story fills the second secondary place.
    assert page.secondary == [stories[0], stories[3]]


def test_a_paper_without_pictures_still_gets_a_lead_and_two_secondary_stories():
    stories = _stories(4)

    page = front.arrange(stories)

    assert page.lead == stories[0]
    assert page.secondary == stories[1:3]
    assert page.tertiary == stories[3:]


def test_section_blocks_show_a_pictured_story_first():
    stories = _stories(3, pictures={2})

    assert front.picture_first(stories) == [stories[2], stories[0], stories[1]]
    assert front.picture_first(stories[:2]) == stories[:2]


def test_home_page_one_is_a_front_with_older_stories_at_the_bottom(client):
    section = make_section(name="Weather", slug="weather")
    stories = _stories(HOME_PER_PAGE + 3, pictures={0, 1, 2, 3}, section=section)

    response = client.get(reverse("articles:home"))
    page = response.content.decode()

    main = page[page.index('<main id="main"') : page.index("</main>")]
    lead, secondary = main.index("lead-story"), main.index("front__secondary")
    headlines, block = (
        main.index("front__headlines"),
        main.index('id="section-weather"'),
    )
    latest, older = main.index('id="latest-title"'), main.index('rel="next"')
    assert lead < secondary < headlines < block < latest < older
    # The pagination is the last thing in the page's main column.
    assert main[main.index("</nav>", older) + len("</nav>") :].split() == ["</section>"]
    assert "Older stories →" in main
    assert response.context["lead"] == stories[0]
    assert main.count(f">{stories[0].headline}</a>") == 2  # the lead; the Weather block
    assert 'width="' in main[lead:secondary] and 'height="' in main[lead:secondary]


def test_home_page_two_is_a_plain_list_that_starts_where_page_one_stopped(client):
    stories = _stories(HOME_PER_PAGE + 3, pictures={0})

    page = client.get(reverse("articles:home") + "?page=2").content.decode()

    assert "lead-story" not in page and "section-block" not in page
    assert "← Newer stories" in page
    shown = re.findall(r'class="card__title"><a href="([^"]+)"', page)
    assert shown == [s.get_absolute_url() for s in stories[HOME_PER_PAGE:]]


# --- The masthead ----------------------------------------------------------------------------


@override_settings(TIME_ZONE="Pacific/Kiritimati", SITE_NAME="The Eastbrook Gazette")
def test_masthead_shows_the_name_and_todays_date_in_the_sites_time_zone(client):
    page = client.get(reverse("articles:home")).content.decode()

    today = timezone.localdate()  # UTC+14: often a day ahead of UTC
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert (
        f'<time datetime="{today:%Y-%m-%d}"><span class="masthead__weekday">{today:%A} </span>'
        f"{today.day} {today:%B %Y}</time>" in header
    )
    assert '<a class="brand" href="/">The Eastbrook Gazette</a>' in header
    assert 'aria-label="Sections"' in header


def test_an_uploaded_logo_replaces_the_wordmark_on_the_next_request(
    client, django_capture_on_commit_callbacks, settings
):
    url = reverse("articles:home")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    # As the admin saves it (articles.services: the cached copy goes, pages change).
    with django_capture_on_commit_callbacks(execute=True):
        publication_save(
            publication=Publication(
                logo=image_file("logo.png", size=(600, 100), fmt="PNG"),
                tagline="Eastbrook's paper since 1887",
            )
        )
    response = client.get(url)

    assert response["X-Page-Cache"] == "miss"
    header = response.content.decode().split("</header>")[0]
    assert re.search(
        rf'<img src="/media/masthead/logo[^"]*\.png" width="600" height="100" alt="{settings.SITE_NAME}">',
        header,
    )
    assert "Eastbrook’s paper since 1887" in header


def test_the_masthead_costs_no_query_once_the_cache_is_warm(
    client, django_assert_num_queries
):
    Publication.objects.create(tagline="Local news")
    client.get(reverse("discovery:search"))  # warms navigation and the paper's details
    with django_assert_num_queries(0):
        client.get(reverse("discovery:search"))


def test_the_page_cache_starts_afresh_at_local_midnight(client):
    client.get(reverse("articles:home"))

    version, due = cache.get(pagecache.SCHEDULE_KEY)
    midnight = next_date_change()

    assert due is not None and due <= midnight.timestamp()
    local = timezone.localtime(midnight)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert local.date() == timezone.localdate() + timedelta(days=1)
    assert midnight > timezone.now()


# --- Story pages -----------------------------------------------------------------------------


def test_story_byline_has_the_count_and_a_jump_to_the_comments(client):
    article = make_article()
    make_comment(article=article)
    make_comment(article=article)

    page = client.get(article.get_absolute_url()).content.decode()

    byline = page[page.index('class="byline-block') : page.index('class="story__body"')]
    assert "2 comments" in byline
    assert '<a href="#comments">Jump to comments</a>' in byline
    assert 'id="comments"' in page


def test_story_and_author_page_show_the_authors_photo_and_bio(client):
    author = make_author(
        name="Grace Oyelaran",
        bio="Sport reporter who's seen every home game.",
        photo=image_file("grace.jpg", size=(300, 300)),
    )
    article = make_article(author=author)

    story = client.get(article.get_absolute_url()).content.decode()
    profile = client.get(author.get_absolute_url()).content.decode()

    assert story.count(author.photo.url) == 2  # the byline and the author box
    assert 'width="48" height="48"' in story and 'width="80" height="80"' in story
    assert "Sport reporter who’s seen every home game." in story
    assert author.photo.url in profile and "who’s seen" in profile


def test_a_story_without_an_author_photo_or_bio_has_no_empty_author_box(client):
    article = make_article(author=make_author(bio=""))

    assertNotContains(client.get(article.get_absolute_url()), "author-box")


def test_share_links_are_plain_escaped_links_to_each_service():
    links = {
        link.name: link
        for link in share_links("/2026/12/01/a-b/", 'Fish & chips: "the best"')
    }

    assert set(links) == {"Email", "Bluesky", "X", "Facebook", "LinkedIn", "WhatsApp"}
    assert links["Email"].href == (
        "mailto:?subject=Fish%20%26%20chips%3A%20%22the%20best%22"
        "&body=http%3A%2F%2F127.0.0.1%3A8000%2F2026%2F12%2F01%2Fa-b%2F"
    )
    assert not links["Email"].opens_page
    assert links["Facebook"].href == (
        "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2F127.0.0.1%3A8000%2F2026%2F12%2F01%2Fa-b%2F"
    )
    assert all(
        link.href.startswith("https://") for n, link in links.items() if n != "Email"
    )


def test_story_page_share_block_needs_no_outside_script(client):
    article = make_article(headline='Mayor\'s "<b>" & plan')

    page = client.get(article.get_absolute_url()).content.decode()

    share = page[
        page.index('class="share"') : page.index("</ul>", page.index('class="share"'))
    ]
    assert "<script" not in share
    assert 'aria-label="Share on Bluesky"' in share
    assert "Mayor’s “&lt;b&gt;” &amp;" not in share  # in the URL-encoded text only
    assert "Mayor%E2%80%99s" in html.unescape(share)
    assert '<li class="share__copy" hidden>' in share
    assert (
        f'data-copy-link="http://127.0.0.1:8000{article.get_absolute_url()}"' in share
    )


# --- Ads -------------------------------------------------------------------------------------


def test_an_ad_with_a_small_image_serves_it_to_phones_with_its_own_size(client):
    make_ad(
        placement="home",
        image=image_file("wide.png", size=(970, 150), fmt="PNG"),
        small_image=image_file("small.png", size=(320, 100), fmt="PNG"),
    )

    page = client.get(reverse("articles:home")).content.decode()

    assert re.search(
        r'<picture><source media="\(max-width: 40em\)" srcset="/media/ads/small[^"]*\.png"'
        r' width="320" height="100"><img src="/media/ads/wide[^"]*\.png" width="970" height="150"',
        page,
    )


def test_an_ad_without_a_small_image_has_one_image_for_every_screen(client):
    make_ad(placement="home")

    page = client.get(reverse("articles:home")).content.decode()

    assert "<picture><img " in page and "<source media" not in page


# --- Admin -----------------------------------------------------------------------------------


def test_editors_upload_the_small_ad_image_and_see_both_sizes(admin_client):
    slot = make_ad(small_image=image_file("s.png", size=(320, 100), fmt="PNG"))

    form = admin_client.get(reverse("admin:articles_adslot_change", args=[slot.pk]))
    listing = admin_client.get(reverse("admin:articles_adslot_changelist"))

    assertContains(form, 'name="small_image"')
    assertContains(listing, "728\u00a0×\u00a0180")
    assertContains(listing, "320\u00a0×\u00a0100")
    assertContains(listing, "css/admin-lists.css")


def test_the_paper_has_one_set_of_details(admin_client):
    add = reverse("admin:articles_publication_add")
    assert admin_client.get(add).status_code == 200

    Publication.objects.create(tagline="Local news")

    assert admin_client.get(add).status_code == 403


def test_comment_excerpts_in_the_admin_end_on_a_whole_word(admin_client):
    make_comment(body="Flooding " * 30 + "defences")

    listing = admin_client.get(reverse("admin:comments_comment_changelist"))

    assertContains(listing, "Flooding Flooding…")
    assertNotContains(listing, "Floo…")


def test_next_date_change_is_midnight_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    midnight = next_date_change()
    local = midnight.astimezone(timezone.get_current_timezone())

    assert isinstance(midnight, datetime) and timezone.is_aware(midnight)
    assert (local.hour, local.minute) == (0, 0)
    assert timedelta(0) < midnight - timezone.now() <= timedelta(days=1)
