"""The app's escape is html.escape's, without the html module's tables."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from klen_desktop import markup


@given(st.text(), st.booleans())
def test_escape_matches_the_standard_library(text: str, quote: bool) -> None:
    assert markup.escape(text, quote=quote) == html.escape(text, quote=quote)


def test_escape_of_a_hostile_title() -> None:
    title = """<img src=x onerror="alert('1')"> & <b>"""
    assert markup.escape(title) == "&lt;img src=x onerror=&quot;alert(&#x27;1&#x27;)&quot;&gt; &amp; &lt;b&gt;"
    assert markup.escape(title, quote=False) == """&lt;img src=x onerror="alert('1')"&gt; &amp; &lt;b&gt;"""
