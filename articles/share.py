"""Share links for a story: plain addresses of each service's own share page, no script of theirs.

Built here, on the server, from the story's canonical address (``SITE_URL``) and its headline;
the template escapes them like any other attribute. Nothing is loaded from these services until
a reader follows a link, so a page makes no outside request (DESIGN.md).
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from newsroom.links import absolute_url


@dataclass(frozen=True)
class ShareLink:
    name: str  # the service, as readers know it
    label: str  # the link's accessible name
    href: str

    @property
    def opens_page(self) -> bool:
        """A web page (opened in a new tab), not the reader's mail program."""
        return self.href.startswith("https://")


def share_links(path: str, title: str) -> list[ShareLink]:
    """Links that share the story at ``path`` (from ``get_absolute_url()``) titled ``title``."""
    url = absolute_url(path)
    text = f"{title} {url}"

    def link(name, href):
        return ShareLink(name=name, label=f"Share on {name}", href=href)

    return [
        # Mail programs read %20, not "+", as a space: quote, not quote_plus.
        ShareLink(
            name="Email",
            label="Share by email",
            href="mailto:?"
            + urlencode({"subject": title, "body": url}, quote_via=quote),
        ),
        link("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text})),
        link(
            "X",
            "https://x.com/intent/post?" + urlencode({"text": title, "url": url}),
        ),
        link(
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        link(
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?"
            + urlencode({"url": url}),
        ),
        link("WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
    ]
