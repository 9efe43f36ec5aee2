"""django-filter filter sets for the API's video lists (bad values answer 400)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from .. import selectors
from ..models import Video


class StrictIsoDateTimeField(IsoDateTimeField):
    """A date-time that is given must be one: an empty value is an error, not "no filter"."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError(_("Enter a valid date/time."), code="invalid")
        cleaned = super().clean(value)
        # PostgreSQL refuses UTC offsets beyond ±15:59 and years before 1 AD / after 9999;
        # answer 400 here rather than a database error. Real offsets stay within ±14:00.
        if cleaned is not None:
            offset = cleaned.utcoffset()
            if offset is not None and abs(offset.total_seconds()) > 14 * 3600:
                raise forms.ValidationError(_("Enter a valid date/time."), code="invalid")
            if not 1970 <= cleaned.year <= 9999:
                raise forms.ValidationError(
                    _("Enter a date between 1970 and 9999."), code="invalid"
                )
        return cleaned


class StrictIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = StrictIsoDateTimeField


class VideoFilter(django_filters.FilterSet):
    author = django_filters.CharFilter(
        method="filter_author", max_length=24, help_text=_("Username of the author.")
    )
    hashtag = django_filters.CharFilter(
        method="filter_hashtag", max_length=100, help_text=_("A hashtag, with or without #.")
    )
    sound = django_filters.CharFilter(
        field_name="sound__public_id", max_length=16, help_text=_("Public id of a sound.")
    )
    created_after = StrictIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text=_("ISO 8601 date-time; videos created at or after it."),
    )
    created_before = StrictIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text=_("ISO 8601 date-time; videos created before it."),
    )

    class Meta:
        model = Video
        fields = ["author", "hashtag", "sound", "created_after", "created_before"]

    def filter_author(self, qs, name, value):
        return qs.filter(author__username__iexact=value) if value else qs

    def filter_hashtag(self, qs, name, value):
        if not value:
            return qs
        tags = selectors.hashtag_tags(name=value)
        return selectors.with_hashtags(qs, tags) if tags else qs.none()
