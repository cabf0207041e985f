"""JSON bodies without NUL characters: `RejectNulMiddleware` (dudao/core/security.py) refuses
them in forms, query strings and headers, and PostgreSQL refuses them in text; a JSON string
may still carry "\\u0000", so the API's parser refuses it the same way (400)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NUL = "\x00"


def has_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if has_nul(data):
            raise ParseError(
                _("The request contains a NUL character (\\0), which no field accepts.")
            )
        return data
