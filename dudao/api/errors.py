"""One error shape for every refusal of the API (docs/api.md, "Errors"):

    {"error": {"code": "…", "message": "… (in the request's language)", "field": "…" | null,
               "fields": {"<field>": ["…"]}}}

A service's DomainError keeps its message and field; NotPermitted answers 403 as the pages do,
an object out of the caller's scope 404 like one that does not exist."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from dudao.core.errors import DomainError, IllegalTransition, NotPermitted, StaleObject


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"


def _first(detail):
    """The first message of a DRF error detail (a string, list or dict), and its field."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            message, inner = _first(value)
            if key == "non_field_errors":
                return message, inner
            return message, (f"{key}.{inner}" if inner else str(key))
        return "", None
    if isinstance(detail, list):
        return _first(detail[0]) if detail else ("", None)
    return str(detail), None


def _flat(detail, prefix="") -> dict:
    """{"field" or "field.sub": [messages]} from a DRF error detail."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            out.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flat(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def body(code: str, message: str, field: str | None = None, fields: dict | None = None) -> dict:
    return {
        "error": {"code": code, "message": str(message), "field": field, "fields": fields or {}}
    }


def domain_error_response(error: DomainError) -> Response:
    if isinstance(error, NotPermitted):
        status_code, code = 403, "not_permitted"
    elif isinstance(error, StaleObject):
        status_code, code = 412, "stale"
    elif isinstance(error, IllegalTransition):
        status_code, code = 409, "illegal_transition"
    else:
        status_code, code = 400, "refused"
    fields = {key: [str(value)] for key, value in getattr(error, "errors", {}).items()}
    if error.field and error.field not in fields:
        fields[error.field] = [str(error)]
    return Response(body(code, str(error), error.field, fields), status=status_code)


def exception_handler(exc, context):
    """settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]."""
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's 500 (logged)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        message, field = _first(detail)
        payload = body("invalid", message, field, _flat(detail))
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        payload = body(code, str(detail))
    return Response(payload, status=exc.status_code, headers=headers)
