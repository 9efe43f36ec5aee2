"""Plain-HTTP throughput: one daphne process against uvicorn workers, side by side.

    apt-get install wrk   # once
    .venv/bin/python bench/http_throughput.py [--seconds 10] [--connections 32] [--workers 2]

DESIGN.md: daphne serves WebSockets, but plain HTTP must not be held back by one daphne
process. This starts each server on the same demo database (bench/out/http.sqlite3, seeded
with generated videos on first use), drives it with wrk, and prints requests per second for
a bare health check, the For You page (HTML) and the For You API, with the ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from _common import free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PATHS = ["/healthz", "/", "/api/v1/feed/for-you/"]


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{OUT / 'http.sqlite3'}",
        "MEDIA_ROOT": str(OUT / "http-media"),
        "PRIVATE_MEDIA_ROOT": str(OUT / "http-private"),
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--count", "12"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    servers = {
        "daphne x1": lambda port: [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "tiktok.asgi:application",
        ],
        f"uvicorn x{args.workers}": lambda port: [
            sys.executable,
            "-m",
            "uvicorn",
            "tiktok.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
        ],
    }
    results: dict[str, dict[str, float]] = {}
    for name, command in servers.items():
        port = free_port()
        proc = subprocess.Popen(
            command(port),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_http(f"{base}/healthz")
            for path in PATHS:  # warm up
                wrk(base + path, 2, 4)
            results[name] = {
                path: wrk(base + path, args.seconds, args.connections) for path in PATHS
            }
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:  # daphne waits on idle keep-alive sockets
                proc.kill()
                proc.wait()
    names = list(results)
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s, DEBUG=false, SQLite, 2 cores")
    print(f"{'path':28}" + "".join(f"{n + ' req/s':>20}" for n in names) + f"{'ratio':>8}")
    for path in PATHS:
        a, b = (results[n][path] for n in names)
        print(f"{path:28}{a:>20.0f}{b:>20.0f}{b / a:>8.2f}")


if __name__ == "__main__":
    main()
