"""Cursor pagination for the API, on the same keyset as the HTML feeds (selectors)."""

import base64
import binascii

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .. import selectors


class NewestCursorPagination(BasePagination):
    page_size = 10
    max_page_size = 50
    cursor_query_param = "cursor"

    def _size(self, request) -> int:
        try:
            size = int(request.query_params.get("page_size", self.page_size))
        except ValueError:
            raise ValidationError({"page_size": ["Must be a whole number."]}) from None
        return max(1, min(size, self.max_page_size))

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        try:
            page = selectors.paginate_newest(
                queryset, cursor=request.query_params.get(self.cursor_query_param), limit=size
            )
        except selectors.BadCursor as exc:
            raise ValidationError({"cursor": [str(exc)]}) from None
        self.page = page
        return page.items

    def get_next_link(self):
        if not self.page.next_cursor:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.page.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    # drf-spectacular builds each list's example page from this.
                    "example": "https://repeater.example/api/v1/videos/?cursor=cD0xNzk1ODg1NDQ1",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": "Opaque cursor from `next`.",
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                # Any whole number is accepted and clamped to 1..max_page_size, so the
                # schema names no bounds (a bound would promise a 400 that never comes).
                "schema": {"type": "integer"},
                "description": f"Items per page, 1 to {self.max_page_size} (clamped).",
            },
        ]


class UsernameCursorPagination(NewestCursorPagination):
    """Accounts (followers, following) in username order; the cursor is the last username
    served, so pages stay stable while people follow and unfollow."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None:
            try:
                if not cursor or len(cursor) > 64:
                    raise ValueError
                padded = cursor + "=" * (-len(cursor) % 4)
                raw = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
                after = raw.decode()
                if not after:
                    raise ValueError
            except (ValueError, binascii.Error, UnicodeError):
                raise ValidationError({"cursor": [_("That page link is not valid.")]}) from None
            queryset = queryset.filter(username__gt=after)
        rows = list(queryset.order_by("username")[: size + 1])
        next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            next_cursor = base64.urlsafe_b64encode(rows[-1].username.encode()).decode().rstrip("=")
        self.page = selectors.Page(items=rows, next_cursor=next_cursor)
        return rows


class FollowingPagination(NewestCursorPagination):
    """The Following feed: the same selector (and rules) as the HTML page /following/.
    The queryset the view passes is ignored."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        try:
            page = selectors.feed_following(
                viewer=request.user,
                cursor=request.query_params.get(self.cursor_query_param),
                limit=size,
            )
        except selectors.BadCursor as exc:
            raise ValidationError({"cursor": [str(exc)]}) from None
        # The serializer names the remix sources: two queries for the page, not one per row.
        prefetch_related_objects(page.items, "duet_of", "stitch_of")
        self.page = page
        return page.items


class ForYouPagination(NewestCursorPagination):
    """For You is ranked, not sorted: the recommender (selectors.feed_for_you) picks each
    page and hands out an opaque cursor that remembers what it served. The queryset the
    view passes is ignored."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        session_key = None if request.user.is_authenticated else request.session.session_key
        try:
            page = selectors.feed_for_you(
                viewer=request.user,
                cursor=request.query_params.get(self.cursor_query_param),
                limit=size,
                session_key=session_key,
            )
        except selectors.BadCursor as exc:
            raise ValidationError({"cursor": [str(exc)]}) from None
        self.page = page
        return page.items

    def get_paginated_response(self, data):
        for item, video in zip(data, self.page.items, strict=True):
            item["reason"] = {
                "code": getattr(video, "feed_reason_code", ""),
                "text": getattr(video, "feed_reason", ""),
            }
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        if not isinstance(schema, dict):  # drf-spectacular building an example page
            return super().get_paginated_response_schema(schema)
        reason = {
            "type": "object",
            "description": "Why am I seeing this?",
            "properties": {"code": {"type": "string"}, "text": {"type": "string"}},
        }
        item = {"allOf": [schema["items"], {"type": "object", "properties": {"reason": reason}}]}
        return super().get_paginated_response_schema({"type": "array", "items": item})
