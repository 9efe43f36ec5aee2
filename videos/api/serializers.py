from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from social.api import AuthorSerializer

from ..models import CAPTION_MAX_LENGTH, Sound, Video


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class SoundBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Sound
        fields = ["public_id", "name", "title", "artist"]


class VideoSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    hashtags = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    poster = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    sound = SoundBriefSerializer(read_only=True)
    likes = serializers.IntegerField(source="likes_count", read_only=True)
    comments = serializers.IntegerField(source="comments_count", read_only=True)
    views = serializers.IntegerField(source="views_count", read_only=True)
    shares = serializers.IntegerField(source="shares_count", read_only=True)
    duet_of = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    stitch_of = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    failure_reason = serializers.CharField(read_only=True)

    class Meta:
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
            "sound",
            "duet_of",
            "stitch_of",
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


class VideoCreateSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=255, allow_empty_file=False)
    caption = serializers.CharField(
        max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    visibility = serializers.ChoiceField(
        choices=Video.Visibility.choices, default=Video.Visibility.PUBLIC
    )
    allow_comments = serializers.BooleanField(default=True)
    allow_duet = serializers.BooleanField(default=True)
    allow_stitch = serializers.BooleanField(default=True)

    def validate_file(self, value):
        if value.size > settings.UPLOAD_MAX_BYTES:
            raise serializers.ValidationError(
                f"The file is larger than {settings.UPLOAD_MAX_BYTES // 2**20} MB."
            )
        return value


class VideoUpdateSerializer(serializers.Serializer):
    caption = serializers.CharField(max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Video.Visibility.choices, required=False)
    allow_comments = serializers.BooleanField(required=False)
    allow_duet = serializers.BooleanField(required=False)
    allow_stitch = serializers.BooleanField(required=False)


class HashtagSerializer(serializers.Serializer):
    name = serializers.CharField()
    videos = serializers.IntegerField()
    views = serializers.IntegerField()
