from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from social.api import AuthorSerializer

from .. import media
from ..models import CAPTION_MAX_LENGTH, Sound, Video
from .fields import (
    FormFloatField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
)


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class SoundBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Sound
        fields = ["public_id", "name", "title", "artist"]


def _annotate(context, videos) -> None:
    from ..remix.selectors import remix_permissions_annotate

    request = context.get("request")
    viewer = getattr(request, "user", None)
    remix_permissions_annotate(viewer=viewer, videos=videos)


class VideoListSerializer(serializers.ListSerializer):
    """A page of videos: the viewer's permissions for all of them at once (no N+1)."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        _annotate(self.context, items)
        return super().to_representation(items)


class VideoSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    hashtags = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    poster = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    sound = SoundBriefSerializer(read_only=True, allow_null=True)
    likes = serializers.IntegerField(source="likes_count", read_only=True)
    comments = serializers.IntegerField(source="comments_count", read_only=True)
    views = serializers.IntegerField(source="views_count", read_only=True)
    shares = serializers.IntegerField(source="shares_count", read_only=True)
    duet_of = serializers.SlugRelatedField(slug_field="public_id", read_only=True, allow_null=True)
    stitch_of = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    failure_reason = serializers.CharField(read_only=True)
    # What the requesting viewer may do (issue 7's minors rules, remix audience, switches):
    # worked out for a whole page at once by VideoListSerializer.
    can_duet = serializers.SerializerMethodField()
    can_stitch = serializers.SerializerMethodField()
    can_download = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    template = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The template it used."
    )

    class Meta:
        list_serializer_class = VideoListSerializer
        model = Video
        fields = [
            "public_id",
            "author",
            "caption",
            "hashtags",
            "status",
            "failure_reason",
            "url",
            "poster",
            "web_url",
            "duration",
            "width",
            "height",
            "visibility",
            "allow_comments",
            "allow_duet",
            "allow_stitch",
            "allow_sound_reuse",
            "allow_download",
            "can_duet",
            "can_stitch",
            "can_download",
            "download_url",
            "sound",
            "duet_of",
            "stitch_of",
            "template",
            "likes",
            "comments",
            "views",
            "shares",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_hashtags(self, obj) -> list[str]:
        return obj.hashtag_names

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, obj):
        return _absolute(self.context.get("request"), obj.file.url) if obj.file else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_poster(self, obj):
        return _absolute(self.context.get("request"), obj.poster.url) if obj.poster else None

    def get_web_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())

    def _permissions(self, obj) -> None:
        if not hasattr(obj, "can_duet"):
            _annotate(self.context, [obj])

    def get_can_duet(self, obj) -> bool:
        self._permissions(obj)
        return obj.can_duet

    def get_can_stitch(self, obj) -> bool:
        self._permissions(obj)
        return obj.can_stitch

    def get_can_download(self, obj) -> bool:
        self._permissions(obj)
        return obj.can_download

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, obj):
        self._permissions(obj)
        if not obj.can_download:
            return None
        from django.urls import reverse

        url = reverse("videos:download", args=[obj.author.username, obj.public_id])
        return _absolute(self.context.get("request"), url)


class VideoCreateSerializer(serializers.Serializer):
    # Strict fields (videos/api/fields.py): a form boolean is "true" or "false", not "1",
    # "yes" or "on" — schemathesis's stateful run found those accepted against the schema.
    file = serializers.FileField(max_length=255, allow_empty_file=False)
    caption = StrictCharField(
        max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    visibility = StrictChoiceField(
        choices=Video.Visibility.choices, default=Video.Visibility.PUBLIC
    )
    allow_comments = StrictBooleanField(default=True)
    allow_duet = StrictBooleanField(default=True)
    allow_stitch = StrictBooleanField(default=True)
    allow_sound_reuse = StrictBooleanField(default=True)
    allow_download = StrictBooleanField(
        required=False,
        help_text="Others may save the MP4. Default: on for adults, off for minors; "
        "never possible for authors under 16.",
    )
    # Remix (videos/remix/services.py checks them): one of sound, duet_of, stitch_of.
    sound = StrictCharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text="Public id of a sound to lay under the video.",
    )
    # Bounded in the schema too: no sound is longer than SOUND_MAX_SECONDS, and a value past
    # it (1e308) is refused as invalid input, not accepted and found wrong later.
    sound_offset = FormFloatField(
        default=0.0,
        min_value=0,
        max_value=media.SOUND_MAX_SECONDS,
        help_text="Where in the sound to start, in seconds.",
    )
    original_volume = FormFloatField(
        default=0.0,
        min_value=0,
        max_value=1,
        help_text="The video's own audio under the sound: 0 replaces it, 1 keeps it whole.",
    )
    duet_of = StrictCharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text="Public id of the video to duet.",
    )
    layout = StrictChoiceField(
        choices=Video.DuetLayout.choices,
        default=Video.DuetLayout.SIDE_BY_SIDE,
        help_text="A duet's layout: side by side (horizontal) or top and bottom (vertical).",
    )
    stitch_of = StrictCharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text="Public id of the video to stitch.",
    )
    stitch_start = FormFloatField(default=0.0, min_value=0)
    stitch_end = FormFloatField(
        default=5.0, min_value=0, help_text="At most 5 seconds after stitch_start."
    )

    template = StrictCharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="Slug of a template (GET templates/): its layout is applied; the caption "
        "must not keep its [placeholders]. Without `sound`, the template's sound is used.",
    )
    template_text = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default=None,
        help_text="A text_on_top template: the text to draw (at most 3 lines, 120 characters); "
        "omitted: the template's own.",
    )

    def remix_request(self):
        from ..remix.services import RemixRequest
        from ..remix.templates import template_default_sound

        data = self.validated_data
        sound = data["sound"]
        if data["template"] and "sound" not in self.initial_data:
            sound = template_default_sound(slug=data["template"])
        return RemixRequest(
            sound=sound,
            sound_offset=data["sound_offset"],
            original_volume=data["original_volume"],
            duet_of=data["duet_of"],
            layout=data["layout"],
            stitch_of=data["stitch_of"],
            stitch_start=data["stitch_start"],
            stitch_end=data["stitch_end"],
            template=data["template"],
            template_text=data["template_text"],
        )

    def validate_file(self, value):
        if value.size > settings.UPLOAD_MAX_BYTES:
            raise serializers.ValidationError(
                f"The file is larger than {settings.UPLOAD_MAX_BYTES // 2**20} MB."
            )
        return value


class VideoUpdateSerializer(serializers.Serializer):
    # Strict types: PATCH is JSON only, and 5 is not a caption nor 1 a boolean.
    caption = StrictCharField(max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True)
    visibility = StrictChoiceField(choices=Video.Visibility.choices, required=False)
    allow_comments = StrictBooleanField(required=False)
    allow_duet = StrictBooleanField(required=False)
    allow_stitch = StrictBooleanField(required=False)
    allow_sound_reuse = StrictBooleanField(required=False)
    allow_download = StrictBooleanField(required=False)


class HashtagSerializer(serializers.Serializer):
    name = serializers.CharField()
    videos = serializers.IntegerField()
    views = serializers.IntegerField()
