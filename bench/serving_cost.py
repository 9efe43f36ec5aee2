"""What serving For You costs at scale, on PostgreSQL.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/serving_cost.py \
        [--videos 100000 --users 10000 --events 2000000] [--keep]

Creates its own database (default repeater_bench on 127.0.0.1, as user postgres; never the
site's), migrates it, and fills it with COPY: users, hashtags, sounds, videos with 1–3
hashtags, follows, likes and watch events (each viewer with two favourite hashtags, videos
with Zipf-like popularity, 30 days of history). Runs `feed_refresh` (timed), starts one
daphne on that database with the cache on Redis, and measures, one request at a time:

- GET /api/v1/feed/for-you/ for signed-in viewers with history (token auth), first pages
  and the pages after them, and for anonymous viewers;
- GET /bench/bare/ (bench/serving_urls.py): one query and a small JSON answer on the same
  server, the floor any request pays.

Queries per request are counted in-process with Django's test client on the same database.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from _common import free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed_get(url: str, token: str | None = None) -> tuple[float, dict]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        body = response.read()
    return 1000 * (time.perf_counter() - started), json.loads(body)


def zipf_sampler(n: int, s: float, rng: random.Random):
    weights = list(itertools.accumulate(1 / (i + 1) ** s for i in range(n)))
    total = weights[-1]
    return lambda: bisect.bisect_left(weights, rng.random() * total)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * (len(values) - 1) + 0.5))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--tags", type=int, default=300)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database", default="repeater_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="reuse the data of a previous run")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if args.database in {"repeater", "test_repeater"}:
        sys.exit("Use a database of its own.")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the server and this script share the cache.")
    rng = random.Random(args.seed)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "CACHE_PREFIX": f"bench-serve-{secrets.token_hex(3)}",
        "CHANNELS_PREFIX": f"bench-serve-{secrets.token_hex(3)}",
        "CELERY_BROKER_URL": "",
        "DJANGO_SETTINGS_MODULE": "bench.serving_settings",
        "LOG_LEVEL": "WARNING",
    }
    host = args.pg.rsplit("@", 1)[-1].split(":")[0]
    user = args.pg.split("//", 1)[1].split("@")[0]
    if not args.keep:
        subprocess.run(["dropdb", "--if-exists", "-h", host, "-U", user, args.database], check=True)
        subprocess.run(["createdb", "-h", host, "-U", user, args.database], check=True)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from social.models import Follow, User
    from videos.models import Like, Sound, TaggedVideo, Video, WatchEvent

    call_command("migrate", verbosity=0)
    timings: dict[str, float] = {}

    def copy(model, rows):
        """COPY rows (dicts keyed by column attribute names) into model's table; every other
        column gets the field's default, as the ORM would have given it."""
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in first]
        names = ", ".join(f.column for f in fields)
        sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as out:
            for row in itertools.chain([first], rows):
                out.write_row(
                    [row[f.attname] if f.attname in row else f.get_default() for f in fields]
                )

    now = timezone.now()
    if not args.keep:
        generation_started = time.monotonic()
        birth = dt.date(1995, 5, 5)
        copy(
            User,
            (
                {
                    "id": i,
                    "username": f"u{i}",
                    "email": f"u{i}@example.org",
                    "password": "!",
                    "birthdate": birth,
                    "date_joined": now,
                }
                for i in range(1, args.users + 1)
            ),
        )
        from taggit.models import Tag

        copy(
            Tag, ({"id": i, "name": f"tag{i}", "slug": f"tag{i}"} for i in range(1, args.tags + 1))
        )
        creators = max(50, args.users // 5)
        sounds = max(100, args.videos // 50)
        copy(
            Sound,
            (
                {
                    "id": i,
                    "title": f"sound {i}",
                    "owner_id": rng.randint(1, creators),
                    "created_at": now,
                }
                for i in range(1, sounds + 1)
            ),
        )
        tag_of_creator = {c: rng.sample(range(1, args.tags + 1), 2) for c in range(1, creators + 1)}
        pick_creator = zipf_sampler(creators, 0.8, rng)
        video_tags: dict[int, list[int]] = {}
        videos_by_tag: dict[int, list[int]] = {t: [] for t in range(1, args.tags + 1)}
        video_rows = []
        for vid in range(1, args.videos + 1):
            author = pick_creator() + 1
            tags = {rng.choice(tag_of_creator[author])}
            while rng.random() < 0.4 and len(tags) < 3:
                tags.add(rng.randint(1, args.tags))
            video_tags[vid] = sorted(tags)
            for t in tags:
                videos_by_tag[t].append(vid)
            roll = rng.random()
            video_rows.append(
                {
                    "id": vid,
                    "public_id": secrets.token_urlsafe(8),
                    "author_id": author,
                    "caption": "",
                    "status": "ready",
                    "visibility": "public"
                    if roll < 0.95
                    else "followers"
                    if roll < 0.98
                    else "private",
                    "is_hidden": rng.random() < 0.005,
                    "file": f"videos/b{vid}/v.mp4",
                    "poster": f"videos/b{vid}/p.jpg",
                    "duration": round(rng.uniform(5, 60), 1),
                    "width": 720,
                    "height": 1280,
                    "sound_id": rng.randint(1, sounds) if rng.random() < 0.5 else None,
                    "created_at": now - dt.timedelta(seconds=rng.uniform(0, 60 * 86400)),
                }
            )
        copy(Video, video_rows)
        copy(
            TaggedVideo,
            (
                {"content_object_id": vid, "tag_id": t}
                for vid, tags in video_tags.items()
                for t in tags
            ),
        )
        follows = set()
        for u in range(1, args.users + 1):
            for _ in range(15):
                c = pick_creator() + 1
                if c != u:
                    follows.add((u, c))
        copy(
            Follow,
            (
                {
                    "follower_id": a,
                    "followee_id": b,
                    "created_at": now - dt.timedelta(seconds=rng.uniform(0, 90 * 86400)),
                }
                for a, b in follows
            ),
        )
        durations = {r["id"]: r["duration"] for r in video_rows}
        favourite = {u: rng.sample(range(1, args.tags + 1), 2) for u in range(1, args.users + 1)}
        pick_user = zipf_sampler(args.users, 0.6, rng)
        pick_video = zipf_sampler(args.videos, 0.9, rng)
        likes: set[tuple[int, int]] = set()

        def events():
            for _ in range(args.events):
                u = pick_user() + 1
                if rng.random() < 0.5:
                    pool = videos_by_tag[rng.choice(favourite[u])]
                    vid = pool[min(len(pool) - 1, int(rng.expovariate(1 / 40)))] if pool else 1
                else:
                    vid = pick_video() + 1
                length = durations[vid]
                liked_topic = bool(set(video_tags[vid]) & set(favourite[u]))
                completed = rng.random() < (0.6 if liked_topic else 0.3)
                seconds = length if completed else length * rng.betavariate(1, 3)
                if completed and rng.random() < 0.08:
                    likes.add((u, vid))
                yield {
                    "user_id": u,
                    "session_hash": "",
                    "video_id": vid,
                    "watch_seconds": round(seconds, 2),
                    "completed": completed,
                    "replays": 0,
                    "skipped": not completed and (seconds < 2 or seconds < 0.2 * length),
                    "source": "for_you",
                    "event_key": uuid.uuid4(),
                    "created_at": now - dt.timedelta(seconds=rng.uniform(0, 30 * 86400)),
                }

        copy(WatchEvent, events())
        copy(
            Like,
            (
                {
                    "user_id": u,
                    "video_id": v,
                    "created_at": now - dt.timedelta(seconds=rng.uniform(0, 30 * 86400)),
                }
                for u, v in likes
            ),
        )
        with connection.cursor() as cursor:
            for table, seq in [
                ("social_user", "id"),
                ("taggit_tag", "id"),
                ("videos_sound", "id"),
                ("videos_video", "id"),
            ]:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{seq}'), "  # noqa: S608
                    f"(SELECT MAX({seq}) FROM {table}))"
                )
            cursor.execute(
                "UPDATE social_user u SET followers_count = c.n FROM (SELECT followee_id, "
                "count(*) n FROM social_follow GROUP BY 1) c WHERE u.id = c.followee_id"
            )
            cursor.execute(
                "UPDATE videos_video v SET views_count = c.n FROM (SELECT video_id, count(*) n "
                "FROM videos_watchevent GROUP BY 1) c WHERE v.id = c.video_id"
            )
            cursor.execute(
                "UPDATE videos_video v SET likes_count = c.n FROM (SELECT video_id, count(*) n "
                "FROM videos_like GROUP BY 1) c WHERE v.id = c.video_id"
            )
            cursor.execute("ANALYZE")
        timings["generate + COPY"] = time.monotonic() - generation_started

    counts = {
        "videos": Video.objects.count(),
        "users": User.objects.count(),
        "watch events": WatchEvent.objects.count(),
        "likes": Like.objects.count(),
        "follows": Follow.objects.count(),
        "hashtag links": TaggedVideo.objects.count(),
    }
    refresh_started = time.monotonic()
    from videos.feed import precompute

    report = precompute.refresh()
    timings["feed_refresh"] = time.monotonic() - refresh_started
    viewers = list(
        User.objects.filter(pk__in=range(1, args.users + 1, max(1, args.users // 200))).values_list(
            "pk", flat=True
        )
    )
    tokens = [Token.objects.get_or_create(user_id=pk)[0].key for pk in viewers]

    # Queries per request, in-process on the same database and cache.
    from django.db import connection as conn
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def queries(url: str, token: str | None) -> int:
        client = Client(HTTP_AUTHORIZATION=f"Token {token}") if token else Client()
        with CaptureQueriesContext(conn) as ctx:
            response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content[:300]
        return len(ctx.captured_queries)

    q_signed = queries("/api/v1/feed/for-you/", tokens[3])
    q_anon = queries("/api/v1/feed/for-you/", None)
    q_bare = queries("/bench/bare/", None)
    connection.close()

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
    try:
        wait_http(f"{base}/healthz", timeout=60)
        for i in range(10):  # warm up
            timed_get(f"{base}/bench/bare/")
            timed_get(f"{base}/api/v1/feed/for-you/", tokens[i % len(tokens)])
        first, later, anon, bare = [], [], [], []
        for i in range(args.requests):
            token = tokens[i % len(tokens)]
            ms, body = timed_get(f"{base}/api/v1/feed/for-you/", token)
            first.append(ms)
            if body.get("next"):
                ms, _ = timed_get(body["next"], token)
                later.append(ms)
            ms, _ = timed_get(f"{base}/api/v1/feed/for-you/")
            anon.append(ms)
            ms, _ = timed_get(f"{base}/bench/bare/")
            bare.append(ms)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print("PostgreSQL, one daphne process, cache on Redis, requests one at a time")
    print("data: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    print(
        "timings: "
        + ", ".join(f"{name} {secs:.0f} s" for name, secs in timings.items())
        + f" (refresh: {report.as_dict()})"
    )
    print()
    print("| endpoint | requests | p50 ms | p95 ms | queries/request |")
    print("|---|---:|---:|---:|---:|")
    rows = [
        ("GET /api/v1/feed/for-you/ signed in, first page (10)", first, q_signed),
        ("GET /api/v1/feed/for-you/ signed in, next page (cursor)", later, q_signed),
        ("GET /api/v1/feed/for-you/ anonymous", anon, q_anon),
        ("GET /bench/bare/ (one query)", bare, q_bare),
    ]
    for name, values, q in rows:
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {pct(values, 0.95):.1f} | {q} |"
        )


if __name__ == "__main__":
    main()
