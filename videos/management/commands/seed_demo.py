"""Make a small, lively demo site: a handful of creators and ~20 short vertical videos
generated with ffmpeg (moving test patterns, tones, varied colours), processed through the
real pipeline so they play exactly like uploads."""

import datetime
import random
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from social import services as social_services
from social.models import User
from videos import services
from videos.media import PATTERNS
from videos.models import Video
from videos.testing import make_clip

DEMO_PASSWORD = "repeater-demo"  # noqa: S105 - the documented demo login

CREATORS = [
    (
        "mira.moves",
        "Mira",
        "Dancer. Loops all day 💃",
        {"instagram": "https://www.instagram.com/mira.moves"},
    ),
    (
        "kai_cooks",
        "Kai",
        "Tiny kitchen, big flavour.",
        {"youtube": "https://www.youtube.com/@kaicooks"},
    ),
    (
        "pixelpaul",
        "Paul",
        "Making patterns dance.",
        {"twitch": "https://www.twitch.tv/pixelpaul", "website": "https://example.org/paul"},
    ),
    ("lena.lens", "Lena", "Colour, light, motion.", {"x": "https://x.com/lenalens"}),
    ("beatbox_bo", "Bo", "Beeps and boops.", {"tiktok": "https://www.tiktok.com/@beatboxbo"}),
]
CAPTIONS = [
    "Morning loop ☀️ #dance #fyp",
    "Wait for the drop #music #beats",
    "Colours I can't stop watching #art",
    "Tried the new challenge #challenge #dance",
    "Pattern therapy #satisfying",
    "Kitchen rhythm #food #asmr",
    "This took 3 hours 😅 #art #process",
    "Sound on! #music",
    "Neon dreams #neon #art",
    "Who else loops this? #satisfying #fyp",
    "Friday mood #weekend",
    "New sound just dropped #beats",
    "Duet this! @mira.moves #dance",
    "Glitch garden #glitch #art",
    "Tiny universe #science",
    "Can you spot it? #puzzle",
    "Slow down, breathe #calm",
    "Cellular vibes #science #satisfying",
    "Bars and tones #retro",
    "Last one tonight #fyp #música",
]


class Command(BaseCommand):
    help = "Create demo users and about 20 generated videos (skipped when videos exist)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=20)
        parser.add_argument("--force", action="store_true", help="Seed even if videos exist.")

    def handle(self, *args, count: int, force: bool, **options):
        if Video.objects.exists() and not force:
            self.stdout.write("Videos exist already; nothing to do (use --force).")
            return
        rng = random.Random(7)  # noqa: S311 - demo content, not security
        users = [self._creator(*spec) for spec in CREATORS]
        with tempfile.TemporaryDirectory(prefix="repeater-seed-") as tmp:
            for i in range(count):
                author = users[i % len(users)]
                path = make_clip(
                    Path(tmp) / f"demo{i}.mp4",
                    width=540,
                    height=960,
                    seconds=rng.choice([4, 5, 6]),
                    pattern=PATTERNS[i % len(PATTERNS)],
                    hue=(i * 47) % 360,
                    frequency=220 + 55 * (i % 9),
                )
                # Outside any transaction, video_create commits and processing runs
                # right away (eagerly, or on a worker when a broker is configured).
                with path.open("rb") as handle:
                    video = services.video_create(
                        author=author,
                        upload=handle,
                        size=path.stat().st_size,
                        caption=CAPTIONS[i % len(CAPTIONS)],
                    )
                # Spread the posts over the last two days so the feed has a history.
                Video.objects.filter(pk=video.pk).update(
                    created_at=timezone.now() - datetime.timedelta(minutes=140 * (count - i)),
                )
                video.refresh_from_db()
                self.stdout.write(f"  {video.status:10} @{author.username}: {video.caption}")
        # Trending, the exploration pool and neighbour lists, so For You is ready at once.
        call_command("feed_refresh", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(users)} creators, {count} videos. Log in as any of "
                f"{', '.join(u.username for u in users)} with password '{DEMO_PASSWORD}'."
            )
        )

    def _creator(self, username, name, bio, links) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = social_services.user_create(
                username=username,
                email=f"{username.replace('.', '_')}@example.org",
                password=DEMO_PASSWORD,
                birthdate=datetime.date(1995, 5, 17),
            )
        social_services.profile_update(user=user, display_name=name, bio=bio)
        social_services.links_set(user=user, links=links)
        return user
