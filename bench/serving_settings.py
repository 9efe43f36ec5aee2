"""Settings for bench/serving_cost.py's server: the site's own settings, plus one bare JSON
endpoint (bench/serving_urls.py) to compare the For You endpoint with."""

from tiktok.settings import *  # noqa: F403

ROOT_URLCONF = "bench.serving_urls"
