"""A third-party client of the Repeater API, using only `requests`.

    python examples/api_client.py --base http://127.0.0.1:8000 --username mira.moves \
        --password repeater-demo --video clip.mp4

Gets a token, uploads a video, waits until it is ready, reads the For You feed, likes a
video and comments on it. Prints what it did; exits non-zero if any step fails.
"""

from __future__ import annotations

import argparse
import sys
import time

import requests


class Repeater:
    def __init__(self, base: str, timeout: float = 30):
        self.base = base.rstrip("/") + "/api/v1/"
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs) -> dict:
        response = self.session.request(method, self.base + path, timeout=self.timeout, **kwargs)
        if response.status_code >= 400:
            error = response.json().get("error", {}) if response.content else {}
            raise RuntimeError(f"{method} {path}: {response.status_code} {error.get('message')}")
        return response.json() if response.content else {}

    def login(self, username: str, password: str) -> None:
        token = self._call("POST", "auth/token/", json={"username": username, "password": password})
        self.session.headers["Authorization"] = f"Token {token['token']}"

    def upload(self, path: str, caption: str) -> dict:
        with open(path, "rb") as handle:
            return self._call("POST", "videos/", files={"file": handle}, data={"caption": caption})

    def wait_ready(self, public_id: str, seconds: float = 120) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            video = self._call("GET", f"videos/{public_id}/")
            if video["status"] != "processing":
                return video
            if time.monotonic() > deadline:
                raise RuntimeError("the video is still processing")
            time.sleep(1)

    def for_you(self, page_size: int = 5) -> list[dict]:
        return self._call("GET", "feed/for-you/", params={"page_size": page_size})["results"]

    def like(self, public_id: str) -> dict:
        return self._call("POST", f"videos/{public_id}/like/")

    def comment(self, public_id: str, text: str) -> dict:
        return self._call("POST", f"videos/{public_id}/comments/", json={"text": text})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--video", required=True, help="a video file to upload")
    args = parser.parse_args()

    api = Repeater(args.base)
    api.login(args.username, args.password)
    print(f"logged in as {args.username}")
    posted = api.upload(args.video, "Posted from the API client #api")
    print(f"uploaded {posted['public_id']} ({posted['status']})")
    video = api.wait_ready(posted["public_id"])
    if video["status"] != "ready":
        print(f"processing failed: {video['failure_reason']}", file=sys.stderr)
        return 1
    print(f"ready: {video['width']}x{video['height']}, {video['duration']:.1f} s at {video['url']}")
    feed = api.for_you()
    print(f"For You: {[v['public_id'] for v in feed]}")
    target = feed[0]["public_id"] if feed else video["public_id"]
    liked = api.like(target)
    print(f"liked {target}: {liked['likes']} likes")
    comment = api.comment(target, "Hello from the API client 👋")
    print(f"commented {comment['id']} on {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
