"""Serializer fields that take only what the OpenAPI schema says they take.

DRF's own fields are lenient: a CharField takes 12, an IntegerField "12" or 12.0, a
BooleanField 1, "yes" or "on". In a JSON body these strict variants take only the JSON
type the schema documents. Form bodies (multipart, urlencoded) carry only strings, so
there a number or boolean arrives as text: numbers are parsed as usual and booleans must be
"true" or "false" (any case); an empty value is the empty string, not a missing field.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html


class _StrictMixin:
    def get_value(self, dictionary):
        self._from_form = html.is_html_input(dictionary)
        if self._from_form and self.field_name in dictionary:
            # DRF reads an empty form value of an optional field as "not sent"; here it is
            # the empty string that was sent, and is validated as such.
            return dictionary[self.field_name]
        return super().get_value(dictionary)

    def _json_input(self) -> bool:
        return not getattr(self, "_from_form", False)


class StrictCharField(_StrictMixin, serializers.CharField):
    def to_internal_value(self, data):
        if self._json_input() and not isinstance(data, str):
            self.fail("invalid")
        # maxLength in the schema is about what was sent: DRF trims whitespace first and
        # would take 2200 characters plus any number of trailing (non-breaking) spaces.
        if self.max_length is not None and isinstance(data, str) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictBooleanField(_StrictMixin, serializers.BooleanField):
    FORM_VALUES = {"true": True, "false": False}
    # DRF reads a boolean missing from a form as False (an unticked HTML checkbox); an API
    # client that leaves it out gets the documented default instead.
    default_empty_html = empty

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if not self._json_input() and isinstance(data, str) and data.lower() in self.FORM_VALUES:
            return self.FORM_VALUES[data.lower()]
        self.fail("invalid", input=data)


class StrictIntegerField(_StrictMixin, serializers.IntegerField):
    def to_internal_value(self, data):
        if self._json_input() and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(_StrictMixin, serializers.FloatField):
    def to_internal_value(self, data):
        if self._json_input() and (isinstance(data, bool) or not isinstance(data, int | float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(_StrictMixin, serializers.ChoiceField):
    def to_internal_value(self, data):
        if self._json_input() and not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class FormFloatField(serializers.FloatField):
    """A number in a form body (multipart uploads), where it always arrives as text.

    Documented as a plain `number` with its bounds but no `format: double`: the wire value is
    decimal text, which "double" does not describe, and fuzzers that mutate the format then
    send ordinary numbers such as "0.0" as if they were invalid."""


class FormFloatFieldExtension(OpenApiSerializerFieldExtension):
    target_class = FormFloatField

    def map_serializer_field(self, auto_schema, direction):
        schema: dict = {"type": "number"}
        if self.target.min_value is not None:
            schema["minimum"] = self.target.min_value
        if self.target.max_value is not None:
            schema["maximum"] = self.target.max_value
        return schema
