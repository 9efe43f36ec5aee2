"""POST /api/v1/reports/: report a video, comment, account or sound (videos/moderation.py).

Thin: the serializer checks shapes, report_target_get applies the same visibility rules as
the pages (404 for missing and invisible alike), report_create merges repeats."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import moderation
from ..models import Report
from .engagement import _drf


class NoNulCharField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\x00" in value:
            raise serializers.ValidationError(_("The text contains characters we cannot accept."))
        return value


class ReportCreateSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=list(moderation.TARGET_TYPES))
    target = NoNulCharField(
        max_length=moderation.TARGET_MAX_LENGTH,
        help_text=_("The public_id of the video, comment or sound, or the account's username."),
    )
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    text = NoNulCharField(
        required=False, allow_blank=True, max_length=Report.TEXT_MAX_LENGTH, trim_whitespace=True
    )

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {str(name)[:50]: [_("Unknown field.")] for name in sorted(map(str, unknown))}
            )
        return attrs


class ReportSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(read_only=True)
    target = serializers.SerializerMethodField()
    merged = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "target_type", "target", "reason", "text", "status", "created_at", "merged"]

    def get_target(self, obj) -> str:
        target = obj.target
        return target.username if obj.target_type == "user" else target.public_id

    def get_merged(self, obj) -> bool:
        return bool(self.context.get("merged"))


REPORT_EXAMPLES = [
    OpenApiExample(
        "Report a video",
        value={
            "target_type": "video",
            "target": "q3Zr9XbT0aE",
            "reason": "harassment",
            "text": "Mocks a classmate by name.",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Report an account",
        value={"target_type": "user", "target": "spammy_bot", "reason": "spam"},
        request_only=True,
    ),
    OpenApiExample(
        "Created",
        value={
            "id": 812,
            "target_type": "video",
            "target": "q3Zr9XbT0aE",
            "reason": "harassment",
            "text": "Mocks a classmate by name.",
            "status": "open",
            "created_at": "2026-12-03T14:05:09.120000Z",
            "merged": False,
        },
        response_only=True,
        status_codes=["201"],
    ),
    OpenApiExample(
        "Merged into your earlier report",
        value={
            "id": 812,
            "target_type": "video",
            "target": "q3Zr9XbT0aE",
            "reason": "hate",
            "text": "Also uses a slur at 0:04.",
            "status": "open",
            "created_at": "2026-12-03T14:05:09.120000Z",
            "merged": True,
        },
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "Not found (missing or not visible to you)",
        value={"error": {"code": "not_found", "message": "Not found.", "fields": {}}},
        response_only=True,
        status_codes=["404"],
    ),
]


class ReportCreateView(APIView):
    """Report something that breaks the rules. Moderators review reports in the admin.

    One open report per person and target: reporting the same thing again updates your
    report (200, `merged: true`) instead of adding one (201)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    throttle_scope = "report"
    openapi_404 = True  # the target named in the body may not exist or not be visible

    @extend_schema(
        request=ReportCreateSerializer,
        responses={
            201: ReportSerializer,
            200: ReportSerializer,
        },
        examples=REPORT_EXAMPLES,
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(_("Send a JSON object."))
        incoming = ReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        kind = data["target_type"]
        target = moderation.report_target_get(
            viewer=request.user, target_type=kind, target=data["target"]
        )
        try:
            result = moderation.report_create(
                reporter=request.user,
                reason=data["reason"],
                text=data.get("text", ""),
                **{kind: target},
            )
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise _drf(exc) from None
        report = result.report
        setattr(report, kind, target)
        body = ReportSerializer(report, context={"merged": not result.created}).data
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )
