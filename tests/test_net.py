import pytest

from newsroom.net import client_ip


def test_without_proxies_the_connection_address_is_the_reader(rf, settings):
    settings.NUM_PROXIES = 0
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_ip(request) == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.9", "198.51.100.9"),
        # A client-sent X-Forwarded-For is kept on the left; our proxy appends the real address.
        (1, "6.6.6.6, 198.51.100.9", "198.51.100.9"),
        (2, "6.6.6.6, 198.51.100.9, 10.0.0.2", "198.51.100.9"),
    ],
)
def test_behind_proxies_the_address_comes_from_the_right_of_forwarded_for(
    rf, settings, proxies, forwarded, expected
):
    settings.NUM_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_too_short_forwarded_for_falls_back_to_the_connection(rf, settings):
    settings.NUM_PROXIES = 2
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert client_ip(request) == "10.0.0.1"


def test_no_address_at_all_is_none(rf, settings):
    settings.NUM_PROXIES = 0
    request = rf.get("/", REMOTE_ADDR="")

    assert client_ip(request) is None


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("unknown", None),
        ("203.0.113.7:51234", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("<script>", None),
    ],
)
def test_values_that_are_not_ip_addresses_count_as_none(
    rf, settings, forwarded, expected
):
    settings.NUM_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
