"""Caption text: hashtags, mentions and the escaped, linkified caption."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString

from videos.text import (
    HASHTAG_MAX_LENGTH,
    MAX_HASHTAGS,
    extract_hashtags,
    extract_mentions,
    linkify_caption,
)

NFD_CAFE = "cafe\u0301"  # "café" typed as e + combining acute
NFC_CAFE = "caf\u00e9"


class Markup(HTMLParser):
    """Collects the elements and text of a fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def parse(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser


# --- hashtags -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (None, []),
        ("no tags here", []),
        ("#fyp", ["fyp"]),
        ("dance #Dance #dance #DANCE #fun", ["Dance", "fun"]),
        ("#b #a #b #c", ["b", "a", "c"]),
        ("#Über #über #ÜBER", ["Über"]),
        (f"#{NFC_CAFE} #{NFD_CAFE} #CAFÉ", [NFC_CAFE]),
        (f"#{NFD_CAFE}", [NFC_CAFE]),
        ("#日本語 #ไทย #Москва #москва", ["日本語", "ไทย", "Москва"]),
        ("#नमस्ते", ["नमस्ते"]),  # vowel signs are combining marks
        ("#1 #2024 #42_", []),
        ("#1st #2024goals #v2", ["1st", "2024goals", "v2"]),
        ("#my_tag #_under", ["my_tag", "_under"]),
        ("#fun! #wow, (#yes) #end.", ["fun", "wow", "yes", "end"]),
        ("a#b email#tag ##double &#39; #", []),
        ("line\n#next\t#tab", ["next", "tab"]),
        ("#tag-with-dash", ["tag"]),
        ("#ok#second", ["ok"]),
        ("<b>#bold</b>", ["bold"]),
    ],
)
def test_extract_hashtags(text, expected):
    assert extract_hashtags(text) == expected


def test_hashtag_length_limit():
    exact = "a" * HASHTAG_MAX_LENGTH
    assert extract_hashtags(f"#{exact}") == [exact]
    # Too long is no hashtag at all, rather than a shorter, different one.
    assert extract_hashtags(f"#{exact}b #short") == ["short"]


def test_hashtag_count_limit():
    text = " ".join(f"#tag{i}" for i in range(MAX_HASHTAGS + 10))
    tags = extract_hashtags(text)
    assert len(tags) == MAX_HASHTAGS
    assert tags == [f"tag{i}" for i in range(MAX_HASHTAGS)]
    # Duplicates do not use up the allowance.
    assert len(extract_hashtags("#same #SAME " + text)) == MAX_HASHTAGS


# --- mentions -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (None, []),
        ("hi @bob", ["bob"]),
        ("@bob @Bob @BOB @alice", ["bob", "alice"]),
        ("thanks @bob.", ["bob"]),
        ("thanks @bob...", ["bob"]),
        ("@user.name and @under_score", ["user.name", "under_score"]),
        ("mail me@example.com", []),
        ("@a is too short", []),
        ("@" + "x" * 24, ["x" * 24]),
        ("@" + "x" * 25, []),  # not a mention of its first 24 characters
        ("@john.smith_the_greatest_of_all_time", []),
        ("@bobé", []),
        ("@@bob", []),
        ("(@bob) @carol, @dave!", ["bob", "carol", "dave"]),
    ],
)
def test_extract_mentions(text, expected):
    assert extract_mentions(text) == expected


# --- linkify ------------------------------------------------------------------------------------
def test_linkify_returns_safe_links():
    html = linkify_caption("Hello #Dance with @bob.")
    assert isinstance(html, SafeString)
    assert html == (
        'Hello <a class="tag" href="/tag/dance/">#Dance</a> with '
        '<a class="mention" href="/@bob/">@bob</a>.'
    )


def test_linkify_unicode_tag_url_is_lowercased_and_encoded():
    html = linkify_caption("#Über")
    assert html == '<a class="tag" href="/tag/%C3%BCber/">#Über</a>'
    html = linkify_caption(f"#{NFD_CAFE}")
    assert html == f'<a class="tag" href="/tag/caf%C3%A9/">#{NFC_CAFE}</a>'


def test_linkify_leaves_non_tags_as_text():
    assert linkify_caption("#1 and #2024 a#b me@example.com @x") == (
        "#1 and #2024 a#b me@example.com @x"
    )
    long = "@" + "y" * 30
    assert linkify_caption(long) == long
    assert linkify_caption("") == ""
    assert linkify_caption(None) == ""


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "'><svg onload=alert(1)>",
        "javascript:alert(document.cookie)",
        '<a href="javascript:alert(1)">click</a>',
        '#tag"onmouseover=alert(1)',
        "@bob'onmouseover='alert(1)",
        "&lt;script&gt; already escaped",
        "#<script>",
        "<iframe src=//evil.example>",
    ],
)
def test_linkify_escapes_everything_but_its_own_links(payload):
    caption = f"{payload} #safe @carol {payload}"
    html = linkify_caption(caption)
    markup = parse(html)
    # The only elements are our links, and their only attributes are class and href.
    assert {tag for tag, _ in markup.tags} == {"a"}, markup.tags
    for _, attrs in markup.tags:
        assert set(attrs) == {"class", "href"}
        assert attrs["class"] in {"tag", "mention"}
        assert attrs["href"].startswith(("/tag/", "/@"))
        assert "javascript" not in attrs["href"].lower()
    assert {"href": "/tag/safe/", "class": "tag"} in [a for _, a in markup.tags]
    assert {"href": "/@carol/", "class": "mention"} in [a for _, a in markup.tags]
    # Reading the HTML back gives the caption exactly: nothing lost, nothing interpreted.
    assert markup.text == caption
    assert "<script" not in html
    assert "<img" not in html and "<svg" not in html and "<iframe" not in html


def test_linkify_escapes_quotes_and_ampersands():
    html = linkify_caption("Tom & \"Jerry\" <3 'quotes'")
    assert html == "Tom &amp; &quot;Jerry&quot; &lt;3 &#x27;quotes&#x27;"


def test_linkify_matches_extract():
    caption = f"#One #one #two @me @Me #{NFD_CAFE} #3"
    markup = parse(linkify_caption(caption))
    tags = [a["href"] for _, a in markup.tags if a["class"] == "tag"]
    mentions = [a["href"] for _, a in markup.tags if a["class"] == "mention"]
    assert len(tags) == 4  # every occurrence is linked
    assert {h.split("/")[2] for h in tags} == {"one", "two", "caf%C3%A9"}
    assert {t.lower() for t in extract_hashtags(caption)} == {"one", "two", NFC_CAFE}
    assert mentions == ["/@me/", "/@Me/"]
    assert extract_mentions(caption) == ["me"]
