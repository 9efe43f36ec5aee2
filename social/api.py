"""DRF views and serializers for people. Thin: selectors and services do the work."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import api_examples
from .lockout import LockoutStatus, lockout_status
from .models import ExternalLink, User
from .restrictions import AccountRestricted, restriction_for_credentials


class ExternalLinkSerializer(serializers.ModelSerializer):
    platform_name = serializers.CharField(source="get_platform_display", read_only=True)

    class Meta:
        model = ExternalLink
        fields = ["platform", "platform_name", "url"]


class AuthorSerializer(serializers.ModelSerializer):
    avatar = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "display_name", "avatar"]

    def get_avatar(self, obj) -> str | None:
        if not obj.avatar:
            return None
        request = self.context.get("request")
        url = obj.avatar.url
        return request.build_absolute_uri(url) if request else url


class UserSerializer(AuthorSerializer):
    links = ExternalLinkSerializer(many=True, read_only=True)
    followers = serializers.IntegerField(source="followers_count", read_only=True)
    following = serializers.IntegerField(source="following_count", read_only=True)
    likes = serializers.IntegerField(source="likes_received_count", read_only=True)

    class Meta(AuthorSerializer.Meta):
        fields = [
            "username",
            "display_name",
            "bio",
            "avatar",
            "is_private",
            "links",
            "followers",
            "following",
            "likes",
            "date_joined",
        ]


class MeSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "email"]


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, lock: LockoutStatus):
        super().__init__(lock.message)
        self.wait = lock.retry_after  # DRF's handler turns it into Retry-After


def _refuse_if_locked(request, username: str) -> None:
    lock = lockout_status(request=request, username=username)
    if lock.locked:
        raise LockedOut(lock)


class TokenView(APIView):
    """Exchange username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        examples=api_examples.TOKEN_EXAMPLES,
    )
    def post(self, request):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        password = request.data.get("password") if hasattr(request.data, "get") else None
        if (
            not isinstance(username, str)
            or not isinstance(password, str)
            or not username
            or not password
        ):
            raise serializers.ValidationError({"username": [_("Give a username and a password.")]})
        _refuse_if_locked(request, username)
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            _refuse_if_locked(request, username)  # this failure may have reached the limit
            message = restriction_for_credentials(username=username, password=password)
            if message:  # the right password for a suspended or banned account
                raise AccountRestricted(message)
            raise serializers.ValidationError(_("Those credentials are not valid."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, examples=api_examples.ME_EXAMPLES)
    def get(self, request):
        user = User.objects.prefetch_related("links").get(pk=request.user.pk)
        return Response(MeSerializer(user, context={"request": request}).data)
