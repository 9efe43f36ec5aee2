"""DRF views for content. Thin: the selectors decide what is visible, services write."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView
from taggit.models import Tag

from social import api_examples as social_examples
from social import selectors as social_selectors
from social.api import UserSerializer
from social.models import User

from .. import selectors, services
from ..models import Video
from ..views import declared_length, upload_body_limit
from . import examples
from .filters import VideoFilter
from .pagination import FollowingPagination, ForYouPagination, NewestCursorPagination
from .serializers import (
    HashtagSerializer,
    VideoCreateSerializer,
    VideoSerializer,
    VideoUpdateSerializer,
)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _cards(qs):
    """with_cards plus the remix sources the serializer names (one query, not one per row)."""
    return qs.with_cards().select_related("duet_of", "stitch_of")


def _as_drf_error(exc):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return serializers.ValidationError(detail)
    return PermissionDenied(str(exc))


@extend_schema_view(get=extend_schema(examples=examples.FOR_YOU_EXAMPLES))
class ForYouFeedView(generics.ListAPIView):
    """The recommender's ranked feed; each item carries its "Why am I seeing this?" reason."""

    serializer_class = VideoSerializer
    pagination_class = ForYouPagination
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return Video.objects.none()  # ForYouPagination asks the recommender instead


@extend_schema_view(get=extend_schema(examples=examples.VIDEO_LIST_EXAMPLES))
class FollowingFeedView(generics.ListAPIView):
    """Newest videos of the accounts you follow (that you may see), as on /following/."""

    serializer_class = VideoSerializer
    pagination_class = FollowingPagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Video.objects.none()  # FollowingPagination asks the selector instead


