"""The one rule for links the app opens: a table of the cases people hit, and fuzzing that it never raises."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klen_desktop.links import MAX_LINK_LENGTH, is_web_link, web_link

EXAMPLES = int(os.environ.get("KLEN_FUZZ_EXAMPLES", "300"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://meet.example.com/abc-defg-hij", "https://meet.example.com/abc-defg-hij"),
        ("  http://zoom.example/j/1?pwd=x#frag  ", "http://zoom.example/j/1?pwd=x#frag"),
        ("HTTPS://Example.COM:8443/x", "HTTPS://Example.COM:8443/x"),
        ("https://[2001:db8::1]/room", "https://[2001:db8::1]/room"),
        ("https://192.0.2.7:8080/", "https://192.0.2.7:8080/"),
        ("https://bücher.example/raum", "https://bücher.example/raum"),
        ("https://meet.example.com./x", "https://meet.example.com./x"),
    ],
)
def test_web_links_are_offered_as_written(url: str, expected: str) -> None:
    assert web_link(url) == expected
    assert is_web_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://[x",  # once raised ValueError while the tray built its menu, emptying it
        "http://[x]/",
        "https://[::1",
        "https://[1.2.3.4]/",
        "https://user:pass@meet.example.com/",
        "https://bank.example@evil.example/",
        "https://@meet.example.com/",
        "https://meet.example.com:99999/",
        "https://meet.example.com:0/",
        "https://meet.example.com:port/",
        "https://meet example.com/",
        "https://meet.example.com/a b",
        "https://meet.example.com/\nfile:///etc/passwd",
        "https://meet.example.com/\x00",
        "https://meet.example.com/\u202eexe.txt",  # right-to-left override makes the link read as another
        "https://meet\u200b.example.com/",  # zero-width space
        "https://meet.example.com/a\u3000b",  # ideographic space
        "https://a..b/",
        "https://" + "a" * 64 + ".example/",  # a DNS label of more than 63 characters
        "https://meet.example.com/" + "x" * MAX_LINK_LENGTH,
        "https://",
        "https:///path",
        "//meet.example.com/x",
        "meet.example.com/x",
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<b>x</b>",
        "ftp://files.example/",
        "mailto:someone@example.com",
        "https://meet.example.com\\@evil.example/",
        "https://meet.exa%6dple.com/",
        "",
        "   ",
    ],
)
def test_links_that_could_mislead_or_break_are_refused(url: str) -> None:
    assert web_link(url) is None
    assert not is_web_link(url)


@pytest.mark.parametrize("value", [None, 42, b"https://meet.example.com/", ["https://meet.example.com/"], object()])
def test_values_that_are_not_text_are_refused(value: object) -> None:
    assert web_link(value) is None


_URLISH = st.builds(
    lambda scheme, sep, host, rest: scheme + sep + host + rest,
    st.sampled_from(["http", "https", "HTTP", "javascript", "file", "", "h"]),
    st.sampled_from(["://", ":", "//", ":///", "://[", "://user:pw@"]),
    st.text(max_size=40),
    st.text(max_size=40),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), _URLISH))
def test_the_rule_is_total_and_what_it_accepts_is_a_plain_web_address(url: str) -> None:
    result = web_link(url)  # must never raise, whatever the text
    if result is None:
        return
    assert result == url.strip()
    parts = urlsplit(result)
    assert parts.scheme.lower() in ("http", "https")
    assert parts.hostname
    assert "@" not in parts.netloc
    assert not any(ch.isspace() for ch in result)
    assert len(result) <= MAX_LINK_LENGTH
