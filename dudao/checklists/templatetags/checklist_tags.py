"""How a checklist item reads on screen: its standard, its compliant answers, its school types
and its supervision item, in the reader's language."""

from django import template
from django.utils.translation import gettext as _

from dudao.core.supervision_items import ITEMS_BY_NUMBER
from dudao.schools.models import SchoolType

from ..models import AnswerType

register = template.Library()
TYPE_LABELS = dict(SchoolType.choices)


def _number(value) -> str:
    text = f"{value.normalize():f}"
    return text


@register.filter
def standard(item) -> str:
    """The standard as read: ≤ 60 分钟, ≥ 10 小时, 1–2 小时, or empty (no standard)."""
    low, high, unit = item.standard_min, item.standard_max, item.unit
    if item.answer_type != AnswerType.NUMBER or (low is None and high is None):
        return ""
    if low is not None and high is not None:
        text = f"{_number(low)}–{_number(high)}"
    elif low is not None:
        text = f"≥ {_number(low)}"
    else:
        text = f"≤ {_number(high)}"
    return f"{text} {unit}".strip()


@register.filter
def compliant_text(item) -> str:
    if item.answer_type == AnswerType.YES_NO:
        return {(True,): _("Yes"), (False,): _("No")}.get(tuple(item.compliant), "")
    return "、".join(map(str, item.compliant))


@register.filter
def school_type_labels(values) -> str:
    return "、".join(str(TYPE_LABELS.get(v, v)) for v in values or ())


@register.filter
def supervision_item_text(number) -> str:
    item = ITEMS_BY_NUMBER.get(number)
    return f"{item.number} {item.text}" if item else ""
