"""API for engagement: likes, comments, shares, follows, blocks, notifications. Thin views:
selectors decide visibility, engagement/graph services write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from social import graph
from social import selectors as social_selectors
from social.api import AuthorSerializer
from social.models import Notification, User

from .. import engagement, selectors
from ..models import Comment, CommentLike, Video
from . import examples as api_examples
from .fields import StrictCharField
from .pagination import NewestCursorPagination, UsernameCursorPagination


def _drf(exc):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return serializers.ValidationError(detail)
    return PermissionDenied(str(exc.args[0]) if exc.args else None)


def _video(request, public_id: str) -> Video:
    return selectors.video_get_visible(viewer=request.user, public_id=public_id)


LikeResult = inline_serializer(
    "LikeResult", {"liked": serializers.BooleanField(), "likes": serializers.IntegerField()}
)


class VideoLikeView(APIView):
    permission_classes = [IsAuthenticated]

    def _answer(self, video_pk: int, liked: bool):
        likes = Video.objects.values_list("likes_count", flat=True).get(pk=video_pk)
        return Response({"liked": liked, "likes": likes})

    @extend_schema(request=None, responses=LikeResult, examples=api_examples.LIKE_EXAMPLES)
    def post(self, request, public_id: str):
        video = _video(request, public_id)
        try:
            engagement.like_create(user=request.user, video=video)
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise _drf(exc) from None
        return self._answer(video.pk, True)

    @extend_schema(request=None, responses={200: LikeResult}, examples=api_examples.UNLIKE_EXAMPLES)
    def delete(self, request, public_id: str):
        video = _video(request, public_id)
        engagement.like_delete(user=request.user, video=video)
        return self._answer(video.pk, False)


class ShareSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=["link", "native", "embed"], default="link")


class VideoShareView(APIView):
    permission_classes = []
    # JSON only: in form data a blank channel would silently mean the default.
    parser_classes = [JSONParser]

    @extend_schema(
        request=ShareSerializer,
        responses=inline_serializer("ShareResult", {"shares": serializers.IntegerField()}),
        examples=api_examples.SHARE_EXAMPLES,
    )
    def post(self, request, public_id: str):
        video = _video(request, public_id)
        incoming = ShareSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not request.user.is_authenticated and not request.session.session_key:
            request.session.save()
        try:
            key = engagement.viewer_key(user=request.user, session_key=request.session.session_key)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        try:
            engagement.share_record(
                video=video, key=key, user=request.user, channel=incoming.validated_data["channel"]
            )
        except DjangoPermissionDenied as exc:
            raise _drf(exc) from None
        shares = Video.objects.values_list("shares_count", flat=True).get(pk=video.pk)
        return Response({"shares": shares})


class CommentSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    author = AuthorSerializer(read_only=True)
    parent = serializers.SlugRelatedField(slug_field="public_id", read_only=True, allow_null=True)
    likes = serializers.IntegerField(source="likes_count", read_only=True)
    replies = serializers.IntegerField(source="replies_count", read_only=True)
    liked = serializers.SerializerMethodField()
    # "visible", or held by a comment filter: only the commenter (and, for the creator's own
    # filter, the creator) ever receives a held comment.
    status = serializers.ChoiceField(choices=Comment.Status.choices, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "author",
            "text",
            "parent",
            "likes",
            "replies",
            "liked",
            "status",
            "created_at",
        ]
        read_only_fields = fields

    def get_liked(self, obj) -> bool:
        return obj.pk in self.context.get("liked_ids", ())


class CommentCreateSerializer(serializers.Serializer):
    # Strict: only a JSON string, and at most MAX_LENGTH characters as sent (not after trimming).
    text = StrictCharField(max_length=Comment.MAX_LENGTH, trim_whitespace=True)
    parent = StrictCharField(max_length=16, required=False, allow_null=True, allow_blank=True)


@extend_schema_view(get=extend_schema(examples=api_examples.COMMENT_LIST_EXAMPLES))
class VideoCommentsView(generics.ListCreateAPIView):
    serializer_class = CommentSerializer
    pagination_class = NewestCursorPagination

    def get_queryset(self):
        video = _video(self.request, self.kwargs["public_id"])
        self.video = video
        blocked = social_selectors.blocked_user_ids(user=self.request.user)
        return (
            Comment.objects.filter(video=video, is_removed=False)
            .filter(selectors.comments_visible_q(viewer=self.request.user, video=video))
            .exclude(author_id__in=blocked)
            .select_related("author", "parent")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        liked = set()
        if request.user.is_authenticated and page:
            liked = set(
                CommentLike.objects.filter(user=request.user, comment__in=page).values_list(
                    "comment_id", flat=True
                )
            )
        data = CommentSerializer(
            page, many=True, context={"liked_ids": liked, "request": request}
        ).data
        response = self.get_paginated_response(data)
        response.data["allow_comments"] = self.video.allow_comments
        return response

    @extend_schema(
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
        examples=api_examples.COMMENT_EXAMPLES,
    )
    def post(self, request, public_id: str):
        if not request.user.is_authenticated:
            raise PermissionDenied("Log in to comment.")
        video = _video(request, public_id)
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        parent = None
        parent_id = incoming.validated_data.get("parent")
        if parent_id:
            parent = (
                Comment.objects.select_related("author")
                .filter(public_id=parent_id, video=video)
                .first()
            )
            if parent is None:
                raise serializers.ValidationError({"parent": ["That comment is not available."]})
        try:
            comment = engagement.comment_create(
                user=request.user, video=video, text=incoming.validated_data["text"], parent=parent
            )
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise _drf(exc) from None
        comment = Comment.objects.select_related("author", "parent").get(pk=comment.pk)
        return Response(
            CommentSerializer(comment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _comment(request, public_id: str, *, moderating: bool = False) -> Comment:
    """A comment the viewer may see. Moderating (deleting), the video's owner and staff
    reach comments across a block too: blocking a troll must not shield their comments."""
    comment = (
        Comment.objects.select_related("video__author", "author")
        .filter(public_id=public_id[:16], is_removed=False)
        .first()
    )
    if comment is None or not selectors.can_view_video(viewer=request.user, video=comment.video):
        raise Http404
    if not selectors.can_see_comment(viewer=request.user, comment=comment):
        raise Http404
    user = request.user
    moderator = user.is_authenticated and (user.pk == comment.video.author_id or user.is_staff)
    if not (moderating and moderator) and social_selectors.is_blocked_between(
        a=user, b=comment.author
    ):
        raise Http404
    return comment


class CommentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, public_id: str):
        comment = _comment(request, public_id, moderating=True)
        try:
            engagement.comment_delete(user=request.user, comment=comment)
        except DjangoPermissionDenied as exc:
            raise _drf(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentApproveView(APIView):
    """POST comments/{id}/approve/: the creator approves a comment their filter held
    (moderators approve site-wide holds in the admin, or here)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=CommentSerializer, examples=api_examples.COMMENT_APPROVE_EXAMPLES
    )
    def post(self, request, public_id: str):
        comment = _comment(request, public_id, moderating=True)
        try:
            engagement.comment_approve(user=request.user, comment=comment)
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise _drf(exc) from None
        comment = Comment.objects.select_related("author", "parent").get(pk=comment.pk)
        return Response(CommentSerializer(comment, context={"request": request}).data)


