"""API for the recommender's signals: watch events (one, or a batch sent with
navigator.sendBeacon), "not interested" and hidden creators. Thin: videos.feed.events writes.

sendBeacon cannot set headers, so the batch endpoint takes the CSRF token inside its JSON
body ({"csrf": "...", "events": [...]}) and hands it to Django's own CSRF check; the body
may be sent as text/plain (what a Blob without a type, or a string, goes out as), which is
also why no CORS preflight is involved. Token-authenticated clients need no CSRF token.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from social.models import User
from social.restrictions import RestrictionAwareTokenAuthentication

from .. import selectors
from ..feed import events
from ..models import Video, WatchEvent
from . import examples as api_examples
from .fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictFloatField,
    StrictIntegerField,
)

VIEWS_RATE = "600/min"


class PlainTextJSONParser(JSONParser):
    """JSON sent as text/plain: what navigator.sendBeacon sends for a string body."""

    media_type = "text/plain"


class ViewsThrottle(ScopedRateThrottle):
    """Scope 'views': REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['views'] when set, else
    600/min per user (or per address when anonymous)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or VIEWS_RATE


def _body_csrf_token(request) -> str:
    raw = request._request.body  # Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE here
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return ""
    token = data.get("csrf") if isinstance(data, dict) else None
    return token if isinstance(token, str) and len(token) <= 128 else ""


class BeaconSessionAuthentication(SessionAuthentication):
    """Session authentication whose CSRF token may come in the JSON body."""

    def enforce_csrf(self, request):
        if "HTTP_X_CSRFTOKEN" not in request.META:
            token = _body_csrf_token(request)
            if token:
                request.META["HTTP_X_CSRFTOKEN"] = token
        return super().enforce_csrf(request)


class BeaconSessionScheme(SessionScheme):
    """For the OpenAPI schema: the session cookie, with the CSRF token in the body."""

    target_class = BeaconSessionAuthentication
    name = "beaconCookieAuth"


class WatchEventSerializer(serializers.Serializer):
    # JSON types only (videos/api/fields.py); the range of watch_seconds depends on the video
    # and is checked by videos.feed.events.
    watch_seconds = StrictFloatField()
    completed = StrictBooleanField(default=False)
    replays = StrictIntegerField(default=0, min_value=0, max_value=events.MAX_REPLAYS)
    source = StrictChoiceField(choices=WatchEvent.Source.choices, default=WatchEvent.Source.FOR_YOU)
    event_id = StrictCharField(
        default="", allow_blank=True, max_length=events.EVENT_ID_MAX, trim_whitespace=False
    )


class BatchItemSerializer(WatchEventSerializer):
    video = StrictCharField(max_length=32)


def _recorded_fields() -> dict[str, serializers.Field]:
    return {
        "recorded": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "skipped": serializers.IntegerField(),
    }


RecordedResult = inline_serializer("WatchRecorded", _recorded_fields())
RecordedViewResult = inline_serializer(
    "WatchRecordedWithViews",
    {**_recorded_fields(), "views": serializers.IntegerField(help_text="The video's views now.")},
)


def _as_drf(exc):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return serializers.ValidationError(detail)
    return PermissionDenied(str(exc.args[0]) if exc.args else None)


def _session_key(request) -> str | None:
    if request.user.is_authenticated:
        return None
    if not request.session.session_key:
        request.session.save()  # anonymous viewers are remembered by a session
    return request.session.session_key


def _record(request, items: list[events.WatchInput], *, batch: bool) -> events.Recorded:
    try:
        return events.watch_events_record(
            user=request.user, session_key=_session_key(request), events=items, batch=batch
        )
    except (DjangoValidationError, DjangoPermissionDenied) as exc:
        raise _as_drf(exc) from None


def _input(data: dict, public_id: str) -> events.WatchInput:
    return events.WatchInput(
        public_id=public_id,
        watch_seconds=data["watch_seconds"],
        completed=data["completed"],
        replays=data["replays"],
        source=data["source"],
        event_id=data["event_id"],
    )


class VideoViewsView(APIView):
    """POST videos/{public_id}/views/: one watch event."""

    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    throttle_classes = [ViewsThrottle]
    throttle_scope = "views"

    @extend_schema(
        request=WatchEventSerializer,
        responses={201: RecordedViewResult, 200: RecordedViewResult},
        examples=api_examples.WATCH_EXAMPLES,
        description="One watch event: 201 when recorded, 200 when its event_id was seen before.",
    )
    def post(self, request, public_id: str):
        video = selectors.video_get_visible(viewer=request.user, public_id=public_id)
        incoming = WatchEventSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = _record(request, [_input(incoming.validated_data, video.public_id)], batch=False)
        views = Video.objects.values_list("views_count", flat=True).get(pk=video.pk)
        return Response(
            {**result.__dict__, "views": views},
            status=status.HTTP_201_CREATED if result.recorded else status.HTTP_200_OK,
        )


