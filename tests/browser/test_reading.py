"""A reader in Chromium: finding a story, reading it on a phone, with a keyboard, with a screen reader."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import AdSlot
from tests.browser.conftest import screenshot, set_viewport
from tests.factories import image_file, make_ad, make_article, make_section

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}

BODY = "\n\n".join(
    [
        "Councillors voted late on Tuesday to keep the Riverside branch library open "
        "for another five years, after a petition gathered more than four thousand names.",
        "The branch had been listed for closure in the spring budget review.",
        "Opening hours will be cut on Mondays, but the children's reading club stays.",
        "Residents can read the full decision on the council website at "
        "https://council.example.org/meetings/2026/riverside-branch-library-decision-notice-and-appendices.",
        "A further review is due once the new housing on the old dairy site is finished.",
    ]
)


def _newsroom():
    """A small paper: two sections, a lead story with a picture, ads in every placement."""
    news = make_section(name="Local news", slug="local-news")
    sport = make_section(name="Sport", slug="sport")
    lead = make_article(
        headline="Riverside library saved after record-breaking petition",
        slug="riverside-library-saved",
        section=news,
        body=BODY,
        image=image_file("library.jpg"),
        image_alt="Readers queueing outside the Riverside library",
        image_caption="The branch on its reopening day.",
        image_credit="Newsroom staff",
        is_featured=True,
    )
    make_article(headline="Bus timetable changes from Monday", section=news)
    make_article(headline="United stay top after late equaliser", section=sport)
    make_ad(placement=AdSlot.Placement.ARTICLE, after_paragraph=2)
    make_ad(placement=AdSlot.Placement.SIDEBAR)
    make_ad(placement=AdSlot.Placement.HOME)
    return news, lead


def _pages(news, lead):
    return {
        "home": "/",
        "article": lead.get_absolute_url(),
        "section": news.get_absolute_url(),
    }


def test_reader_follows_a_headline_from_the_home_page_to_the_story(page):
    _news, lead = _newsroom()

    page.goto("/")
    page.get_by_role("link", name=lead.headline).first.click()

    expect(page).to_have_url(re.compile(re.escape(lead.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_have_text(lead.headline)
    expect(page.get_by_text("Published on")).to_be_visible()
    expect(page.locator(".story__body")).to_contain_text(
        "Councillors voted late on Tuesday to keep the Riverside branch library open"
    )
    expect(page.locator(".story__image img")).to_have_attribute(
        "alt", "Readers queueing outside the Riverside library"
    )
    natural_width = page.locator(".story__image img").evaluate(
        "img => img.naturalWidth"
    )
    assert natural_width > 0, "the lead picture did not load"


def _horizontal_overflow(page):
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth"
    )


def test_pages_fit_a_phone_screen_without_sideways_scrolling(page):
    news, lead = _newsroom()
    urls = _pages(news, lead)

    overflow = {}
    for width in (375, 1280):
        set_viewport(page, width)
        for name, url in urls.items():
            page.goto(url)
            page.wait_for_load_state("load")
            overflow[f"{name}@{width}"] = _horizontal_overflow(page)
            if name in {"home", "article"}:
                screenshot(page, f"{name}-{width}")
    set_viewport(page, 320)
    page.goto(urls["article"])
    overflow["article@320"] = _horizontal_overflow(page)
    screenshot(page, "article-320")

    too_wide = {key: px for key, px in overflow.items() if px > 0}
    assert not too_wide, f"pages scroll sideways by (CSS px): {too_wide}"


def _blocking_violations(page):
    """Serious and critical axe-core violations on the current page, as readable lines."""
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_reading_pages_have_no_serious_accessibility_violations(new_page, color_scheme):
    news, lead = _newsroom()
    page = new_page(color_scheme=color_scheme)

    found = {}
    for name, url in _pages(news, lead).items():
        page.goto(url)
        page.wait_for_load_state("load")
        if violations := _blocking_violations(page):
            found[name] = violations

    assert page.evaluate(
        "() => matchMedia('(prefers-color-scheme: dark)').matches"
    ) == (color_scheme == "dark")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(
        f"  {name}: {line}" for name, lines in found.items() for line in lines
    )


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(page):
    _news, lead = _newsroom()
    page.goto(lead.get_absolute_url())

    page.keyboard.press("Tab")
    skip_link = page.locator(":focus")
    expect(skip_link).to_have_text("Skip to content")
    box = skip_link.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link is off screen"

    page.keyboard.press("Enter")

    expect(page.locator(":focus")).to_have_id("main")
    page.keyboard.press("Tab")
    in_main = page.evaluate(
        "() => document.getElementById('main').contains(document.activeElement)"
    )
    assert in_main, "the next Tab after the skip link left the main content"
