"""Cursor (keyset) pagination (docs/api.md, "Pages"): a page is the rows after the cursor in
the view's order, found through an index whatever the page's depth; the cursor is opaque
(base64 of the last row's ordering values). Lists go newest first by id; the changes feed
(`?since=`) goes oldest change first by (updated_at, id), and its `cursor` resumes later."""

import base64
import binascii
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def encode(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def invalid_cursor() -> str:
    return _("The cursor is invalid; start again without it.")


def page_size_error() -> dict:
    return {"page_size": [_("Enter a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}


def decode(cursor: str, fields) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError
        return [field.to_python(value) for field, value in zip(fields, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, OverflowError, DjangoValidationError) as exc:
        raise ValidationError(
            {"cursor": [_("The cursor is invalid; start again without it.")]}
        ) from exc


def after(ordering, values) -> Q:
    """Rows strictly after `values` in `ordering` (("updated_at", "id") or ("-id",))."""
    condition = Q()
    for index, name in enumerate(ordering):
        field = name.lstrip("-")
        op = "lt" if name.startswith("-") else "gt"
        step = Q(**{f"{field}__{op}": values[index]})
        for earlier, value in zip(ordering[:index], values[:index], strict=False):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        ordering = tuple(getattr(view, "current_ordering", None) or ("-id",))
        self.ordering = ordering
        model = queryset.model
        fields = [model._meta.get_field(name.lstrip("-")) for name in ordering]
        self.page_size = self._page_size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        self.start = cursor
        if cursor:
            queryset = queryset.filter(after(ordering, decode(cursor, fields)))
        rows = list(queryset.order_by(*ordering)[: self.page_size + 1])
        self.has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if rows:
            last = rows[-1]
            self.cursor = self._json_safe(last, fields)
        else:
            self.cursor = cursor or None
        return rows

    @staticmethod
    def _json_safe(row, fields) -> str:
        values = []
        for field in fields:
            value = field.value_from_object(row)
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        return encode(values)

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return PAGE_SIZE
        try:
            size = int(raw)
        except ValueError as exc:
            raise ValidationError(
                {
                    "page_size": [
                        _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}
                    ]
                }
            ) from exc
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {
                    "page_size": [
                        _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}
                    ]
                }
            )
        return size

    def next_link(self):
        if not self.has_more:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.cursor)

    def get_paginated_response(self, data):
        return Response({"results": data, "next": self.next_link(), "cursor": self.cursor})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next", "cursor"],
            "properties": {
                "results": schema,
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "The position after this page's last row: pass it as "
                    "?cursor= to read on (the changes feed resumes with it later).",
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The `cursor` (or `next`) of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (1–{MAX_PAGE_SIZE}, default {PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
