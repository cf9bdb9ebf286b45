"""The standing pages and the footer in Chromium, with the demo paper's own texts."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Publication, StandingPage
from articles.services import publication_save, standing_page_save
from demo import data
from tests.browser.conftest import screenshot, set_viewport
from tests.factories import make_article

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


def _demo_paper(skip=()):
    """The demo paper's details and standing pages (demo/content/pages.toml), saved as editors do."""
    content = data.load()
    publication_save(
        publication=Publication(
            **{**content.publication, "address": content.publication["address"].strip()}
        )
    )
    for spec in content.pages:
        if spec["slug"] not in skip:
            standing_page_save(page=StandingPage(**spec))
    make_article(headline="Wend Bridge to close overnight for repairs")
    return content


def _blocking_violations(page):
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_standing_pages_have_no_serious_accessibility_violations(
    new_page, color_scheme
):
    content = _demo_paper()
    page = new_page(color_scheme=color_scheme)

    found = {}
    for spec in content.pages:
        page.goto(f"/{spec['slug']}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(spec["title"])
        if violations := _blocking_violations(page):
            found[spec["slug"]] = violations

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(
        f"  {name}: {line}" for name, lines in found.items() for line in lines
    )


def test_standing_pages_and_footer_fit_small_screens(page):
    _demo_paper()

    overflow = {}
    for width in (320, 375, 1280):
        set_viewport(page, width)
        for slug in ("privacy", "contact"):
            page.goto(f"/{slug}/")
            overflow[f"{slug}@{width}"] = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            if width in (375, 1280):
                screenshot(page, f"page-{slug}-{width}")

    too_wide = {key: px for key, px in overflow.items() if px > 0}
    assert not too_wide, f"pages scroll sideways by (CSS px): {too_wide}"


def test_reader_finds_the_news_desk_from_the_footer(page):
    _demo_paper(skip={"terms"})
    page.goto("/")

    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("3 Wend Quay")
    pages_nav = footer.get_by_role("navigation", name="About the paper")
    expect(pages_nav.get_by_role("link")).to_have_text(
        ["About us", "Contact", "Privacy notice", "Comment guidelines"]
    )  # Terms is not written: not linked
    expect(footer.get_by_role("link", name="RSS feed")).to_have_attribute(
        "href", "/feed/"
    )

    pages_nav.get_by_role("link", name="Contact").click()

    expect(page).to_have_url(f"{page.url.split('/contact/')[0]}/contact/")
    card = page.get_by_role("region", name="The news desk")
    expect(card.get_by_role("link", name="newsdesk@example.org")).to_have_attribute(
        "href", "mailto:newsdesk@example.org"
    )
    expect(card).to_contain_text("EB2 7LN")
    expect(page.get_by_text("Last updated")).to_be_visible()