class CommentLikeView(APIView):
    permission_classes = [IsAuthenticated]

    def _answer(self, comment: Comment, liked: bool):
        likes = Comment.objects.values_list("likes_count", flat=True).get(pk=comment.pk)
        return Response({"liked": liked, "likes": likes})

    @extend_schema(request=None, responses=LikeResult, examples=api_examples.LIKE_EXAMPLES)
    def post(self, request, public_id: str):
        comment = _comment(request, public_id)
        try:
            engagement.comment_like_create(user=request.user, comment=comment)
        except DjangoPermissionDenied as exc:
            raise _drf(exc) from None
        return self._answer(comment, True)

    @extend_schema(request=None, responses={200: LikeResult}, examples=api_examples.UNLIKE_EXAMPLES)
    def delete(self, request, public_id: str):
        comment = _comment(request, public_id)
        engagement.comment_like_delete(user=request.user, comment=comment)
        return self._answer(comment, False)


FollowResult = inline_serializer(
    "FollowResult",
    {
        "status": serializers.ChoiceField(choices=["following", "requested", "none"]),
        "followers": serializers.IntegerField(),
    },
)


def _target_user(request, username: str) -> User:
    user = selectors.profile_get(viewer=request.user, username=username)
    return user


class FollowView(APIView):
    permission_classes = [IsAuthenticated]

    def _answer(self, request, target: User):
        if social_selectors.is_following(follower=request.user, followee=target):
            state = "following"
        elif social_selectors.has_requested(follower=request.user, followee=target):
            state = "requested"
        else:
            state = "none"
        followers = User.objects.values_list("followers_count", flat=True).get(pk=target.pk)
        return Response({"status": state, "followers": followers})

    @extend_schema(request=None, responses=FollowResult, examples=api_examples.FOLLOW_EXAMPLES)
    def post(self, request, username: str):
        target = _target_user(request, username)
        try:
            graph.follow_create(follower=request.user, followee=target)
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise _drf(exc) from None
        return self._answer(request, target)

    @extend_schema(
        request=None, responses={200: FollowResult}, examples=api_examples.UNFOLLOW_EXAMPLES
    )
    def delete(self, request, username: str):
        target = _target_user(request, username)
        graph.follow_delete(follower=request.user, followee=target)
        return self._answer(request, target)


