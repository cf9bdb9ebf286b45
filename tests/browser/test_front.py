"""The newspaper front in Chromium: the home page's structure on a phone and a desktop, no layout
shift, the phone-sized ad, the share links' "Copy link", accessibility in light and dark.

Screenshots of the home page and a story at 375 and 1280 px (light, and 375 px dark) are saved
by ``test_screenshots_of_home_and_a_story`` to test-artifacts/screenshots/front-*.png
(git-ignored), from the demo paper.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import AdSlot, Article
from articles.views import HOME_PER_PAGE
from tests.browser.conftest import screenshot, set_viewport
from tests.browser.test_reading import _blocking_violations, _horizontal_overflow
from tests.factories import (
    image_file,
    make_ad,
    make_article,
    make_author,
    make_comment,
    make_section,
)

pytestmark = pytest.mark.browser

PICTURED = {0, 1, 3, 4, 5, 6, 9}


def _paper():
    """A paper with a full first page: a featured lead, pictured stories, three sections, ads."""
    sections = [
        make_section(name=name, slug=name.lower())
        for name in ("News", "Sport", "Culture")
    ]
    author = make_author(
        name="Priya Ramaswamy",
        bio="Chief reporter: courts, the hospital and housing.",
        photo=image_file("priya.jpg", size=(240, 240), color=(90, 120, 160)),
    )
    now = timezone.now()
    stories = [
        make_article(
            headline=f'Story {i}: the council\'s "plan" for the riverside, part {i}',
            section=sections[i % 3],
            author=author,
            published_at=now - timedelta(hours=i + 1),
            image=image_file(f"s{i}.jpg", color=(40 + 15 * i, 90, 140))
            if i in PICTURED
            else None,
            is_featured=i == 3,
            body="\n\n".join(f"Paragraph {n} of the story." for n in range(6)),
        )
        for i in range(HOME_PER_PAGE + 4)
    ]
    for _ in range(3):
        make_comment(article=stories[3])
    make_ad(
        placement=AdSlot.Placement.HOME,
        image=image_file("banner.png", size=(970, 150), fmt="PNG"),
        small_image=image_file("phone.png", size=(320, 100), fmt="PNG"),
        alt_text="Kestrel Buses: route 7 is back",
    )
    make_ad(
        placement=AdSlot.Placement.SIDEBAR,
        image=image_file("box.png", size=(300, 250), fmt="PNG"),
    )
    make_ad(after_paragraph=2)
    return stories


def _boxes(page, selector):
    return page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y + scrollY, bottom: r.bottom + scrollY, right: r.right}; })"
    )


def _load_everything(page):
    """Scroll to the end and back so lazy pictures load, then wait until every one has."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "[...document.images].every(img => img.complete && img.naturalWidth > 0)"
    )
    page.evaluate("window.scrollTo(0, 0)")


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_front_page_structure(page, width):
    stories = _paper()
    lead = stories[3]
    set_viewport(page, width)

    page.goto("/")
    _load_everything(page)

    assert _horizontal_overflow(page) <= 0, f"the home page scrolls sideways at {width}"
    # The lead's picture comes first: the first picture in the main column, above every headline.
    first_image = page.locator("main img").first
    expect(first_image).to_have_attribute("alt", lead.image_alt)
    picture = _boxes(page, ".lead-story__media")[0]
    headlines = _boxes(page, "main h2 a, main h3 a")
    assert all(picture["y"] <= box["y"] for box in headlines)
    # Two to four secondary stories, each with its picture.
    secondary = page.locator(".front__secondary > li")
    assert 2 <= secondary.count() <= 4
    assert page.locator(".front__secondary img").count() == secondary.count()
    # Every section block shows a picture on its first story.
    blocks = page.locator(".section-block")
    assert blocks.count() == 3
    for i in range(3):
        expect(blocks.nth(i).locator(".tile").first.locator("img")).to_have_count(1)
    # "Older stories" closes the latest list, below everything else in the main column.
    older = page.get_by_role("link", name="Older stories →")
    expect(older).to_be_visible()
    older_box = _boxes(page, ".latest .pagination")[0]
    others = _boxes(page, "main article, main .section-block, main .ad")
    assert all(box["bottom"] <= older_box["y"] for box in others)
    if width == 1280:
        # A front, not a column: the lead's text beside its picture, the secondary stories in
        # one row, and the sidebar running the length of the page beside them.
        text = _boxes(page, ".lead-story__text")[0]
        assert text["x"] >= picture["right"]
        rows = {round(box["y"]) for box in _boxes(page, ".front__secondary > li")}
        assert len(rows) == 1
        main, sidebar = _boxes(page, "main")[0], _boxes(page, ".sidebar")[0]
        assert sidebar["x"] >= main["right"]
        assert sidebar["bottom"] >= main["bottom"] - 1
    else:
        # One column: the sidebar comes after the whole of the front.
        assert _boxes(page, ".sidebar")[0]["y"] >= older_box["y"]


