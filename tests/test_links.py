from newsroom.links import absolute_url


def test_absolute_url_keeps_absolute_urls_and_uses_site_url(settings):
    settings.SITE_URL = "https://example.org"

    assert absolute_url("/a/b/") == "https://example.org/a/b/"
    assert absolute_url("https://cdn.example/x.jpg") == "https://cdn.example/x.jpg"
    assert absolute_url("//cdn.example/x.jpg") == "https://cdn.example/x.jpg"
