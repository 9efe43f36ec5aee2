"""The API of remix culture: sounds, challenges (with the leaderboard), hashtag
suggestions, duets and stitches of a video. Thin like videos/api/views.py."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from social.api import AuthorSerializer

from .. import media
from .. import selectors as video_selectors
from ..api import examples
from ..api.fields import StrictBooleanField, StrictCharField
from ..api.pagination import NewestCursorPagination
from ..api.serializers import VideoSerializer, _absolute
from ..api.views import PayloadTooLarge, _as_drf_error, _cards
from ..models import Challenge, Sound
from ..views import declared_length, upload_body_limit
from . import selectors, services


# --- serializers ----------------------------------------------------------------------------------
class SoundSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="processing, ready or failed")
    owner = AuthorSerializer(read_only=True)
    url = serializers.SerializerMethodField()
    cover = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    uses = serializers.IntegerField(source="uses_count", read_only=True)
    source_video = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Sound
        fields = [
            "public_id",
            "name",
            "title",
            "artist",
            "owner",
            "status",
            "failure_reason",
            "duration",
            "is_original",
            "is_reusable",
            "source_video",
            "uses",
            "url",
            "cover",
            "web_url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, obj):
        """The AAC/M4A to play (null until processed)."""
        return _absolute(self.context.get("request"), obj.audio.url) if obj.audio else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover(self, obj):
        return _absolute(self.context.get("request"), obj.cover.url) if obj.cover else None

    def get_web_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class SoundCreateSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=255, allow_empty_file=False)
    title = StrictCharField(max_length=services.TITLE_MAX)
    artist = StrictCharField(
        max_length=services.TITLE_MAX, required=False, allow_blank=True, default=""
    )
    cover = serializers.FileField(max_length=255, required=False, allow_null=True, default=None)
    is_reusable = StrictBooleanField(default=True)

    def validate_file(self, value):
        if value.size > settings.UPLOAD_MAX_BYTES:
            raise serializers.ValidationError(
                f"The file is larger than {settings.UPLOAD_MAX_BYTES // 2**20} MB."
            )
        # The container check processing makes first (videos/media.py), answered now: a file
        # that is no audio container at all is a 400, not a sound that fails later.
        value.seek(0)
        head = value.read(64)
        value.seek(0)
        if media.sniff_container(head) not in media.AUDIO_DEMUXERS:
            raise serializers.ValidationError(
                _("That file is not audio we can read. Try MP3, M4A, OGG, WAV or FLAC.")
            )
        return value

    def validate_cover(self, value):
        if value is not None and value.size > settings.AVATAR_MAX_BYTES:
            raise serializers.ValidationError("The image is too large.")
        return value


class SoundUpdateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=services.TITLE_MAX, required=False)
    artist = StrictCharField(max_length=services.TITLE_MAX, required=False, allow_blank=True)
    is_reusable = StrictBooleanField(required=False)


class ChallengeSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    sound = SoundSerializer(read_only=True)
    cover = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "slug",
            "hashtag",
            "title",
            "description",
            "rules",
            "starts_at",
            "ends_at",
            "state",
            "featured",
            "sound",
            "cover",
            "web_url",
        ]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        """active, upcoming or past."""
        return obj.state()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover(self, obj):
        return _absolute(self.context.get("request"), obj.cover.url) if obj.cover else None

    def get_web_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class LeaderboardEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    engagement = serializers.IntegerField(help_text="likes + 2 × comments + 3 × shares")
    video = VideoSerializer()


class ChallengeDetailSerializer(ChallengeSerializer):
    entries = serializers.IntegerField(read_only=True, help_text="Entries you can see.")
    leaderboard = LeaderboardEntrySerializer(many=True, read_only=True)

    class Meta(ChallengeSerializer.Meta):
        fields = [*ChallengeSerializer.Meta.fields, "entries", "leaderboard"]
        read_only_fields = fields


class HashtagSuggestionSerializer(serializers.Serializer):
    name = serializers.CharField()
    videos = serializers.IntegerField()


# --- sounds ---------------------------------------------------------------------------------------
class SoundListCreateView(generics.ListCreateAPIView):
    """Sounds you can see, newest first (`q` searches titles and artists, `owner` filters);
    POST uploads music (multipart: file, title, artist, cover, is_reusable)."""

    serializer_class = SoundSerializer
    pagination_class = NewestCursorPagination
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        if request.method == "POST" and declared_length(request) > upload_body_limit():
            raise PayloadTooLarge(
                f"The file is larger than {settings.UPLOAD_MAX_BYTES // 2**20} MB."
            )
        super().initial(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words in the title or artist."),
            OpenApiParameter("owner", str, description="Username of the owner."),
        ],
        examples=examples.SOUND_LIST_EXAMPLES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.visible_sounds(viewer=self.request.user)
        query = (self.request.query_params.get("q") or "")[:100].strip()
        if query:
            from django.db.models import Q

            qs = qs.filter(Q(title__icontains=query) | Q(artist__icontains=query))
        owner = self.request.query_params.get("owner")
        if owner:
            qs = qs.filter(owner__username__iexact=owner[:24])
        return qs

    @extend_schema(
        request=SoundCreateSerializer,
        responses={201: SoundSerializer},
        examples=examples.SOUND_CREATE_EXAMPLES,
    )
    def post(self, request, *args, **kwargs):
        incoming = SoundCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        cover = data.get("cover")
        try:
            sound = services.sound_create(
                owner=request.user,
                upload=data["file"],
                size=data["file"].size,
                title=data["title"],
                artist=data["artist"],
                cover=cover.read() if cover is not None else None,
                is_reusable=data["is_reusable"],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _as_drf_error(exc) from None
        sound = Sound.objects.select_related("owner").get(pk=sound.pk)
        return Response(
            SoundSerializer(sound, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SoundDetailView(APIView):
    # PATCH carries no files: JSON only, as PATCH videos/{id}/ (a form body cannot tell a
    # missing field, an empty one and a body that is no object at all apart).
    parser_classes = [JSONParser]

    def _get(self, request, public_id):
        return selectors.sound_get_visible(viewer=request.user, public_id=public_id)

    @extend_schema(responses=SoundSerializer, examples=examples.SOUND_EXAMPLES)
    def get(self, request, public_id: str):
        return Response(
            SoundSerializer(self._get(request, public_id), context={"request": request}).data
        )

    @extend_schema(
        request=SoundUpdateSerializer,
        responses=SoundSerializer,
        examples=examples.SOUND_UPDATE_EXAMPLES,
    )
    def patch(self, request, public_id: str):
        sound = self._get(request, public_id)
        if sound.owner_id != request.user.pk:
            raise PermissionDenied("Only the owner can change this sound.")
        incoming = SoundUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        try:
            services.sound_update(sound=sound, editor=request.user, **incoming.validated_data)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _as_drf_error(exc) from None
        return Response(SoundSerializer(sound, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, public_id: str):
        sound = selectors.sound_get_owned(viewer=request.user, public_id=public_id)
        if sound is None:
            sound = self._get(request, public_id)
        try:
            services.sound_delete(sound=sound, actor=request.user)
        except DjangoPermissionDenied as exc:
            raise _as_drf_error(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(examples=examples.VIDEO_LIST_EXAMPLES))
class SoundVideosView(generics.ListAPIView):
    """The videos using the sound that you can see, newest first."""

    serializer_class = VideoSerializer
    pagination_class = NewestCursorPagination

    def get_queryset(self):
        sound = selectors.sound_get_visible(
            viewer=self.request.user, public_id=self.kwargs["public_id"]
        )
        return _cards(selectors.sound_videos(viewer=self.request.user, sound=sound))


# --- duets and stitches ---------------------------------------------------------------------------
class VideoRemixesView(generics.ListAPIView):
    """The duets (or stitches) of a video that you can see, newest first."""

    serializer_class = VideoSerializer
    pagination_class = NewestCursorPagination
    kind = "duets"

    def get_queryset(self):
        video = video_selectors.video_get_visible(
            viewer=self.request.user, public_id=self.kwargs["public_id"]
        )
        return _cards(selectors.remixes_of(viewer=self.request.user, video=video, kind=self.kind))


@extend_schema_view(get=extend_schema(examples=examples.DUETS_EXAMPLES))
class VideoDuetsView(VideoRemixesView):
    """The duets of a video that you can see, newest first."""

    kind = "duets"


@extend_schema_view(get=extend_schema(examples=examples.STITCHES_EXAMPLES))
class VideoStitchesView(VideoRemixesView):
    """The stitches of a video that you can see, newest first."""

    kind = "stitches"


# --- challenges and hashtags ----------------------------------------------------------------------
class ChallengeListView(APIView):
    @extend_schema(
        operation_id="v1_challenges_list",
        # A serializer, not a raw schema: a raw {"$ref": "…/Challenge"} left the component
        # unregistered, a dangling reference (tiktok/tests/test_api_schema.py).
        responses=inline_serializer(
            "ChallengeSections",
            {section: ChallengeSerializer(many=True) for section in ("active", "upcoming", "past")},
        ),
        examples=examples.CHALLENGE_LIST_EXAMPLES,
    )
    def get(self, request):
        sections = selectors.challenge_sections()
        context = {"request": request}
        return Response(
            {
                name: ChallengeSerializer(getattr(sections, name), many=True, context=context).data
                for name in ("active", "upcoming", "past")
            }
        )


class ChallengeDetailView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="Leaderboard size (max 50).")],
        responses=ChallengeDetailSerializer,
        examples=examples.CHALLENGE_EXAMPLES,
    )
    def get(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug)
        try:
            limit = max(1, min(int(request.query_params.get("limit", 10)), 50))
        except ValueError:
            limit = 10
        board = selectors.challenge_leaderboard(
            viewer=request.user, challenge=challenge, limit=limit
        )
        context = {"request": request}
        data = ChallengeSerializer(challenge, context=context).data
        data["entries"] = selectors.challenge_entries(
            viewer=request.user, challenge=challenge
        ).count()
        data["leaderboard"] = [
            {
                "rank": i,
                "engagement": video.engagement,
                "video": VideoSerializer(video, context=context).data,
            }
            for i, video in enumerate(board, start=1)
        ]
        return Response(data)


class HashtagSuggestView(APIView):
    @extend_schema(
        operation_id="v1_hashtags_list",
        parameters=[OpenApiParameter("q", str, description="The start of a hashtag.")],
        responses=inline_serializer(
            "HashtagSuggestions", {"results": HashtagSuggestionSerializer(many=True)}
        ),
        examples=examples.HASHTAG_SUGGEST_EXAMPLES,
    )
    def get(self, request):
        return Response(
            {"results": selectors.hashtag_suggestions(prefix=request.query_params.get("q", ""))}
        )
