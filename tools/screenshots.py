"""Take phone and desktop screenshots of a running site.

    python tools/screenshots.py [base_url] [out_dir] [/path,/other]

Used to look at what we built (the file tool shows PNGs). Not part of the test run.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "test-artifacts/screens")
PAGES = (
    sys.argv[3].split(",")
    if len(sys.argv) > 3
    else ["/", "/@mira.moves/", "/accounts/signup/", "/upload/"]
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]

OUT.mkdir(parents=True, exist_ok=True)
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    for label, viewport, mobile in (
        ("phone", {"width": 390, "height": 844}, True),
        ("desktop", {"width": 1440, "height": 900}, False),
    ):
        ctx = browser.new_context(
            viewport=viewport, is_mobile=mobile, has_touch=mobile, device_scale_factor=1
        )
        page = ctx.new_page()
        for path in PAGES:
            page.goto(BASE + path, wait_until="networkidle")
            page.wait_for_timeout(1200)
            name = path.strip("/").replace("/", "_").replace("@", "") or "home"
            page.screenshot(path=str(OUT / f"{label}-{name}.png"))
            print(OUT / f"{label}-{name}.png")
        ctx.close()
    browser.close()
