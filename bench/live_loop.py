"""The For You feed learning live: simulated viewers against a running server.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/live_loop.py [--viewers 20 --rounds 5]

Starts its own daphne on its own SQLite database (bench/out/live_loop.sqlite3, or
DATABASE_URL), with the cache on Redis so the refresh this script runs between rounds
reaches the server at once (without REDIS_URL the server still sees it through the FeedState
table, within a minute; the script then waits for that). Seeds a catalogue of videos with
hashtags and a hidden quality, and three equal groups of viewers with hidden interest
mixtures over the hashtags:

- ours: page through GET /api/v1/feed/for-you/ (the recommender),
- most-popular: the catalogue ordered by its live popularity (likes + completed views),
- random: the catalogue in random order.

Every viewer watches SESSION videos per round: the seconds watched follow their hidden
interest and the video's quality with noise (as in bench/recsys_offline.py), finished videos
are sometimes liked (POST …/like/), and the watch events go to POST /api/v1/views/batch/
after every page. All three groups' events feed the same server, so popularity learns too.
Between rounds `feed_refresh` runs. Reported: average seconds watched per session, per round.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

from _common import free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def call(base: str, method: str, path: str, token: str, body=None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback
        base + path if path.startswith("/") else path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"{}")


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewers", type=int, default=20, help="per group")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--videos", type=int, default=600)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--session", type=int, default=30, help="videos per session")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "live_loop.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    redis = os.environ.get("REDIS_URL", "")
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{db}"),
        "CACHE_PREFIX": f"bench-loop-{secrets.token_hex(3)}",
        "CHANNELS_PREFIX": f"bench-loop-{secrets.token_hex(3)}",
        "CELERY_BROKER_URL": "",  # tasks run eagerly: nothing here needs a worker
        "DJANGO_SETTINGS_MODULE": "tiktok.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token
    from taggit.models import Tag

    from social.models import User
    from videos.feed import precompute
    from videos.models import TaggedVideo, Video

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        Video.objects.all().delete()
    time.time()
    import datetime as dt

    from django.utils import timezone

    # The world: topics with Zipf-like popularity, creators with home topics, videos.
    pop = [1 / (i + 1) ** 0.6 for i in range(args.topics)]
    tags = [
        Tag.objects.get_or_create(name=f"topic{t}", slug=f"topic{t}")[0] for t in range(args.topics)
    ]
    creators = [
        User.objects.create(username=f"loop_creator{c}", birthdate=dt.date(1990, 1, 1))
        for c in range(40)
    ]
    homes = {
        c: rng.choices(range(args.topics), weights=pop, k=rng.choice([1, 2])) for c in range(40)
    }
    world: dict[int, dict] = {}
    rows = []
    for n in range(args.videos):
        c = rng.randrange(40)
        topic = {rng.choice(homes[c])}
        if rng.random() < 0.3:
            topic.add(rng.randrange(args.topics))
        rows.append(
            (
                Video(
                    author=creators[c],
                    caption="",
                    status=Video.Status.READY,
                    duration=round(rng.uniform(6, 30), 1),
                    width=720,
                    height=1280,
                    file=f"videos/loop{n}/v.mp4",
                    poster=f"videos/loop{n}/p.jpg",
                    created_at=timezone.now() - dt.timedelta(hours=rng.uniform(0, 7 * 24)),
                ),
                sorted(topic),
                sigmoid(rng.gauss(0, 1)),
            )
        )
    Video.objects.bulk_create([r[0] for r in rows], batch_size=500)
    links = []
    for video, topics, quality in rows:
        world[video.public_id] = {"topics": topics, "quality": quality, "duration": video.duration}
        links.extend(TaggedVideo(content_object=video, tag=tags[t]) for t in topics)
    TaggedVideo.objects.bulk_create(links, batch_size=1000)

    # Viewers: three groups with interests drawn from the same distribution.
    groups = ["ours", "most-popular", "random"]
    viewers = []
    for g in groups:
        for i in range(args.viewers):
            user = User.objects.create(username=f"loop_{g[:4]}_{i}", birthdate=dt.date(1995, 1, 1))
            alphas = [0.3 * p * args.topics / sum(pop) for p in pop]
            draws = [rng.gammavariate(a, 1) for a in alphas]
            interest = [d / sum(draws) for d in draws]
            viewers.append(
                {
                    "group": g,
                    "token": Token.objects.create(user=user).key,
                    "interest": interest,
                    "seen": set(),
                }
            )
    precompute.refresh()
    connection.close()

    def watch(viewer: dict, public_id: str) -> dict:
        v = world[public_id]
        interest = sum(viewer["interest"][t] for t in v["topics"]) / len(v["topics"])
        z = -0.5 + 1.1 * math.log(interest * args.topics + 0.05) + 2.5 * (v["quality"] - 0.5)
        z += rng.gauss(0, 0.7)
        if rng.random() < sigmoid(z):
            replays = 0
            while replays < 3 and rng.random() < sigmoid(z - 2.5):
                replays += 1
            seconds = v["duration"] * (1 + replays) * rng.uniform(0.97, 1.0)
            liked = rng.random() < 0.3 * sigmoid(z - 0.5)
            return {"seconds": seconds, "replays": replays, "completed": True, "liked": liked}
        ratio = rng.betavariate(1 + 2 * sigmoid(z), 3)
        return {"seconds": ratio * v["duration"], "replays": 0, "completed": False, "liked": False}

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "tiktok.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: dict[str, list[float]] = defaultdict(list)
    completion: dict[str, list[float]] = defaultdict(list)
    feed_ms: list[float] = []
    try:
        wait_http(f"{base}/healthz")
        for round_no in range(1, args.rounds + 1):
            popular = list(
                Video.objects.order_by("-likes_count", "-views_count", "-id").values_list(
                    "public_id", "likes_count", "views_count"
                )
            )
            completed_by_video = defaultdict(int)
            from videos.models import WatchEvent

            for pid in WatchEvent.objects.filter(completed=True).values_list(
                "video__public_id", flat=True
            ):
                completed_by_video[pid] += 1
            popular.sort(key=lambda row: -(row[1] + completed_by_video[row[0]]))
            popular_ids = [row[0] for row in popular]
            connection.close()
            for viewer in viewers:
                total, finished, watched = 0.0, 0, 0
                pending: list[dict] = []
                if viewer["group"] == "ours":
                    url = "/api/v1/feed/for-you/?page_size=10"

                    def pages(url: str, token: str):
                        while url:
                            started = time.perf_counter()
                            body = call(base, "GET", url, token)
                            feed_ms.append(1000 * (time.perf_counter() - started))
                            url = body["next"]
                            yield [item["public_id"] for item in body["results"]]

                    source = pages(url, viewer["token"])
                else:
                    order = (
                        popular_ids
                        if viewer["group"] == "most-popular"
                        else rng.sample(popular_ids, len(popular_ids))
                    )
                    fresh = [p for p in order if p not in viewer["seen"]]
                    source = iter([fresh[i : i + 10] for i in range(0, len(fresh), 10)])
                for page in source:
                    for public_id in page:
                        if watched >= args.session:
                            break
                        w = watch(viewer, public_id)
                        viewer["seen"].add(public_id)
                        watched += 1
                        total += w["seconds"]
                        finished += w["completed"]
                        pending.append(
                            {
                                "video": public_id,
                                "watch_seconds": round(w["seconds"], 2),
                                "replays": w["replays"],
                                "completed": w["completed"],
                                "event_id": secrets.token_hex(8),
                                "source": "for_you",
                            }
                        )
                        if w["liked"]:
                            call(base, "POST", f"/api/v1/videos/{public_id}/like/", viewer["token"])
                    if pending:
                        call(
                            base,
                            "POST",
                            "/api/v1/views/batch/",
                            viewer["token"],
                            {"events": pending},
                        )
                        pending = []
                    if watched >= args.session:
                        break
                results[viewer["group"]].append((round_no, total))
                completion[viewer["group"]].append((round_no, finished / max(1, watched)))
            precompute.refresh()
            connection.close()
            if not redis:
                time.sleep(61)  # the server's cached copy of the state expires (state.READ_TTL)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"{args.videos} videos, {args.topics} hashtags; {args.viewers} viewers per group, "
        f"{args.session} videos per session, {args.rounds} rounds; feed_refresh between rounds; "
        f"cache: {'Redis' if redis else 'local memory (+ FeedState table)'}"
    )
    print()
    print("average seconds watched per session (completion rate)")
    print()
    print("| round | " + " | ".join(groups) + " |")
    print("|---:|" + "---:|" * len(groups))
    for round_no in range(1, args.rounds + 1):
        cells = []
        for g in groups:
            secs = [t for r, t in results[g] if r == round_no]
            comp = [c for r, c in completion[g] if r == round_no]
            cells.append(f"{statistics.mean(secs):.1f} s ({statistics.mean(comp):.0%})")
        print(f"| {round_no} | " + " | ".join(cells) + " |")
    cells = []
    for g in groups:
        secs = [t for _r, t in results[g]]
        cells.append(f"{statistics.mean(secs):.1f} s")
    print("| all | " + " | ".join(cells) + " |")
    feed_ms.sort()
    print()
    print(
        f"GET /api/v1/feed/for-you/ during the run: {len(feed_ms)} requests, "
        f"p50 {statistics.median(feed_ms):.1f} ms, p95 {feed_ms[int(0.95 * (len(feed_ms) - 1))]:.1f} ms"
    )


if __name__ == "__main__":
    main()