class ViewsBatchView(APIView):
    """POST views/batch/: up to 50 watch events, as sent by navigator.sendBeacon."""

    permission_classes = [AllowAny]
    authentication_classes = [BeaconSessionAuthentication, RestrictionAwareTokenAuthentication]
    parser_classes = [JSONParser, PlainTextJSONParser]
    throttle_classes = [ViewsThrottle]
    throttle_scope = "views"

    @extend_schema(
        request=inline_serializer(
            "WatchBatch",
            {
                "events": serializers.ListField(
                    child=BatchItemSerializer(), min_length=1, max_length=events.MAX_BATCH
                ),
                "csrf": serializers.CharField(
                    required=False,
                    allow_blank=True,
                    help_text="The CSRF token, for session (cookie) clients that cannot send it "
                    "in a header.",
                ),
            },
        ),
        responses=RecordedResult,
        examples=api_examples.WATCH_BATCH_EXAMPLES,
    )
    def post(self, request):
        data = request.data
        raw = data.get("events") if isinstance(data, dict) else None
        if not isinstance(raw, list) or not raw:
            raise serializers.ValidationError({"events": [_("A non-empty list of events.")]})
        if len(raw) > events.MAX_BATCH:
            raise serializers.ValidationError(
                {"events": [_("At most %(max)d events at a time.") % {"max": events.MAX_BATCH}]}
            )
        errors: dict[str, list[str]] = {}
        # Only what the schema documents: an unknown key is a client bug worth a 400.
        for key in sorted(set(data) - {"events", "csrf"}):
            errors[str(key)[:50]] = [_("Unknown field.")]
        if "csrf" in data and not isinstance(data["csrf"], str):
            errors["csrf"] = [_("Not a valid string.")]
        items = []
        allowed = set(BatchItemSerializer().fields)
        for index, item in enumerate(raw):
            incoming = BatchItemSerializer(data=item if isinstance(item, dict) else {})
            if isinstance(item, dict) and set(item) - allowed:
                errors[f"events.{index}"] = [_("Unknown field.")]
            elif not isinstance(item, dict):
                errors[f"events.{index}"] = [_("Each event is an object.")]
            elif not incoming.is_valid():
                for field, messages in incoming.errors.items():
                    errors[f"events.{index}.{field}"] = [str(m) for m in messages]
            else:
                items.append(_input(incoming.validated_data, incoming.validated_data["video"]))
        if errors:
            raise serializers.ValidationError(errors)
        return Response(_record(request, items, batch=True).__dict__)


class NotInterestedView(APIView):
    permission_classes = [IsAuthenticated]
    Result = inline_serializer(
        "NotInterestedResult", {"not_interested": serializers.BooleanField()}
    )

    @extend_schema(request=None, responses=Result, examples=api_examples.NOT_INTERESTED_EXAMPLES)
    def post(self, request, public_id: str):
        video = selectors.video_get_visible(viewer=request.user, public_id=public_id)
        events.not_interested_create(user=request.user, video=video)
        return Response({"not_interested": True})

    @extend_schema(request=None, responses={200: Result}, examples=api_examples.INTERESTED_EXAMPLES)
    def delete(self, request, public_id: str):
        video = selectors.video_get_visible(viewer=request.user, public_id=public_id)
        events.not_interested_delete(user=request.user, video=video)
        return Response({"not_interested": False})


class HideCreatorView(APIView):
    permission_classes = [IsAuthenticated]
    Result = inline_serializer("HideCreatorResult", {"hidden": serializers.BooleanField()})

    def _creator(self, username: str) -> User:
        creator = User.objects.filter(username__iexact=username[:24], is_active=True).first()
        if creator is None:
            raise Http404
        return creator

    @extend_schema(request=None, responses=Result, examples=api_examples.HIDE_EXAMPLES)
    def post(self, request, username: str):
        try:
            events.creator_hide(user=request.user, creator=self._creator(username))
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None
        return Response({"hidden": True})

    @extend_schema(request=None, responses={200: Result}, examples=api_examples.UNHIDE_EXAMPLES)
    def delete(self, request, username: str):
        events.creator_unhide(user=request.user, creator=self._creator(username))
        return Response({"hidden": False})
