"""Document numbers (发文字号) of bulletins, notices and briefings.

A document takes its number when it is published, in the order of publication: the office's
sequence of that kind and year (`BulletinSequence`) is locked with `select_for_update` until
the publishing transaction ends, as `rectification.services` numbers its notices, so two
documents never share a number and a publication rolled back gives its number back.

The forms (GB/T 9704: hexagonal brackets 〔〕 round the year):
- 通报: the office's prefix + 通, e.g. 清督通〔2026〕3号;
- 通知: the office's prefix + 发 (the office's general documents), e.g. 清督发〔2026〕3号;
- 简报: numbered per year as issues, 〔2026〕第12期.
Each kind counts on its own, so a 通报 and a 通知 may both be the year's 3rd.
"""

from .models import BulletinSequence, Kind

NUMBER_FORMATS = {
    Kind.BULLETIN: "{prefix}通〔{year}〕{number}号",
    Kind.NOTICE: "{prefix}发〔{year}〕{number}号",
    Kind.BRIEFING: "〔{year}〕第{number}期",
}


def format_number(kind: str, prefix: str, year: int, number: int) -> str:
    return NUMBER_FORMATS[kind].format(prefix=prefix or "", year=year, number=number)


def allocate_number(office, kind: str, year: int) -> tuple[int, str]:
    """The next number of the office's `kind` in `year`: (sequence, document number). Call
    inside the publishing transaction: the sequence row stays locked until it ends."""
    sequence, _created = BulletinSequence.objects.select_for_update().get_or_create(
        office_id=office.pk, kind=kind, year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number, format_number(
        kind, office.document_prefix, year, sequence.last_number
    )
