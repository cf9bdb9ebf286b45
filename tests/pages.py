"""Test helpers for the page cache (newsroom/pagecache.py)."""

from django.test import RequestFactory

from newsroom import pagecache


def forget_page(url: str) -> None:
    """Drop the stored copy of ``url`` (as the test client asks for it), so it is rendered again."""
    pagecache.forget_page(RequestFactory().get(url).META)
