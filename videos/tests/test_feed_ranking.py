"""The recommender's re-ranking rules: pure functions, no database."""

from __future__ import annotations

import itertools

import pytest

from videos.feed import ranking as r
from videos.feed import scoring as s
from videos.feed.scoring import Candidate

NOW = 1_800_000_000.0
DAY = 86400.0


def cand(vid, *, author=None, sound=None, tags=(), in_pool=False, created=None, **extra):
    return Candidate(
        video_id=vid,
        author_id=vid if author is None else author,
        created_at=NOW - vid * 60 if created is None else created,
        sound_id=sound,
        tag_ids=tuple(tags),
        in_pool=in_pool,
        **extra,
    )


def scored(c: Candidate, score: float, *, pool: float = 0.0, reason=("popular", None)):
    return r.Scored(candidate=c, score=score, pool=pool, reason=reason)


def ids(picked):
    return [p.video_id for p in picked]


# --- exclusions ------------------------------------------------------------------------------
def test_excluded_videos_and_authors_never_pass():
    keep = {
        "excluded_videos": {1},
        "excluded_authors": {50},
        "watched": {},
        "liked": set(),
        "now": NOW,
    }
    assert r.is_excluded(cand(1), **keep)
    assert r.is_excluded(cand(2, author=50), **keep)
    assert not r.is_excluded(cand(3), **keep)


@pytest.mark.parametrize(
    ("days_ago", "liked", "excluded"),
    [(0, False, True), (13.9, False, True), (13.9, True, False), (14.1, False, False)],
)
def test_watched_in_the_last_14_days_not_again_unless_liked(days_ago, liked, excluded):
    c = cand(7)
    result = r.is_excluded(
        c,
        excluded_videos=set(),
        excluded_authors=set(),
        watched={7: NOW - days_ago * DAY},
        liked={7} if liked else set(),
        now=NOW,
    )
    assert result is excluded


# --- diversity -------------------------------------------------------------------------------
def test_no_two_in_a_row_from_the_same_creator():
    # The three best are all by creator A: they get spread out.
    items = [
        scored(cand(1, author=100), 10),
        scored(cand(2, author=100), 9),
        scored(cand(3, author=100), 8),
        scored(cand(4, author=200), 1),
        scored(cand(5, author=300), 0.5),
    ]
    picked, more = r.rerank(items, limit=5, share=0)
    authors = [p.author_id for p in picked]
    assert ids(picked) == [1, 4, 2, 5, 3]
    assert all(a != b for a, b in itertools.pairwise(authors))
    assert more is False


def test_no_two_in_a_row_with_the_same_sound():
    items = [
        scored(cand(1, sound=9), 10),
        scored(cand(2, sound=9), 9),
        scored(cand(3, sound=None), 1),
        scored(cand(4, sound=None), 0.9),
    ]
    picked, _more = r.rerank(items, limit=4, share=0)
    assert ids(picked) == [1, 3, 2, 4]
    # Original sounds (None) are all different sounds: they may follow each other.
    picked, _more = r.rerank([scored(cand(5), 2), scored(cand(6), 1)], limit=2, share=0)
    assert ids(picked) == [5, 6]


def test_one_creator_catalogue_still_plays_through():
    items = [scored(cand(i, author=1), 10 - i) for i in range(1, 6)]
    picked, more = r.rerank(items, limit=10, share=0)
    assert ids(picked) == [1, 2, 3, 4, 5]
    assert more is False


def test_diversity_holds_across_pages():
    items = [scored(cand(1, author=100), 10), scored(cand(2, author=200), 1)]
    picked, _more = r.rerank(items, limit=1, share=0, last_author=100)
    assert ids(picked) == [2]


def test_more_says_whether_candidates_are_left():
    items = [scored(cand(i), 10 - i) for i in range(1, 6)]
    picked, more = r.rerank(items, limit=3, share=0)
    assert ids(picked) == [1, 2, 3] and more is True
    picked, more = r.rerank(items, limit=5, share=0)
    assert more is False


def test_ties_go_to_the_newest():
    items = [scored(cand(i, created=NOW - i), 1.0) for i in (3, 1, 2)]
    picked, _more = r.rerank(items, limit=3, share=0)
    assert ids(picked) == [1, 2, 3]