@extend_schema_view(get=extend_schema(examples=api_examples.FOLLOW_LIST_EXAMPLES))
class FollowListView(generics.ListAPIView):
    """Followers or following of a user, newest first (cursor on the follow's time)."""

    serializer_class = AuthorSerializer
    pagination_class = UsernameCursorPagination
    direction = "followers"

    def get_queryset(self):
        target = _target_user(self.request, self.kwargs["username"])
        if not selectors.can_view_account_videos(viewer=self.request.user, author=target):
            return User.objects.none()
        blocked = social_selectors.blocked_user_ids(user=self.request.user)
        if self.direction == "followers":
            qs = User.objects.filter(following_set__followee=target)
        else:
            qs = User.objects.filter(follower_set__follower=target)
        return qs.filter(is_active=True).exclude(pk__in=blocked).order_by("username")


class BlockView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=inline_serializer("BlockResult", {"blocked": serializers.BooleanField()}),
        examples=api_examples.BLOCK_EXAMPLES,
    )
    def post(self, request, username: str):
        target = User.objects.filter(username__iexact=username[:24], is_active=True).first()
        if target is None:
            raise Http404
        try:
            graph.block_create(blocker=request.user, blocked=target)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response({"blocked": True})

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("UnblockResult", {"blocked": serializers.BooleanField()})
        },
        examples=api_examples.UNBLOCK_EXAMPLES,
    )
    def delete(self, request, username: str):
        target = User.objects.filter(username__iexact=username[:24]).first()
        if target is None:
            raise Http404
        graph.block_delete(blocker=request.user, blocked=target)
        return Response({"blocked": False})


class NotificationSerializer(serializers.ModelSerializer):
    actor = AuthorSerializer(read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "actor",
            "video_public_id",
            "comment_public_id",
            "snippet",
            "created_at",
            "unread",
        ]

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationsView(generics.GenericAPIView):
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(
        responses=inline_serializer(
            "NotificationList",
            {
                "unread": serializers.IntegerField(),
                "results": NotificationSerializer(many=True),
            },
        ),
        examples=api_examples.NOTIFICATION_EXAMPLES,
    )
    def get(self, request, *args, **kwargs):
        items = social_selectors.notifications_for(user=request.user)[:100]
        return Response(
            {
                "unread": social_selectors.notifications_unread_count(user=request.user),
                "results": NotificationSerializer(
                    items, many=True, context={"request": request}
                ).data,
            }
        )

    @extend_schema(
        request=None,
        responses=inline_serializer("MarkRead", {"marked": serializers.IntegerField()}),
        examples=api_examples.MARK_READ_EXAMPLES,
    )
    def post(self, request):
        return Response({"marked": graph.notifications_mark_read(user=request.user)})
