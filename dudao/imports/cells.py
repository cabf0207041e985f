"""Turning raw cell values into field values. Each converter raises CellError with a message
the user can act on; the caller adds the row number and the column header."""

import datetime
import re

from django.utils import translation
from django.utils.translation import gettext as _

YES = {"是", "在用", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "停用", "不在用", "n", "no", "false", "0", "×"}
WHITESPACE = re.compile(r"\s+")


class CellError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    return str(raw).strip()


def digits(raw) -> str:
    """A code or phone number: Excel may hold it as a number; spaces are dropped."""
    if isinstance(raw, bool):
        raise CellError(_("Enter digits, not TRUE/FALSE."))
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(_("Enter the number as text, without decimals."))
        raw = int(raw)
    return WHITESPACE.sub("", text(raw))


def count(raw) -> int:
    """A non-negative whole number; blank is 0."""
    if is_blank(raw):
        return 0
    if isinstance(raw, bool):
        raise CellError(_("Enter a whole number."))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(_("Enter a whole number, not a decimal (%(value)s).") % {"value": raw})
        value = int(raw)
    else:
        value_text = WHITESPACE.sub("", str(raw)).replace(",", "")
        if re.fullmatch(r"-?\d+", value_text):
            value = int(value_text)
        elif re.fullmatch(r"-?\d*\.\d+", value_text):
            raise CellError(_("Enter a whole number, not a decimal (%(value)s).") % {"value": raw})
        else:
            raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
    if value < 0:
        raise CellError(_("Enter a number of zero or more (%(value)s).") % {"value": value})
    if value > 2_147_483_647:
        raise CellError(_("The number %(value)s is too large.") % {"value": value})
    return value


def boolean(raw, default=True) -> bool:
    if is_blank(raw):
        return default
    if isinstance(raw, bool):
        return raw
    value = text(raw).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise CellError(_("Enter 是 (yes) or 否 (no), not “%(value)s”.") % {"value": raw})


def label_map(choices, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """label → value for a TextChoices: the Chinese label, the English label and the value."""
    mapping = {}
    for value, label in choices:
        mapping[value.lower()] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                mapping[str(label).strip().lower()] = value
    for alias, value in (aliases or {}).items():
        mapping[alias.lower()] = value
    return mapping


def zh_labels(choices) -> dict[str, str]:
    """value → the Chinese label written into templates and exports."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices}


def choice(raw, mapping: dict[str, str], labels: dict[str, str], default: str | None = None):
    if is_blank(raw):
        if default is None:
            raise CellError(_("This column is required."))
        return default
    value = mapping.get(WHITESPACE.sub("", text(raw)).lower())
    if value is None:
        raise CellError(
            _("Unknown value “%(value)s”; choose one of: %(choices)s.")
            % {"value": raw, "choices": "、".join(labels.values())}
        )
    return value


def date(raw) -> datetime.date | None:
    if is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise CellError(_("“%(value)s” is not a date; enter it as 2026-09-01.") % {"value": raw})
    value = text(raw)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", value)
    if not match:
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(_("“%(value)s” is not a date; enter it as 2026-09-01.") % {"value": raw})
