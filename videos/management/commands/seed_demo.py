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
from videos.models import Sound, Template, Video
from videos.remix.services import RemixRequest
from videos.remix.templates import template_background_encode, template_preview_render
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
            self._templates(users, Path(tmp))
        # Trending, the exploration pool and neighbour lists, so For You is ready at once.
        call_command("feed_refresh", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(users)} creators, {count} videos. Log in as any of "
                f"{', '.join(u.username for u in users)} with password '{DEMO_PASSWORD}'."
            )
        )

    def _templates(self, users, tmp: Path) -> None:
        """One template per layout, previews rendered from the layouts, and one video made
        with the green screen so the gallery shows a use."""
        original = Video.objects.filter(status=Video.Status.READY, allow_duet=True).first()
        sound = Sound.objects.filter(
            is_original=True, is_reusable=True, status=Sound.Status.READY
        ).first()
        specs = [
            {
                "slug": "postcard",
                "name": "Postcard from…",
                "description": "Stand in front of a green wall: we put you in the sunset.",
                "layout": Template.Layout.GREEN_SCREEN,
                "caption_scaffold": "Greetings from [your city]",
                "hashtag": "postcard",
                "featured": True,
            },
            {
                "slug": "pov",
                "name": "POV",
                "description": "A line of text over the top of your clip.",
                "layout": Template.Layout.TEXT_ON_TOP,
                "text": "POV: you finally\nfound the perfect loop",
                "caption_scaffold": "When [what happened] #pov",
                "hashtag": "pov",
                "sound": sound,
                "ordering": 1,
            },
            {
                "slug": "react",
                "name": "React to this",
                "description": "Side by side with the original: show your face.",
                "layout": Template.Layout.SIDE_BY_SIDE,
                "caption_scaffold": "My reaction to [what you saw]",
                "hashtag": "reaction",
                "original": original,
                "ordering": 2,
            },
        ]
        for spec in specs:
            if Template.objects.filter(slug=spec["slug"]).exists():
                continue
            if spec["layout"] == Template.Layout.SIDE_BY_SIDE and original is None:
                continue
            template = Template(**spec)
            if template.layout == Template.Layout.GREEN_SCREEN:
                template.background.save(
                    "bg.jpg", template_background_encode(data=_sunset_png()), save=False
                )
            template.save()
            template_preview_render(template=template)
            self.stdout.write(f"  template   {template.name} ({template.get_layout_display()})")
        postcard = Template.objects.filter(slug="postcard").first()
        if postcard is not None and not postcard.videos.exists():
            path = make_clip(
                tmp / "green.mp4", width=540, height=960, seconds=4, pattern="greenscreen"
            )
            with path.open("rb") as handle:
                services.video_create(
                    author=users[3 % len(users)],
                    upload=handle,
                    size=path.stat().st_size,
                    caption="Greetings from Pattern City #postcard",
                    remix=RemixRequest(template=postcard.slug),
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


def _sunset_png() -> bytes:
    """A sunset sky over a dark skyline, drawn with Pillow: the demo green screen's picture."""
    import io

    from PIL import Image, ImageDraw

    width, height = 540, 960
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=(int(40 + 215 * t), int(30 + 110 * t), int(120 - 60 * t)),
        )
    draw.ellipse((170, 520, 370, 720), fill=(255, 200, 90))
    rng = random.Random(3)  # noqa: S311 - demo content
    x = 0
    while x < width:
        w, h = rng.randint(30, 80), rng.randint(120, 360)
        draw.rectangle((x, height - h, x + w, height), fill=(25, 20, 40))
        x += w + rng.randint(2, 10)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