def _layout_shift(page):
    """The page's cumulative layout shift so far (Lighthouse's CLS, without the session windows)."""
    return page.evaluate(
        """() => new Promise(resolve => {
            let total = 0;
            new PerformanceObserver(list => {
                for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
            }).observe({type: "layout-shift", buffered: true});
            setTimeout(() => resolve(total), 300);
        })"""
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_nothing_moves_while_the_front_page_and_a_story_load(page, width):
    stories = _paper()
    set_viewport(page, width)

    shifts = {}
    for name, url in {"home": "/", "story": stories[3].get_absolute_url()}.items():
        page.goto(url)
        _load_everything(page)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        shifts[name] = _layout_shift(page)

    assert shifts == {"home": 0, "story": 0}


def test_the_home_ad_serves_the_phone_image_on_a_phone_and_the_banner_on_a_desktop(
    new_page,
):
    _paper()
    chosen = {}
    for width in (375, 1280):
        page = new_page(width=width)
        page.goto("/")
        ad = page.locator(".ad--home img")
        ad.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=ad.element_handle()
        )
        chosen[width] = ad.evaluate(
            "img => ({src: img.currentSrc, natural: img.naturalWidth,"
            " width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height})"
        )

    phone, desktop = chosen[375], chosen[1280]
    assert "/ads/phone" in phone["src"] and phone["natural"] == 320
    assert "/ads/banner" in desktop["src"] and desktop["natural"] == 970
    # The phone image is shown at its own size, not a banner squeezed to a third.
    assert (phone["width"], phone["height"]) == (320, 100)


def test_copy_link_copies_the_story_address(new_page, live_server):
    stories = _paper()
    page = new_page(width=375)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    page.goto(stories[3].get_absolute_url())

    page.get_by_role("button", name="Copy link").click()

    expect(page.locator(".share__copied")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(stories[3].get_absolute_url())
    expect(page.get_by_role("link", name="Share by email")).to_have_attribute(
        "href",
        f"mailto:?subject=Story%203%3A%20the%20council%E2%80%99s%20%E2%80%9Cplan%E2%80%9D%20for%20the%20riverside%2C%20part%203&body={copied.replace(':', '%3A').replace('/', '%2F')}",
    )


def test_without_javascript_there_is_no_copy_button(
    chromium, live_server, transactional_db
):
    stories = _paper()
    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(stories[3].get_absolute_url())
        expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
        expect(page.get_by_role("link", name="Share on Bluesky")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_front_and_story_have_no_serious_accessibility_violations(
    new_page, color_scheme, width
):
    stories = _paper()
    page = new_page(color_scheme=color_scheme, width=width)

    found = {}
    for name, url in {"home": "/", "story": stories[3].get_absolute_url()}.items():
        page.goto(url)
        page.wait_for_load_state("load")
        if violations := _blocking_violations(page):
            found[name] = violations

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(
        f"  {name}: {line}" for name, lines in found.items() for line in lines
    )


def test_screenshots_of_home_and_a_story(new_page, settings):
    """The demo paper (seed_demo) as readers see it, saved for people to look at."""
    settings.SITE_NAME = "The Eastbrook Gazette"
    call_command("seed_demo", stdout=StringIO())
    story = Article.objects.get(is_featured=True)
    saved = []
    for width, scheme in (
        (375, "light"),
        (1280, "light"),
        (375, "dark"),
        (1280, "dark"),
    ):
        page = new_page(color_scheme=scheme, width=width)
        for name, url in {"home": "/", "story": story.get_absolute_url()}.items():
            page.goto(url)
            _load_everything(page)
            assert _horizontal_overflow(page) <= 0, (name, width, scheme)
            suffix = "" if scheme == "light" else "-dark"
            saved.append(screenshot(page, f"front-{name}-{width}{suffix}"))

    assert all(path.stat().st_size > 10_000 for path in saved)
