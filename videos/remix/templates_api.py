"""GET /api/v1/templates/: the gallery for API clients, cursor-paginated in the gallery's
order. Using one is POST videos/ with `template` (videos/api/serializers.py)."""

from __future__ import annotations

import base64
import binascii

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from ..api.pagination import NewestCursorPagination
from ..api.serializers import SoundBriefSerializer, _absolute
from ..models import Template
from ..selectors import Page
from . import selectors


class TemplateSerializer(serializers.ModelSerializer):
    layout = serializers.ChoiceField(
        choices=Template.Layout.choices,
        read_only=True,
        help_text="side_by_side (a duet of `original`), green_screen (your green keyed out "
        "over the template's picture), text_on_top (`text` drawn over the top).",
    )
    layout_label = serializers.CharField(source="get_layout_display", read_only=True)
    preview = serializers.SerializerMethodField()
    sound = SoundBriefSerializer(read_only=True, allow_null=True)
    original = serializers.SlugRelatedField(slug_field="public_id", read_only=True, allow_null=True)
    placeholders = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What the caption must not keep: replace each before posting.",
    )
    prefilled_caption = serializers.CharField(read_only=True)
    uses = serializers.IntegerField(source="uses_count", read_only=True)
    upload_url = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = [
            "slug",
            "name",
            "description",
            "layout",
            "layout_label",
            "preview",
            "sound",
            "caption_scaffold",
            "placeholders",
            "hashtag",
            "prefilled_caption",
            "original",
            "text",
            "featured",
            "uses",
            "upload_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_preview(self, obj):
        return _absolute(self.context.get("request"), obj.preview.url) if obj.preview else None

    def get_upload_url(self, obj) -> str:
        """The web upload page with the template pre-filled."""
        url = f"{reverse('videos:upload')}?{urlencode({'template': obj.slug})}"
        return _absolute(self.context.get("request"), url)


class TemplateCursorPagination(NewestCursorPagination):
    """A keyset over the gallery's order (featured first, then ordering, then id): an opaque
    cursor names the last card served, so pages never repeat or skip a card."""

    page_size = 20

    def get_paginated_response_schema(self, schema):
        # With an example for `next`, drf-spectacular wraps the examples below in a page.
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["next"] = {
            **paginated["properties"]["next"],
            "example": "https://repeater.example/api/v1/templates/?cursor=MTowOjQ",
        }
        return paginated

    @staticmethod
    def _encode(template: Template) -> str:
        raw = f"{int(template.featured)}:{template.ordering}:{template.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode(cursor: str) -> tuple[bool, int, int]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
            featured, ordering, pk = raw.split(":")
            if featured not in ("0", "1"):
                raise ValueError(featured)
            return featured == "1", int(ordering), int(pk)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise ValidationError({"cursor": ["This cursor is not valid."]}) from None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            if len(cursor) > 100:
                raise ValidationError({"cursor": ["This cursor is not valid."]})
            featured, ordering, pk = self._decode(cursor)
            after = Q(featured=featured, ordering=ordering, pk__gt=pk) | Q(
                featured=featured, ordering__gt=ordering
            )
            if featured:
                after |= Q(featured=False)
            queryset = queryset.filter(after)
        items = list(queryset.order_by("-featured", "ordering", "id")[: size + 1])
        next_cursor = self._encode(items[size - 1]) if len(items) > size else None
        self.page = Page(items=items[:size], next_cursor=next_cursor)
        return self.page.items


TEMPLATE_EXAMPLE = {
    "slug": "my-city-tour",
    "name": "My city in 3 shots",
    "description": "Show the best spot of your city.",
    "layout": "text_on_top",
    "layout_label": "Text on top",
    "preview": "https://repeater.example/media/templates/my-city-tour/Zk3a9Q.jpg",
    "sound": {
        "public_id": "sN4d0kPq1Lw",
        "name": "Sunny loop — Repeater",
        "title": "Sunny loop",
        "artist": "Repeater",
    },
    "caption_scaffold": "Best view in [your city]",
    "placeholders": ["[your city]"],
    "hashtag": "citytour",
    "prefilled_caption": "Best view in [your city] #citytour",
    "original": None,
    "text": "POV: you live here",
    "featured": True,
    "uses": 128,
    "upload_url": "https://repeater.example/upload/?template=my-city-tour",
}


class TemplateListView(generics.ListAPIView):
    """Templates anyone can use now, in the gallery's order (featured first)."""

    serializer_class = TemplateSerializer
    pagination_class = TemplateCursorPagination

    def get_queryset(self):
        return selectors.template_gallery()

    @extend_schema(
        operation_id="v1_templates_list",
        examples=[
            OpenApiExample("A page of templates", value=TEMPLATE_EXAMPLE, response_only=True),
            OpenApiExample(
                "A side-by-side template",
                value={
                    **TEMPLATE_EXAMPLE,
                    "slug": "react-to-this",
                    "name": "React to this",
                    "layout": "side_by_side",
                    "layout_label": "Side by side with the original",
                    "sound": None,
                    "caption_scaffold": "My face when [what happened]",
                    "placeholders": ["[what happened]"],
                    "hashtag": "reaction",
                    "prefilled_caption": "My face when [what happened] #reaction",
                    "original": "q3Zr9XbT0aE",
                    "text": "",
                    "featured": False,
                    "uses": 12,
                    "upload_url": "https://repeater.example/upload/?template=react-to-this",
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
