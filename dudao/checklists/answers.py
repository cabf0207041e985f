"""One answer to a checklist item (检查项), checked the same way wherever it is given: at a
school in a campaign (`campaigns.checks`) and in a school's periodic return
(`returns.services`). Each caller stores the value its own way and names the field."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import AnswerType, ChecklistItem

TEXT_MAX = 2000
# The standards are DecimalField(max_digits=12, decimal_places=2): nothing beyond compares.
NUMBER_LIMIT = Decimal(10) ** 10
YES_WORDS = frozenset({"yes", "true", "1", "是", "on"})
NO_WORDS = frozenset({"no", "false", "0", "否"})


class AnswerError(ValueError):
    """A refused answer; `message` is translated, for the caller to show on its field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def clean_answer(item: ChecklistItem, raw):
    """The value of `raw` as an answer to `item`: None when not answered; yes/no a boolean; a
    level or a choice one of the item's options; a number a Decimal; free text as text
    (trimmed); a photo item None (it is answered by its evidence). Else AnswerError."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = item.answer_type
    if kind == AnswerType.YES_NO:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise AnswerError(_("Answer yes or no."))
    if kind in (AnswerType.LEVEL, AnswerType.CHOICE):
        text = str(raw).strip()
        if text not in [str(option) for option in item.choices or []]:
            raise AnswerError(_("Choose one of the options."))
        return text
    if kind == AnswerType.NUMBER:
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            raise AnswerError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
            raise AnswerError(_("Enter a number."))
        return number
    if kind == AnswerType.TEXT:
        text = str(raw).strip()
        if len(text) > TEXT_MAX:
            raise AnswerError(_("Write at most %(count)d characters.") % {"count": TEXT_MAX})
        return text
    return None