# --- exploration -----------------------------------------------------------------------------
@pytest.mark.parametrize(("share", "expected"), [(0.0, 0), (0.1, 10), (0.15, 15), (0.2, 20)])
def test_exploration_slots_match_the_share(share, expected):
    assert sum(r.is_exploration_slot(n, share) for n in range(100)) == expected


def test_exploration_share_of_a_feed():
    # Established videos score higher; pool videos only get in through exploration slots.
    established = [scored(cand(i, author=i), 100 - i) for i in range(1, 101)]
    pool = [scored(cand(i, author=i, in_pool=True), 0.1, pool=1.0) for i in range(101, 201)]
    picked, _more = r.rerank(established + pool, limit=60, share=0.15)
    explored = [p for p in picked if p.explore]
    assert len(explored) == 9  # 15 % of 60
    assert all(p.video_id > 100 for p in explored)
    assert all(p.reason[0] in {"new_creator", "rising"} for p in explored)
    none, _more = r.rerank(established + pool, limit=60, share=0)
    assert not [p for p in none if p.explore or p.video_id > 100]
    # The schedule continues across pages: slots 6, 13, 19, … of the whole feed.
    first, _ = r.rerank(established + pool, limit=7, share=0.15)
    assert [p.explore for p in first] == [False] * 6 + [True]
    second, _ = r.rerank(established + pool, limit=7, share=0.15, start=7)
    assert [p.explore for p in second] == [False] * 6 + [True]


def test_pool_ranked_by_pool_score():
    items = [scored(cand(i, in_pool=True), 0, pool=i / 10) for i in range(1, 5)]
    picked, _more = r.rerank(items, limit=2, share=1.0)
    assert ids(picked) == [4, 3]
    assert all(p.explore for p in picked)


def test_own_new_video_opens_the_feed():
    items = [
        scored(cand(1), 10),
        scored(cand(2, author=77, sources=frozenset({"own"})), 0.1, reason=("own", None)),
    ]
    picked, _more = r.rerank(items, limit=2, share=0)
    assert ids(picked) == [2, 1]
    later, _more = r.rerank(items, limit=2, share=0, start=8)  # not pinned on later pages
    assert ids(later) == [1, 2]


# --- reasons ---------------------------------------------------------------------------------
def profile_with(*signals, followed=()):
    return s.build_profile(list(signals), now=NOW, followed=followed)


def watched(tag):
    return s.Signal(
        kind="watch",
        at=NOW,
        video_id=999,
        author_id=555,
        tag_ids=(tag,),
        watch_ratio=1,
        completed=True,
    )


def test_reasons():
    profile = profile_with(
        watched(5),
        s.Signal(kind="like", at=NOW, video_id=998, author_id=556, tag_ids=(6,)),
        s.Signal(kind="interest", at=NOW, tag_ids=(8,)),
        followed=[42],
    )

    def reason(c):
        return r.choose_reason(c, s.affinity(c, profile), profile)

    assert reason(cand(1, author=42)) == ("following", None)
    assert reason(cand(2, tags=(5,))) == ("tag_watch", 5)
    assert reason(cand(3, tags=(6,))) == ("tag_like", 6)
    assert reason(cand(4, tags=(8,))) == ("tag_interest", 8)
    assert reason(cand(5, author=555)) == ("creator", 555)
    assert reason(cand(6, neighbour=0.9)) == ("similar", None)
    assert reason(cand(7, trending=0.8)) == ("trending", None)
    assert reason(cand(8, in_pool=True)) == ("new_creator", None)
    assert reason(cand(9, in_pool=True, author_followers=5000)) == ("rising", None)
    assert reason(cand(10, sources=frozenset({"fresh"}))) == ("fresh", None)
    assert reason(cand(11)) == ("popular", None)
    assert reason(cand(12, sources=frozenset({"own"}))) == ("own", None)


def test_score_all_ranks_taste_first():
    profile = profile_with(watched(5), watched(5))
    liked = cand(1, tags=(5,))
    other = cand(2, tags=(6,))
    out = {x.candidate.video_id: x for x in r.score_all([liked, other], profile, now=NOW)}
    assert out[1].score > out[2].score
    assert out[1].reason == ("tag_watch", 5)
