"""Offline evaluation of the For You recommender on a synthetic population.

    .venv/bin/python bench/recsys_offline.py [--users 1500 --videos 4000 --seed 7]

The population: topics (hashtags) with Zipf-like popularity; creators with one or two home
topics and a skill; sounds tied to topics; videos by creators with tags from their topics, a
hidden quality, a duration. Users have a hidden, sparse interest mixture over topics
(Dirichlet) and a few favourite creators. Watching follows interest, quality and favourites
with noise: completion ~ Bernoulli(sigmoid(...)), partial watches, quick skips, replays and
likes. A logging policy (a mix of popular, random and interest-led picks, like an older
recommender with exploration) produces 28 days of sessions.

Time split at day 21: everything before trains, and each user's completions and likes after
the split (of videos that existed at the split and that the user had not seen) are the test
positives. Every method ranks 20 videos per user, excluding what the user saw in training:

- random, most-popular (train completions + likes), recency (newest first),
- item-kNN (cosine over users' positive histories, the classic baseline),
- ours: the production code, driven through its pure functions — precompute.compute (the
  refresh), candidates.assemble / to_candidate (sources), scoring.build_profile, and
  ranking.is_excluded / score_all / rerank with the default 15 % exploration share.

Reported: Recall@20, NDCG@20, catalogue coverage, novelty (mean self-information of the
recommended videos' training popularity, in bits).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")

import django  # noqa: E402

django.setup()

from videos.feed import candidates as C  # noqa: E402
from videos.feed import precompute as P  # noqa: E402
from videos.feed import ranking as R  # noqa: E402
from videos.feed import scoring as S  # noqa: E402

DAY = 86400.0
T0 = 1_700_000_000.0  # day 0 of the simulation


# --- the synthetic world ----------------------------------------------------------------------
@dataclass
class Video:
    id: int
    creator: int
    tags: tuple[int, ...]
    sound: int | None
    quality: float
    duration: float
    created: float


@dataclass
class User:
    id: int
    interest: list[float]
    favourites: set[int]
    activity: float


@dataclass
class Event:
    user: int
    video: int
    at: float
    seconds: float
    ratio: float
    completed: bool
    replays: int
    skipped: bool
    liked: bool


@dataclass
class World:
    topics: int
    videos: dict[int, Video]
    users: list[User]
    creators: dict[int, tuple[tuple[int, ...], float]]
    events: list[Event] = field(default_factory=list)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def dirichlet(rng: random.Random, alphas: list[float]) -> list[float]:
    draws = [rng.gammavariate(a, 1) for a in alphas]
    total = sum(draws) or 1.0
    return [d / total for d in draws]


def make_world(args, rng: random.Random) -> World:
    topics = args.tags
    pop = [1 / (i + 1) ** 0.6 for i in range(topics)]
    creators = {}
    for c in range(args.creators):
        home = tuple(sorted(set(rng.choices(range(topics), weights=pop, k=rng.choice([1, 2])))))
        creators[c] = (home, rng.gauss(0, 0.5))
    creator_weight = [1 / (i + 1) ** 0.5 for i in range(args.creators)]
    sounds_by_topic: dict[int, list[int]] = defaultdict(list)
    for snd in range(args.sounds):
        sounds_by_topic[rng.choices(range(topics), weights=pop)[0]].append(snd)
    videos = {}
    for vid in range(1, args.videos + 1):
        c = rng.choices(range(args.creators), weights=creator_weight)[0]
        home, skill = creators[c]
        main = rng.choice(home)
        tags = {main}
        if rng.random() < 0.35:
            tags.add(rng.choice(home) if rng.random() < 0.6 else rng.randrange(topics))
        sound = None
        if rng.random() < 0.6 and sounds_by_topic[main]:
            sound = rng.choice(sounds_by_topic[main])
        videos[vid] = Video(
            id=vid,
            creator=c,
            tags=tuple(sorted(tags)),
            sound=sound,
            quality=sigmoid(rng.gauss(0, 1) + skill),
            duration=rng.uniform(6, 45),
            created=T0 + rng.uniform(-14, args.days) * DAY,
        )
    users = []
    for u in range(args.users):
        alphas = [0.3 * p * topics / sum(pop) for p in pop]
        interest = dirichlet(rng, alphas)
        top = sorted(range(topics), key=lambda t: -interest[t])[:2]
        fav = {c for c, (home, _s) in creators.items() if set(home) & set(top)}
        favourites = set(rng.sample(sorted(fav), min(3, len(fav)))) if fav else set()
        users.append(User(u, interest, favourites, rng.uniform(0.3, 1.2)))
    return World(topics=topics, videos=videos, users=users, creators=creators)


def watch(world: World, user: User, video: Video, rng: random.Random, at: float) -> Event:
    interest = sum(user.interest[t] for t in video.tags) / len(video.tags)
    rel = math.log(interest * world.topics + 0.05)
    z = -0.5 + 1.1 * rel + 2.5 * (video.quality - 0.5) + 1.0 * (video.creator in user.favourites)
    z += rng.gauss(0, 0.7)
    completed = rng.random() < sigmoid(z)
    replays = 0
    if completed:
        ratio = 1.0
        while replays < 3 and rng.random() < sigmoid(z - 2.5):
            replays += 1
        seconds = video.duration * (1 + replays)
    else:
        ratio = rng.betavariate(1 + 2 * sigmoid(z), 3)
        seconds = ratio * video.duration
    skipped = not completed and (seconds < 2 or ratio < 0.2)
    liked = rng.random() < (0.3 * sigmoid(z - 0.5) if completed else 0.01)
    return Event(user.id, video.id, at, seconds, ratio, completed, replays, skipped, liked)


def simulate(world: World, args, rng: random.Random) -> None:
    by_topic: dict[int, list[int]] = defaultdict(list)
    for v in world.videos.values():
        for t in v.tags:
            by_topic[t].append(v.id)
    positives: Counter = Counter()
    for day in range(args.days):
        now = T0 + day * DAY
        live = [v.id for v in world.videos.values() if v.created <= now]
        recent = [v for v in live if world.videos[v].created > now - 14 * DAY] or live
        weights = [(positives[v] + 1) ** 0.8 for v in recent]
        for user in world.users:
            sessions = 1 if rng.random() < user.activity * 0.7 else 0
            for _ in range(sessions):
                at = now + rng.uniform(0, DAY * 0.95)
                for k in range(args.session):
                    roll = rng.random()
                    if roll < 0.35:
                        vid = rng.choices(recent, weights=weights)[0]
                    elif roll < 0.7:
                        vid = rng.choice(live)
                    else:
                        topic = rng.choices(range(world.topics), weights=user.interest)[0]
                        pool = [v for v in by_topic[topic] if world.videos[v].created <= now]
                        vid = rng.choice(pool) if pool else rng.choice(live)
                    e = watch(world, user, world.videos[vid], rng, at + 30 * k)
                    world.events.append(e)
                    if e.completed or e.liked:
                        positives[vid] += 1


# --- methods --------------------------------------------------------------------------------
def item_knn(histories: dict[int, list[int]], neighbours: int = 50):
    counts: Counter = Counter()
    pairs: dict[int, Counter] = defaultdict(Counter)
    for items in histories.values():
        items = list(dict.fromkeys(items))[:60]
        for i in items:
            counts[i] += 1
        for a in range(len(items)):
            for b in range(a + 1, len(items)):
                pairs[items[a]][items[b]] += 1
                pairs[items[b]][items[a]] += 1
    sims = {}
    for i, row in pairs.items():
        ranked = sorted(
            ((j, c / math.sqrt(counts[i] * counts[j])) for j, c in row.items()),
            key=lambda kv: -kv[1],
        )[:neighbours]
        sims[i] = ranked
    return sims


class Ours:
    """The production pipeline on synthetic data."""

    def __init__(self, world: World, train: list[Event], split: float, catalogue: list[int]):
        self.world = world
        self.split = split
        self.catalogue = set(catalogue)
        agg: dict[int, list] = defaultdict(lambda: [0, 0, 0.0, 0])
        likes: Counter = Counter()
        trend = []
        histories: dict[int, list[tuple[float, int]]] = defaultdict(list)
        w = S.ENGAGEMENT_WEIGHTS
        for e in train:
            if e.at >= split - P.STATS_DAYS * DAY:
                a = agg[e.video]
                a[0] += 1
                a[1] += e.completed
                a[2] += e.ratio
                a[3] += e.skipped
                likes[e.video] += e.liked
            if e.at >= split - P.TRENDING_HOURS * 3600:
                weight = w["view"] + w["complete"] * e.completed + w["like"] * e.liked
                trend.append((e.video, e.at, weight))
            if e.at >= split - P.NEIGHBOUR_DAYS * DAY and (e.completed or e.liked):
                histories[e.user].append((e.at, e.video))
        vids = world.videos
        public = {
            v: P.VideoInfo(created_at=vids[v].created, tag_ids=vids[v].tags, sound_id=vids[v].sound)
            for v in catalogue
            if vids[v].created >= split - P.LIST_DAYS * DAY
        }
        self.computed = P.compute(
            now=split,
            watch={
                v: P.WatchAggregate(
                    impressions=a[0], completions=a[1], watch_ratio_sum=a[2], skips=a[3]
                )
                for v, a in agg.items()
            },
            likes=likes,
            shares={},
            follows={},
            trending_events=trend,
            videos=public,
            created={v: vids[v].created for v in agg},
            tag_names={t: f"t{t}" for t in range(world.topics)},
            histories=[[v for _at, v in sorted(h, reverse=True)] for h in histories.values()],
        )
        newest = sorted(catalogue, key=lambda v: -vids[v].created)
        self.fresh = newest[: C.SOURCE_CAPS["fresh"]]
        self.by_creator: dict[int, list[int]] = defaultdict(list)
        for v in newest:
            self.by_creator[vids[v].creator].append(v)

    def recommend(self, events: list[Event], seen: set[int], k: int, share: float) -> list[int]:
        vids = self.world.videos
        signals = []
        watches = [e for e in events if e.at >= self.split - C.SIGNAL_DAYS * DAY]
        watches.sort(key=lambda e: -e.at)
        for e in watches[: C.MAX_WATCH_SIGNALS]:
            v = vids[e.video]
            signals.append(
                S.Signal(
                    kind="watch",
                    at=e.at,
                    video_id=v.id,
                    author_id=v.creator,
                    sound_id=v.sound,
                    tag_ids=v.tags,
                    watch_ratio=e.ratio,
                    completed=e.completed,
                    replays=e.replays,
                    skipped=e.skipped,
                )
            )
        for e in events:
            if e.liked and e.at >= self.split - C.ENGAGEMENT_DAYS * DAY:
                v = vids[e.video]
                signals.append(
                    S.Signal(
                        kind="like",
                        at=e.at,
                        video_id=v.id,
                        author_id=v.creator,
                        sound_id=v.sound,
                        tag_ids=v.tags,
                    )
                )
        profile = S.build_profile(signals, now=self.split)
        got = {
            key: self.computed.values[key]
            for key in C.wanted_keys(profile, signed_in=True)
            if key in self.computed.values
        }
        creator_rows = []
        for c in C.viewer_creators(profile, set()):
            creator_rows.extend((v, c) for v in self.by_creator.get(c, [])[:10])
        creator_rows.sort(key=lambda row: -vids[row[0]].created)
        sources = C.assemble(
            profile=profile,
            followed=set(),
            got=got,
            creator_rows=creator_rows[: C.SOURCE_CAPS["following"] + C.SOURCE_CAPS["creator"]],
            fresh=self.fresh,
        )
        stats = self.computed.stats
        cands = []
        for vid in sources.proposals:
            if vid not in self.catalogue:
                continue
            v = vids[vid]
            row = stats.get(vid)
            cands.append(
                C.to_candidate(
                    video_id=vid,
                    author_id=v.creator,
                    sound_id=v.sound,
                    created_at=v.created,
                    author_followers=0,
                    tag_ids=v.tags,
                    stats=None
                    if row is None
                    else (
                        row.impressions,
                        row.rates.completion,
                        row.rates.watch_ratio,
                        row.rates.like,
                        row.rates.share,
                        row.rates.follow,
                        row.rates.skip,
                        row.stage,
                    ),
                    sources=sources,
                    now=self.split,
                )
            )
        eligible = [
            c
            for c in cands
            if not R.is_excluded(
                c,
                excluded_videos=seen,
                excluded_authors=set(),
                watched=profile.watched,
                liked=profile.liked,
                now=self.split,
            )
        ]
        picked, _more = R.rerank(
            R.score_all(eligible, profile, now=self.split), limit=k, share=share
        )
        return [p.video_id for p in picked]


# --- metrics --------------------------------------------------------------------------------
def ndcg(recs: list[int], relevant: set[int], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, v in enumerate(recs[:k]) if v in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1500)
    parser.add_argument("--videos", type=int, default=4000)
    parser.add_argument("--creators", type=int, default=250)
    parser.add_argument("--tags", type=int, default=40)
    parser.add_argument("--sounds", type=int, default=300)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--split", type=int, default=21)
    parser.add_argument("--session", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--k", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    world = make_world(args, rng)
    simulate(world, args, rng)
    split = T0 + args.split * DAY
    train = [e for e in world.events if e.at < split]
    test = [e for e in world.events if e.at >= split]
    catalogue = [v.id for v in world.videos.values() if v.created < split]
    by_user_train: dict[int, list[Event]] = defaultdict(list)
    for e in train:
        by_user_train[e.user].append(e)
    seen = {u: {e.video for e in evs} for u, evs in by_user_train.items()}
    cat = set(catalogue)
    relevant: dict[int, set[int]] = defaultdict(set)
    for e in test:
        if (e.completed or e.liked) and e.video in cat and e.video not in seen.get(e.user, ()):
            relevant[e.user].add(e.video)
    users = [u for u in relevant if len(by_user_train.get(u, ())) >= 5]
    popularity: Counter = Counter()
    histories: dict[int, list[int]] = defaultdict(list)
    for e in sorted(train, key=lambda e: -e.at):
        if e.completed or e.liked:
            popularity[e.video] += 1
            histories[e.user].append(e.video)
    print(
        f"world: {len(world.users)} users, {len(world.videos)} videos ({len(catalogue)} at the "
        f"split), {args.tags} hashtags, {args.creators} creators; {len(train)} training and "
        f"{len(test)} test events; {len(users)} users evaluated "
        f"({sum(len(relevant[u]) for u in users) / len(users):.1f} test positives each); "
        f"generated in {time.monotonic() - started:.0f}s"
    )
    k = args.k
    by_pop = sorted(catalogue, key=lambda v: (-popularity[v], -world.videos[v].created))
    by_new = sorted(catalogue, key=lambda v: -world.videos[v].created)
    sims = item_knn(histories)
    t = time.monotonic()
    ours = Ours(world, train, split, catalogue)
    refresh_s = time.monotonic() - t
    n_users = len(world.users)

    def top(ranked, s):
        return [v for v in ranked if v not in s][:k]

    def knn(u, s):
        scores: Counter = Counter()
        for j in histories.get(u, [])[:60]:
            for i, sim in sims.get(j, ()):
                scores[i] += sim
        ranked = [v for v, _ in scores.most_common() if v not in s and v in cat]
        return (ranked + top(by_pop, s | set(ranked)))[:k]

    methods = {
        "random": lambda u, s: rng.sample([v for v in catalogue if v not in s], k),
        "most-popular": lambda u, s: top(by_pop, s),
        "recency": lambda u, s: top(by_new, s),
        "item-kNN": knn,
        "ours (15% exploration)": lambda u, s: ours.recommend(
            by_user_train[u], s, k, R.DEFAULT_EXPLORATION_SHARE
        ),
        "ours, no exploration": lambda u, s: ours.recommend(by_user_train[u], s, k, 0.0),
    }
    rows = []
    for name, method in methods.items():
        t = time.monotonic()
        recall = ndcg_sum = novelty = 0.0
        shown: set[int] = set()
        count = 0
        for u in users:
            s = seen.get(u, set())
            recs = method(u, s)
            rel = relevant[u]
            hits = sum(1 for v in recs if v in rel)
            recall += hits / len(rel)
            ndcg_sum += ndcg(recs, rel, k)
            shown.update(recs)
            novelty += sum(-math.log2((popularity[v] + 1) / (n_users + 1)) for v in recs) / max(
                1, len(recs)
            )
            count += 1
        rows.append(
            (
                name,
                recall / count,
                ndcg_sum / count,
                len(shown) / len(catalogue),
                novelty / count,
                (time.monotonic() - t) / count * 1000,
            )
        )
    print(f"ours' refresh (precompute.compute) on the training data: {refresh_s:.1f}s")
    print()
    print(f"| method | Recall@{k} | NDCG@{k} | coverage | novelty (bits) | ms/user |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, recall, nd, cov, nov, ms in rows:
        print(f"| {name} | {recall:.4f} | {nd:.4f} | {cov:.3f} | {nov:.2f} | {ms:.1f} |")
    result = {name: nd for name, _r, nd, *_ in rows}
    ours_nd = result["ours (15% exploration)"]
    print()
    print(
        f"ours / most-popular NDCG@{k}: {ours_nd / result['most-popular']:.2f}x; "
        f"ours / item-kNN: {ours_nd / result['item-kNN']:.2f}x"
    )


if __name__ == "__main__":
    main()
