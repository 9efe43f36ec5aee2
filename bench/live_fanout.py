"""How long one like takes to reach every subscribed WebSocket client, on the Redis layer.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/live_fanout.py --clients 100 1000 --servers 2

Starts --servers daphne processes sharing Redis (the scale-out setup), connects N clients
spread over them, all subscribed to one video, then likes it through the API of the first
server. Reports, per N: the like's HTTP round trip, and the time from sending the like until
the median / 95th percentile / last client saw the new count. Uses its own SQLite database
(or DATABASE_URL) under bench/out/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def setup(env: dict[str, str]) -> tuple[str, str]:
    """Migrate and create one video and one liker with a token; returns (public_id, token)."""
    script = """
import django, datetime
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rest_framework.authtoken.models import Token
from social.models import User
from videos.models import Video
author, _ = User.objects.get_or_create(username="bench_author", defaults={"birthdate": datetime.date(1990, 1, 1)})
Video.objects.filter(author=author).delete()
video = Video.objects.create(author=author, status="ready", file="videos/x/v.mp4", poster="videos/x/p.jpg", width=720, height=1280, duration=5)
fan, _ = User.objects.get_or_create(username="bench_fan", defaults={"birthdate": datetime.date(1990, 1, 1)})
token, _ = Token.objects.get_or_create(user=fan)
print(video.public_id, token.key)
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return out[-2], out[-1]


async def run_round(servers: list[str], public_id: str, token: str, clients: int) -> dict:
    import websockets

    arrived: list[float] = []
    sockets = []
    done = asyncio.Event()
    sent_at = 0.0

    async def client(url: str):
        ws = await websockets.connect(url, origin="http://127.0.0.1", max_queue=None)
        sockets.append(ws)
        await ws.send(json.dumps({"subscribe": [public_id]}))
        first = json.loads(await ws.recv())
        assert first["type"] == "video.stats", first
        return ws

    urls = [s.replace("http://", "ws://") + "/ws/live/" for s in servers]
    # Connect in batches so the accept queue is not the thing measured.
    for start in range(0, clients, 100):
        await asyncio.gather(
            *(client(urls[i % len(urls)]) for i in range(start, min(clients, start + 100)))
        )
    baseline = {"likes": None}

    async def listen(ws):
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "video.stats" and message["likes"] != baseline["likes"]:
                arrived.append(time.perf_counter() - sent_at)
                if len(arrived) == clients:
                    done.set()
                return

    # Learn the current count first (likes accumulate across rounds).
    baseline["likes"] = await asyncio.to_thread(current_likes, servers[0], public_id)
    tasks = [asyncio.create_task(listen(ws)) for ws in sockets]
    await asyncio.sleep(0.5)
    sent_at = time.perf_counter()
    http_ms = await asyncio.to_thread(toggle_like, servers[0], public_id, token, baseline)
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    arrived.sort()
    return {
        "clients": clients,
        "http_ms": http_ms,
        "p50_ms": 1000 * statistics.median(arrived),
        "p95_ms": 1000 * arrived[int(0.95 * (len(arrived) - 1))],
        "last_ms": 1000 * arrived[-1],
    }


def current_likes(base: str, public_id: str) -> int:
    with urllib.request.urlopen(f"{base}/api/v1/videos/{public_id}/", timeout=10) as r:  # noqa: S310
        return json.loads(r.read())["likes"]


def toggle_like(base: str, public_id: str, token: str, baseline: dict) -> float:
    method = "DELETE" if baseline["likes"] else "POST"
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/v1/videos/{public_id}/like/",
        method=method,
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()
    return 1000 * (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--servers", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: this measures the Redis channel layer.")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{OUT / 'live.sqlite3'}"),
        "CHANNELS_PREFIX": f"bench-{secrets.token_hex(3)}",
        "CELERY_QUEUE": "bench",
        "DJANGO_SETTINGS_MODULE": "tiktok.settings",
        "LOG_LEVEL": "WARNING",
    }
    public_id, token = setup(env)
    procs, servers = [], []
    try:
        for _ in range(args.servers):
            port = free_port()
            procs.append(
                subprocess.Popen(
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
            )
            servers.append(f"http://127.0.0.1:{port}")
        for base in servers:
            wait_http(f"{base}/healthz")
        rows = [asyncio.run(run_round(servers, public_id, token, n)) for n in args.clients]
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"{args.servers} daphne processes, Redis channel layer")
    print(f"{'clients':>8} {'like HTTP ms':>13} {'p50 ms':>8} {'p95 ms':>8} {'last ms':>8}")
    for row in rows:
        print(
            f"{row['clients']:>8} {row['http_ms']:>13.1f} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['last_ms']:>8.1f}"
        )
    if len(rows) > 1:
        print(
            f"last-client time ratio {rows[-1]['clients']}/{rows[0]['clients']} clients: "
            f"{rows[-1]['last_ms'] / rows[0]['last_ms']:.2f}"
        )


if __name__ == "__main__":
    main()