@extend_schema_view(get=extend_schema(examples=examples.VIDEO_LIST_EXAMPLES))
class VideoListCreateView(generics.ListCreateAPIView):
    serializer_class = VideoSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = VideoFilter
    pagination_class = NewestCursorPagination
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        # Before authentication: session auth's CSRF check reads the body, and an upload
        # we are going to refuse anyway must not be spooled to disk first.
        if request.method == "POST" and declared_length(request) > upload_body_limit():
            raise PayloadTooLarge(
                f"The file is larger than {settings.UPLOAD_MAX_BYTES // 2**20} MB."
            )
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Video.objects.none()
        return _cards(selectors.visible_videos(viewer=self.request.user))

    @extend_schema(
        request=VideoCreateSerializer,
        responses={201: VideoSerializer},
        examples=examples.VIDEO_CREATE_EXAMPLES,
    )
    def post(self, request, *args, **kwargs):
        incoming = VideoCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            video = services.video_create(
                author=request.user,
                upload=data["file"],
                size=data["file"].size,
                caption=data["caption"],
                visibility=data["visibility"],
                allow_comments=data["allow_comments"],
                allow_duet=data["allow_duet"],
                allow_stitch=data["allow_stitch"],
                allow_sound_reuse=data["allow_sound_reuse"],
                allow_download=data.get("allow_download"),
                remix=incoming.remix_request(),
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _as_drf_error(exc) from None
        video = _cards(Video.objects).get(pk=video.pk)
        return Response(
            VideoSerializer(video, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class VideoDetailView(APIView):
    # JSON only: in form data a blank value silently means "leave as is" (schemathesis).
    parser_classes = [JSONParser]

    def _get(self, request, public_id):
        return selectors.video_get_visible(viewer=request.user, public_id=public_id)

    @extend_schema(responses=VideoSerializer, examples=examples.VIDEO_EXAMPLES)
    def get(self, request, public_id: str):
        return Response(
            VideoSerializer(self._get(request, public_id), context={"request": request}).data
        )

    @extend_schema(
        request=VideoUpdateSerializer,
        responses=VideoSerializer,
        examples=examples.VIDEO_UPDATE_EXAMPLES,
    )
    def patch(self, request, public_id: str):
        video = self._get(request, public_id)
        if video.author_id != request.user.pk:
            raise PermissionDenied("Only the author can edit this video.")
        if not request.data:  # an empty (or unreadable) body asks for nothing
            raise serializers.ValidationError(_("Give at least one field to change."))
        incoming = VideoUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        try:
            services.video_update(video=video, editor=request.user, **incoming.validated_data)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _as_drf_error(exc) from None
        video = _cards(Video.objects).get(pk=video.pk)
        return Response(VideoSerializer(video, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, public_id: str):
        # Authors may delete their own video in any state (processing, failed, hidden);
        # anyone else must at least be able to see it to be told they may not.
        video = selectors.video_get_owned(viewer=request.user, public_id=public_id)
        if video is None:
            video = self._get(request, public_id)
        try:
            services.video_delete(video=video, actor=request.user)
        except DjangoPermissionDenied as exc:
            raise _as_drf_error(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class SuggestedUserSerializer(UserSerializer):
    mutuals = serializers.IntegerField(
        read_only=True, help_text="How many of the accounts you follow follow this one."
    )

    class Meta(UserSerializer.Meta):
        fields = ["username", "display_name", "avatar", "followers", "mutuals"]


class SuggestedUsersView(APIView):
    """Accounts to follow (social.selectors.users_suggested): never you, anyone you follow or
    asked to follow, anyone blocked either way, inactive accounts or 13–15 year olds."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="1–30, default 10", required=False)],
        responses={
            200: inline_serializer(
                "SuggestedUsers", {"results": SuggestedUserSerializer(many=True)}
            )
        },
        examples=social_examples.SUGGESTED_EXAMPLES,
    )
    def get(self, request):
        raw = request.query_params.get("limit", "10")
        if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 3):
            raise serializers.ValidationError({"limit": ["Enter a whole number from 1 to 30."]})
        limit = int(raw)
        if not 1 <= limit <= social_selectors.SUGGESTED_MAX:
            raise serializers.ValidationError({"limit": ["Enter a whole number from 1 to 30."]})
        users = social_selectors.users_suggested(viewer=request.user, limit=limit)
        data = SuggestedUserSerializer(users, many=True, context={"request": request}).data
        return Response({"results": data})


class UserDetailView(APIView):
    @extend_schema(responses=UserSerializer, examples=social_examples.USER_EXAMPLES)
    def get(self, request, username: str):
        user = selectors.profile_get(viewer=request.user, username=username)
        user = User.objects.prefetch_related("links").get(pk=user.pk)
        return Response(UserSerializer(user, context={"request": request}).data)


@extend_schema_view(get=extend_schema(examples=examples.VIDEO_LIST_EXAMPLES))
class UserVideosView(generics.ListAPIView):
    serializer_class = VideoSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = VideoFilter
    pagination_class = NewestCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return Video.objects.none()
        author = selectors.profile_get(viewer=self.request.user, username=self.kwargs["username"])
        if not selectors.can_view_account_videos(viewer=self.request.user, author=author):
            return Video.objects.none()
        return _cards(selectors.visible_videos(viewer=self.request.user).filter(author=author))


def _tags_or_404(name: str) -> list[Tag]:
    tags = selectors.hashtag_tags(name=name)
    if not tags:
        raise Http404("No such hashtag.")
    return tags


class HashtagDetailView(APIView):
    @extend_schema(responses=HashtagSerializer, examples=examples.HASHTAG_EXAMPLES)
    def get(self, request, name: str):
        tags = _tags_or_404(name)
        stats = selectors.with_hashtags(Video.objects.public(), tags).aggregate(
            n=Count("id"), views=Sum("views_count")
        )
        return Response({"name": tags[0].name, "videos": stats["n"], "views": stats["views"] or 0})


@extend_schema_view(get=extend_schema(examples=examples.VIDEO_LIST_EXAMPLES))
class HashtagVideosView(generics.ListAPIView):
    serializer_class = VideoSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = VideoFilter
    pagination_class = NewestCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return Video.objects.none()
        tags = _tags_or_404(self.kwargs["name"])
        return _cards(
            selectors.with_hashtags(selectors.visible_videos(viewer=self.request.user), tags)
        )
