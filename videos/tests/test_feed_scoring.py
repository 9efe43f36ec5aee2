"""The recommender's scoring: pure functions, no database."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from videos.feed import scoring as s
from videos.feed.scoring import Candidate, Rates, Signal

NOW = 1_800_000_000.0
DAY = 86400.0


def watch(
    vid=1,
    *,
    author=10,
    sound=None,
    tags=(100,),
    ratio=0.5,
    completed=False,
    replays=0,
    skipped=False,
    at=NOW,
):
    return Signal(
        kind="watch",
        at=at,
        video_id=vid,
        author_id=author,
        sound_id=sound,
        tag_ids=tuple(tags),
        watch_ratio=ratio,
        completed=completed,
        replays=replays,
        skipped=skipped,
    )


def candidate(vid=1, *, author=10, tags=(100,), sound=None, rates=s.PRIORS, **extra) -> Candidate:
    return Candidate(
        video_id=vid,
        author_id=author,
        created_at=extra.pop("created_at", NOW - DAY),
        tag_ids=tuple(tags),
        sound_id=sound,
        rates=rates,
        **extra,
    )


def test_scoring_imports_no_django():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; import videos.feed.scoring, videos.feed.ranking; "
        "assert not [m for m in sys.modules if m.split('.')[0] in {'django', 'rest_framework'}]"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


@pytest.mark.parametrize(
    ("signal", "value"),
    [
        (watch(completed=True, ratio=1), s.WATCH_COMPLETED),
        (watch(completed=True, ratio=1, replays=2), s.WATCH_COMPLETED + 2 * s.WATCH_PER_REPLAY),
        (watch(completed=True, ratio=1, replays=50), s.WATCH_COMPLETED + 3 * s.WATCH_PER_REPLAY),
        (watch(ratio=0.6), s.WATCH_LONG),
        (watch(ratio=0.3), 0.0),
        (watch(ratio=0.05, skipped=True), s.WATCH_SKIPPED),
        (Signal(kind="like", at=NOW, video_id=1), 2.0),
        (Signal(kind="not_interested", at=NOW, video_id=1), -4.0),
        (Signal(kind="unknown", at=NOW), 0.0),
    ],
)
def test_signal_values(signal, value):
    assert s.signal_value(signal) == pytest.approx(value)


def test_decay_halves_every_half_life():
    assert s.decay(0) == 1
    assert s.decay(s.HALF_LIFE_DAYS * DAY) == pytest.approx(0.5)
    assert s.decay(2 * s.HALF_LIFE_DAYS * DAY) == pytest.approx(0.25)
    assert s.decay(-5) == 1  # clocks disagree: never more than full weight


def test_profile_from_signals():
    profile = s.build_profile(
        [
            watch(1, tags=(100, 101), completed=True, ratio=1, at=NOW - 60),
            watch(2, author=11, tags=(102,), skipped=True, ratio=0.05, at=NOW - 30),
            Signal(kind="like", at=NOW - 10, video_id=3, author_id=12, tag_ids=(103,)),
            Signal(kind="not_interested", at=NOW, video_id=4, author_id=13, tag_ids=(104,)),
            Signal(kind="interest", at=NOW - 100 * DAY, tag_ids=(105,)),
        ],
        now=NOW,
        followed=[20],
    )
    assert profile.tags[100] > 0
    assert profile.tags[100] == pytest.approx(profile.tags[101])
    assert profile.tags[102] < 0 and profile.creators[11] < 0
    assert profile.tags[104] < 0 and profile.creators[13] < 0
    # Picked interests do not decay; a like counts more than a finished watch.
    assert profile.tags[105] == pytest.approx(2.0)
    assert profile.tags[103] > profile.tags[100]
    assert profile.tag_origin == {100: "watch", 101: "watch", 103: "like", 105: "interest"}
    assert [vid for vid, _w in profile.positives] == [3, 1]  # newest positive first
    assert set(profile.watched) == {1, 2}
    assert profile.liked == {3}
    assert profile.followed == {20}
    assert profile.top_tags(2) == [105, 103]
    assert not profile.is_cold
    assert s.build_profile([], now=NOW).is_cold


def test_recent_signals_count_more_than_old_ones():
    old = s.build_profile([watch(1, tags=(1,), completed=True, at=NOW - 9 * DAY)], now=NOW)
    new = s.build_profile([watch(1, tags=(1,), completed=True, at=NOW)], now=NOW)
    assert new.tags[1] == pytest.approx(8 * old.tags[1])


def test_beta_smoothing_three_views_do_not_beat_three_thousand():
    prior = 0.35
    assert s.beta_smooth(0, 0, prior) == prior
    lucky = s.beta_smooth(3, 3, prior)
    proven = s.beta_smooth(2400, 3000, prior)
    assert prior < lucky < proven < 0.8
    assert s.beta_smooth(0, 3, prior) > s.beta_smooth(0, 3000, prior)
    rates = s.smoothed_rates(
        impressions=100,
        completions=80,
        watch_ratio_sum=85,
        likes=500,  # more likes than impressions (likes from elsewhere): capped
        shares=1,
        follows=0,
        skips=5,
    )
    assert 0 < rates.like <= 1 and rates.completion > s.PRIORS.completion
    assert rates.skip < s.PRIORS.skip


def test_affinity_prediction_and_score_follow_taste_and_quality():
    profile = s.build_profile(
        [
            watch(1, author=50, tags=(7,), completed=True, ratio=1),
            watch(2, author=51, tags=(7,), completed=True),
        ],
        now=NOW,
        followed=[99],
    )
    liked_tag = candidate(10, tags=(7,))
    other_tag = candidate(11, tags=(8,))
    followed = candidate(12, tags=(8,), author=99)
    aff = {c.video_id: s.affinity(c, profile) for c in (liked_tag, other_tag, followed)}
    assert aff[10].tag == pytest.approx(1.0) and aff[10].top_tag == 7
    assert aff[11].tag == 0 and aff[11].top_tag is None
    assert aff[12].followed and aff[12].shift == pytest.approx(s.AFFINITY_WEIGHTS["followed"])

    def total(c):
        return s.score(c, s.predict(c, s.affinity(c, profile)), now=NOW)

    assert total(liked_tag) > total(followed) > total(other_tag)
    great = Rates(completion=0.7, watch_ratio=0.8, like=0.15, share=0.03, follow=0.01, skip=0.1)
    assert total(candidate(13, tags=(8,), rates=great)) > total(other_tag)
    # Already following: no follow to predict.
    assert s.predict(followed, aff[12]).follow == 0
    assert 0 < s.predict(other_tag, aff[11]).follow < 1


def test_disliked_tags_push_down():
    profile = s.build_profile(
        [
            watch(1, tags=(7,), completed=True),
            Signal(kind="not_interested", at=NOW, video_id=2, author_id=5, tag_ids=(8,)),
        ],
        now=NOW,
    )
    neutral = candidate(3, tags=(9,))
    disliked = candidate(4, tags=(8,))
    assert s.affinity(disliked, profile).tag < 0
    pn = s.predict(neutral, s.affinity(neutral, profile))
    pd = s.predict(disliked, s.affinity(disliked, profile))
    assert pd.complete < pn.complete and pd.watch < pn.watch


def test_weights_favour_watch_time_and_completion():
    w = s.WEIGHTS
    assert min(w["watch"], w["complete"]) > max(w["like"], w["share"], w["follow"])
    assert sum(w.values()) == pytest.approx(1.0)
    c = candidate()
    base = s.Predictions(watch=0.5, complete=0.35, like=0.06, share=0.01, follow=0.005)
    more_watch = s.Predictions(watch=0.6, complete=0.35, like=0.06, share=0.01, follow=0.005)
    assert s.score(c, more_watch, now=NOW) > s.score(c, base, now=NOW)


def test_fresh_and_trending_bonuses():
    p = s.Predictions(watch=0.5, complete=0.35, like=0.06, share=0.01, follow=0.005)
    new = candidate(created_at=NOW)
    old = candidate(created_at=NOW - 30 * DAY)
    hot = candidate(created_at=NOW - 30 * DAY, trending=1.0)
    assert s.score(new, p, now=NOW) - s.score(old, p, now=NOW) == pytest.approx(
        s.FRESH_BONUS, abs=1e-4
    )
    assert s.score(hot, p, now=NOW) - s.score(old, p, now=NOW) == pytest.approx(s.TRENDING_BONUS)


def test_logit_sigmoid_are_inverse_and_safe():
    for p in (0.01, 0.3, 0.5, 0.99):
        assert s.sigmoid(s.logit(p)) == pytest.approx(p)
    assert math.isfinite(s.logit(0)) and math.isfinite(s.logit(1))
    assert s.sigmoid(-1000) == 0 and s.sigmoid(1000) == 1


def test_pool_stages():
    assert s.pool_stage(impressions=0, completion=0.35, age_days=0) == 0
    assert s.pool_stage(impressions=49, completion=0.1, age_days=1) == 0  # still testing
    assert s.pool_stage(impressions=200, completion=0.6, age_days=1) == 1  # promoted
    assert s.pool_stage(impressions=200, completion=0.2, age_days=1) == -1  # not good enough
    assert s.pool_stage(impressions=10, completion=0.9, age_days=30) == -1  # too old
    assert s.pool_stage(impressions=5000, completion=0.9, age_days=1) == -1  # graduated


def test_pool_score_gives_untested_videos_a_chance():
    untested = s.pool_score(impressions=0, completion=0.35)
    tested_average = s.pool_score(impressions=500, completion=0.35)
    tested_great = s.pool_score(impressions=500, completion=0.7)
    assert untested > tested_average
    assert tested_great > tested_average


def test_trending_decays_with_time():
    scores = s.trending_scores(
        [(1, NOW, 10.0), (2, NOW - 12 * 3600, 10.0), (2, NOW - 12 * 3600, 10.0), (3, NOW, 0.0)],
        now=NOW,
    )
    assert scores[1] == pytest.approx(10.0)
    assert scores[2] == pytest.approx(10.0)  # twice the engagement, one half-life ago
    assert scores[3] == 0


def test_co_engagement_neighbours():
    histories = [[1, 2, 3], [1, 2], [2, 1, 4], [5], [3, 6]]
    nn = s.co_engagement_neighbours(histories, min_count=2)
    assert next(b for b, _ in nn[1]) == 2 and next(b for b, _ in nn[2]) == 1
    assert dict(nn[1])[2] == pytest.approx(dict(nn[2])[1])  # symmetric
    assert 4 not in dict(nn[1]) and 5 not in nn  # seen once: not enough support
    assert all(0 < sim <= 1 for row in nn.values() for _b, sim in row)
    scores = s.neighbour_scores([(1, 2.0), (3, 1.0)], nn)
    assert set(scores) >= {2} and all(0 < v < 1 for v in scores.values())
    assert 1 not in scores or scores.get(2, 0) >= scores.get(1, 0)
