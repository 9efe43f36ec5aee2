"""Per-platform link rules (pure) and links_set (all or nothing)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from social.links import link_normalise
from social.models import ExternalLink
from social.services import links_set


def refusal(platform: str, url: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        link_normalise(platform=platform, url=url)
    return caught.value


@pytest.mark.parametrize(
    ("platform", "url", "expected"),
    [
        ("youtube", "https://youtube.com/@maker", "https://youtube.com/@maker"),
        ("youtube", "https://www.youtube.com/@maker", "https://www.youtube.com/@maker"),
        ("youtube", "https://m.youtube.com/c/maker", "https://m.youtube.com/c/maker"),
        ("youtube", "https://youtu.be/dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ"),
        ("instagram", "https://www.instagram.com/maker/", "https://www.instagram.com/maker/"),
        ("instagram", "https://instagram.com/maker", "https://instagram.com/maker"),
        ("x", "https://x.com/maker", "https://x.com/maker"),
        ("x", "https://twitter.com/maker", "https://twitter.com/maker"),
        ("x", "https://www.twitter.com/maker", "https://www.twitter.com/maker"),
        ("twitch", "https://twitch.tv/maker", "https://twitch.tv/maker"),
        ("twitch", "https://www.twitch.tv/maker", "https://www.twitch.tv/maker"),
        ("tiktok", "https://tiktok.com/@maker", "https://tiktok.com/@maker"),
        ("tiktok", "https://www.tiktok.com/@maker", "https://www.tiktok.com/@maker"),
        # Normalised: scheme and host lower-cased, surrounding spaces, trailing dot and
        # fragment dropped, query kept.
        ("youtube", "  HTTPS://WWW.YouTube.COM/@Maker  ", "https://www.youtube.com/@Maker"),
        ("youtube", "https://youtube.com./@maker", "https://youtube.com/@maker"),
        ("youtube", "https://youtube.com/watch?v=abc#t=10", "https://youtube.com/watch?v=abc"),
        ("website", "https://example.org", "https://example.org"),
        ("website", "https://blog.example.co.uk/about?x=1", "https://blog.example.co.uk/about?x=1"),
        ("website", "https://example.org:8443/me", "https://example.org:8443/me"),
        ("website", "https://[2001:db8::1]/me", "https://[2001:db8::1]/me"),
    ],
)
def test_accepted_links_are_normalised(platform, url, expected):
    assert link_normalise(platform=platform, url=url) == expected


@pytest.mark.parametrize("platform", ["youtube", "instagram", "x", "twitch", "tiktok", "website"])
@pytest.mark.parametrize(
    "url",
    [
        "http://youtube.com/@maker",
        "http://example.org/me",
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)//https://youtube.com/@x",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://example.org/file",
        "//youtube.com/@maker",
        "youtube.com/@maker",
    ],
)
def test_anything_but_https_is_refused(platform, url):
    error = refusal(platform, url)

    assert error.code in {"scheme", "invalid"}
    assert error.messages[0] in {
        "Links must start with https://",
        "That is not a valid web address.",
    }


def test_scheme_refusal_says_https():
    error = refusal("youtube", "http://youtube.com/@maker")

    assert error.code == "scheme"
    assert error.messages == ["Links must start with https://"]


@pytest.mark.parametrize(
    ("platform", "url", "message"),
    [
        ("youtube", "https://www.instagram.com/maker", "YouTube links must be on youtube.com."),
        (
            "youtube",
            "https://youtube.com.evil.example/@maker",
            "YouTube links must be on youtube.com.",
        ),
        ("youtube", "https://evil.example/youtube.com", "YouTube links must be on youtube.com."),
        (
            "youtube",
            "https://evil.example/?u=https://youtube.com/@m",
            "YouTube links must be on youtube.com.",
        ),
        ("youtube", "https://notyoutube.com/@maker", "YouTube links must be on youtube.com."),
        ("youtube", "https://youtube.co/@maker", "YouTube links must be on youtube.com."),
        (
            "instagram",
            "https://instagram.com.evil.example/m",
            "Instagram links must be on instagram.com.",
        ),
        ("instagram", "https://youtube.com/@maker", "Instagram links must be on instagram.com."),
        ("x", "https://x.com.evil.example/m", "X links must be on x.com."),
        ("x", "https://evil-x.com/m", "X links must be on x.com."),
        ("twitch", "https://twitch.tv.evil.example/m", "Twitch links must be on twitch.tv."),
        ("tiktok", "https://evil.example/tiktok.com/@m", "TikTok links must be on tiktok.com."),
        ("tiktok", "https://vm.tiktok.com.evil.example/x", "TikTok links must be on tiktok.com."),
    ],
)
def test_wrong_host_for_the_platform_is_refused(platform, url, message):
    error = refusal(platform, url)

    assert error.code == "host"
    assert error.messages == [message]


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("youtube", "https://youtube.com@evil.example/"),
        ("youtube", "https://youtube.com@evil.example/@maker"),
        ("youtube", "https://user:pass@youtube.com/@maker"),
        ("website", "https://trusted.example@evil.example/"),
        ("website", "https://a:b@example.org/"),
    ],
)
def test_userinfo_is_refused(platform, url):
    error = refusal(platform, url)

    assert error.code == "userinfo"
    assert error.messages == ["Links cannot contain a user name or password."]


@pytest.mark.parametrize(
    ("platform", "url", "name"),
    [
        ("youtube", "https://youtube.com", "YouTube"),
        ("youtube", "https://www.youtube.com/", "YouTube"),
        ("youtube", "https://youtube.com/?feature=share", "YouTube"),
        ("instagram", "https://www.instagram.com/", "Instagram"),
        ("x", "https://x.com//", "X"),
        ("twitch", "https://twitch.tv", "Twitch"),
        ("tiktok", "https://www.tiktok.com/", "TikTok"),
    ],
)
def test_platform_home_page_without_a_path_is_refused(platform, url, name):
    error = refusal(platform, url)

    assert error.code == "path"
    assert error.messages == [f"Link to your profile, not the {name} home page."]


@pytest.mark.parametrize(
    "url",
    [
        "https://[abc/x",  # urlsplit raises ValueError: "Invalid IPv6 URL"
        "https://example.org:99999/",  # .port raises ValueError: out of range
        "https://exa mple.org/",
        "https://example.org/a b",
        "https://",
        "https:///path-only",
        "https://-bad-.example/",
    ],
)
def test_malformed_urls_are_refused_with_a_message_not_an_exception(url):
    error = refusal("website", url)

    assert error.code == "invalid"
    assert error.messages == ["That is not a valid web address."]


def test_too_long_empty_and_unknown_platform():
    assert refusal("website", "https://example.org/" + "a" * 281).code == "too_long"
    assert link_normalise(platform="website", url="https://example.org/" + "a" * 280)
    assert refusal("website", "   ").code == "required"
    assert refusal("myspace", "https://myspace.com/me").code == "platform"


# --- links_set ------------------------------------------------------------------------------


def links_of(user) -> dict[str, str]:
    return dict(ExternalLink.objects.filter(user=user).values_list("platform", "url"))


def test_links_set_saves_normalised_links_in_platform_order(user):
    result = links_set(
        user=user,
        links={
            "website": "https://Example.org/me",
            "youtube": " https://youtube.com/@me ",
            "x": "",
        },
    )

    assert [(link.platform, link.url) for link in result] == [
        ("youtube", "https://youtube.com/@me"),
        ("website", "https://example.org/me"),
    ]
    assert links_of(user) == {
        "youtube": "https://youtube.com/@me",
        "website": "https://example.org/me",
    }
    assert [link.platform for link in user.links.all()] == ["youtube", "website"]


def test_one_bad_link_changes_nothing(user, user_factory):
    links_set(
        user=user,
        links={"youtube": "https://youtube.com/@me", "twitch": "https://twitch.tv/me"},
    )
    other = user_factory()
    links_set(user=other, links={"x": "https://x.com/other"})
    before = links_of(user)

    with pytest.raises(ValidationError) as caught:
        links_set(
            user=user,
            links={
                "youtube": "https://youtube.com/@new",
                "instagram": "https://instagram.com/new",
                "twitch": "",
                "website": "javascript:alert(1)",
            },
        )

    assert caught.value.message_dict == {"website": ["Links must start with https://"]}
    assert (
        links_of(user)
        == before
        == {
            "youtube": "https://youtube.com/@me",
            "twitch": "https://twitch.tv/me",
        }
    )
    assert links_of(other) == {"x": "https://x.com/other"}
    assert ExternalLink.objects.count() == 3


def test_every_bad_link_is_reported(user):
    with pytest.raises(ValidationError) as caught:
        links_set(
            user=user,
            links={
                "youtube": "https://instagram.com/me",
                "x": "http://x.com/me",
                "website": "https://ok.example/",
            },
        )

    assert caught.value.message_dict == {
        "youtube": ["YouTube links must be on youtube.com."],
        "x": ["Links must start with https://"],
    }
    assert ExternalLink.objects.count() == 0


def test_empty_value_removes_that_platforms_link_only(user):
    links_set(
        user=user,
        links={"youtube": "https://youtube.com/@me", "x": "https://x.com/me"},
    )

    links_set(user=user, links={"youtube": "https://youtube.com/@me", "x": "   "})

    assert links_of(user) == {"youtube": "https://youtube.com/@me"}


def test_updating_a_link_keeps_one_row_per_platform(user):
    links_set(user=user, links={"youtube": "https://youtube.com/@old"})
    first_id = ExternalLink.objects.get(user=user).pk

    links_set(user=user, links={"youtube": "https://youtube.com/@new"})

    link = ExternalLink.objects.get(user=user)
    assert (link.pk, link.url) == (first_id, "https://youtube.com/@new")


def test_javascript_link_can_never_be_saved_through_the_service(user):
    for platform in ExternalLink.Platform.values:
        with pytest.raises(ValidationError):
            links_set(user=user, links={platform: "javascript:alert(1)"})
    assert ExternalLink.objects.count() == 0


def test_the_host_named_in_messages_is_one_the_platform_accepts():
    from social.links import PLATFORM_HOME, PLATFORM_HOSTS

    assert set(PLATFORM_HOME) == set(PLATFORM_HOSTS)
    for platform, host in PLATFORM_HOME.items():
        assert host in PLATFORM_HOSTS[platform]
        assert link_normalise(platform=platform, url=f"https://{host}/me") == f"https://{host}/me"
