"""schemathesis against the live OpenAPI schema, as two signed-in people (Token auth).

A real daphne serves the test database; two users with videos, a comment, a sound and a
follow between them exist, and schemathesis runs once per user for a bounded number of
examples and time: the schema's examples, coverage, fuzzing, and stateful scenarios that
follow the schema's OpenAPI links (tiktok/api_schema.py). It fails on any 5xx, any response
that breaks the schema, and invalid input the API accepted, in any phase.
Run alone with:  pytest tiktok/tests/test_schemathesis.py -m e2e  (about 3½ minutes)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from videos.engagement import comment_create
from videos.models import Sound

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UPDATE = os.environ.get("SCHEMATHESIS_BASELINE_UPDATE") == "1"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
# Stateful phase: scenarios follow the schema's OpenAPI links (tiktok/api_schema.py), e.g.
# GET videos/ → PATCH videos/{id}/ → POST comments → like that comment → DELETE it.
MAX_STEPS = int(os.environ.get("SCHEMATHESIS_MAX_STEPS", "8"))
# The time budget of each user's run: fuzzing and stateful testing share it.
MAX_TIME = int(os.environ.get("SCHEMATHESIS_MAX_TIME", "90"))
# Seeded, so a run is repeatable; another seed explores other inputs (SCHEMATHESIS_SEED=7).
SEED = os.environ.get("SCHEMATHESIS_SEED", "1")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "content_type_conformance",
        "negative_data_rejection",
    ]
)
# Failures accepted for now, each one in another module (see docs/API.md, "Fuzzing"): the
# run fails only on new ones. SCHEMATHESIS_BASELINE_UPDATE=1 merges this run's failures in.
BASELINE = Path(__file__).with_name("schemathesis-baseline.json")
# Drops one kind of false positive (a multipart string field), see the module.
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
# Operations with side effects that would end the run early or reach outside the site.
EXCLUDE_PATH_REGEX = r"^/api/v1/(auth/token/)$"


@pytest.fixture
def server_env(server_env):
    # Fuzzing sends hundreds of requests from one address: no throttling in this run.
    for scope in ("AUTH", "UPLOAD", "COMMENT", "LIKE", "READ", "READ_ANON", "WRITE"):
        server_env[f"API_THROTTLE_{scope}"] = "100000/min"
    return server_env


def _sound_config(tmp_path: Path, user) -> Path:
    """A sound of the user's for the sounds/{public_id}/ operations: uploads that schemathesis
    makes up are no audio and are refused, so no link from POST sounds/ can supply one."""
    sound = Sound.objects.create(owner=user, title="fuzz sound", status=Sound.Status.READY)
    config = tmp_path / f"schemathesis-{user.username}.toml"
    config.write_text(
        "[[operations]]\n"
        'include-path-regex = "^/api/v1/sounds/\\\\{public_id\\\\}/"\n'
        f'parameters = {{ "path.public_id" = "{sound.public_id}" }}\n'
        "\n[phases.stateful]\n"
        f"max-steps = {MAX_STEPS}\n"
    )
    return config


def test_schemathesis_two_users(live_site, user_factory, video_factory, tmp_path):
    alice = user_factory(username="st_alice")
    bob = user_factory(username="st_bob")
    for author in (alice, bob):
        video = video_factory(author=author, tags=["fuzz"])
        comment_create(user=alice if author == bob else bob, video=video, text="hello there")
    failures = []
    for user in (alice, bob):
        token = Token.objects.create(user=user)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(_sound_config(tmp_path, user)),
                "run",
                f"{live_site}/api/schema/",
                "--checks",
                CHECKS,
                "--max-examples",
                str(MAX_EXAMPLES),
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--exclude-path-regex",
                EXCLUDE_PATH_REGEX,
                "--header",
                f"Authorization: Token {token.key}",
                "--request-timeout",
                "30",
                "--max-time",
                str(MAX_TIME),
                "--seed",
                SEED,
                "--no-color",
                "--suppress-health-check",
                "all",
                *(["--baseline", str(BASELINE)] if BASELINE.exists() or UPDATE else []),
                *(["--baseline-update"] if UPDATE else []),
            ],
            cwd=ROOT,
            env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        report = ROOT / "test-artifacts" / f"schemathesis-{user.username}.txt"
        report.parent.mkdir(exist_ok=True)
        report.write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            failures.append(
                f"--- as {user.username} ---\n{result.stdout[-12000:]}{result.stderr[-3000:]}"
            )
    if failures:
        log = tmp_path / "daphne.log"
        if log.exists():
            (ROOT / "test-artifacts" / "schemathesis-daphne.log").write_bytes(log.read_bytes())
    assert not failures, "\n".join(failures)
