"""A bulletin, notice or briefing as an official document (GB/T 9704-2012): one row
generator behind the exporter (`dudao.reports.exporter`), rendered to Word (the bundled
GB/T 9704 template: A4, 22 lines of 28 characters, 仿宋 body, "一、" headings in 黑体) and PDF.

- 版头: the issuing office's name in red (a briefing: "<county>教育督导简报"), the number
  (清督通〔2026〕3号; a briefing 〔2026〕第12期) and the red line;
- the title, the 主送 line (all schools and kindergartens, a zone's schools, the inspectors,
  the chosen schools by name up to `NAMED_SCHOOLS`, else 有关学校; a briefing has none);
- the body: the office's paragraphs, a line such as "一、总体情况" a heading (`sections`);
- 附件：1. … (the attachments' names), one blank line under the body;
- 落款: the office and the date of publication (a draft: today, and no number yet).

The same `sections` render the document on the app's and the public page.
"""

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.scoping import get_bulletin_for
from dudao.reports import exporter
from dudao.reports.builders import list_separator
from dudao.reports.exporter import DOCX, PDF, Report, Section, long_date

from .models import Audience, Bulletin, BulletinAttachment, Kind

NAME = "bulletin_document"
# A line opening with a Chinese numeral and "、" is a heading (一、总体情况), if short.
HEADING = re.compile(r"^[一二三四五六七八九十百]+、")
HEADING_MAX = 40  # characters: a longer line is a paragraph that happens to start so
NAMED_SCHOOLS = 6  # 主送: up to this many chosen schools by name, else 有关学校
IDEOGRAPHIC_SPACE = "\u3000"


@dataclass
class Part:
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)


def sections(body: str) -> list[Part]:
    """The body's parts: paragraphs (one a line, blank lines dropped) under their "一、"
    headings; paragraphs before the first heading form a part without one."""
    parts: list[Part] = []
    for raw in (body or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if HEADING.match(line) and len(line) <= HEADING_MAX:
            parts.append(Part(heading=line))
            continue
        if not parts:
            parts.append(Part())
        parts[-1].paragraphs.append(line)
    return parts


def attachment_title(attachment: BulletinAttachment) -> str:
    """附件 are named without their file extension."""
    name = attachment.original_name or ""
    stem = PurePosixPath(name).stem if "." in name else name
    return stem or name


def attachment_lines(titles: list[str]) -> list[str]:
    """附件：1. … and the following items aligned under the first (GB/T 9704 §7.3.6)."""
    if not titles:
        return []
    if len(titles) == 1:
        return [_("Annex: %(names)s") % {"names": titles[0]}]
    first = _("Annex: %(names)s") % {"names": f"1. {titles[0]}"}
    indent = IDEOGRAPHIC_SPACE * 3  # as wide as 附件：
    return [first] + [f"{indent}{n}. {t}" for n, t in enumerate(titles[1:], 2)]


def recipient_line(bulletin: Bulletin, school_names: list[str]) -> str:
    """主送 (without its colon)."""
    if bulletin.kind == Kind.BRIEFING:
        return ""
    if bulletin.audience == Audience.ALL_SCHOOLS:
        return _("All schools and kindergartens")
    if bulletin.audience == Audience.ZONE:
        return _("The schools of %(zone)s") % {"zone": bulletin.zone.name if bulletin.zone else ""}
    if bulletin.audience == Audience.INSPECTORS:
        return _("Every inspector")
    if school_names and len(school_names) <= NAMED_SCHOOLS:
        return list_separator().join(school_names)
    return _("The schools concerned")


def masthead(bulletin: Bulletin) -> str:
    office = bulletin.office
    if bulletin.kind == Kind.BRIEFING:
        return _("%(county)s Education Supervision Briefing") % {"county": office.region.name}
    return office.name


def issued_on(bulletin: Bulletin):
    return (
        timezone.localtime(bulletin.published_at).date()
        if bulletin.published_at
        else (timezone.localdate())
    )


def chosen_school_names(bulletin: Bulletin) -> list[str]:
    """The chosen schools' names (主送), in code order: the recipients fixed on publication,
    else the draft's choice. One query."""
    if bulletin.audience != Audience.SCHOOLS:
        return []
    if bulletin.status != Bulletin.Status.DRAFT:
        rows = bulletin.recipients.filter(school__isnull=False).order_by("school__code")
        return list(rows.values_list("school__name", flat=True)[: NAMED_SCHOOLS + 1])
    rows = bulletin.chosen_schools.order_by("code")
    return list(rows.values_list("name", flat=True)[: NAMED_SCHOOLS + 1])


def build_report(bulletin: Bulletin) -> Report:
    """The document of `bulletin` (already fetched through the reader's scope)."""
    parts = sections(bulletin.body)
    report_sections = [Section(part.heading, list(part.paragraphs)) for part in parts]
    titles = [
        attachment_title(a)
        for a in BulletinAttachment.objects.filter(bulletin=bulletin).order_by("created_at", "pk")
    ]
    if titles:
        report_sections.append(Section("", ["", *attachment_lines(titles)]))
    number = bulletin.number
    if not number:
        number = _("(numbered on publication)")
    date = long_date(issued_on(bulletin))
    filename = f"{bulletin.number} {bulletin.title}" if bulletin.number else bulletin.title
    return Report(
        title=bulletin.title,
        filename=filename,
        masthead=masthead(bulletin),
        number=number,
        recipient=recipient_line(bulletin, chosen_school_names(bulletin)),
        sections=report_sections,
        office=bulletin.office.name,
        date=date,
        figures={
            "number": bulletin.number,
            "kind": bulletin.kind,
            "headings": [part.heading for part in parts if part.heading],
            "attachments": titles,
        },
        office_id=bulletin.office_id,
    )


def bulletin_document(user, bulletin_id) -> Report:
    """A bulletin, notice or briefing in the GB/T 9704 layout, for a reader who may see it
    (404 otherwise)."""
    return build_report(get_bulletin_for(user, bulletin_id))


# One export per kind, each with its own replaceable Word template (`ReportKind`): an office
# uploads its house 通报, 通知 and 简报 on the reports page like its other templates; without
# one the bundled default (docx_defaults) is used.
TEMPLATE_KINDS = {  # ReportKind values
    Kind.BULLETIN: "bulletin",
    Kind.NOTICE: "bulletin_notice",
    Kind.BRIEFING: "briefing",
}
NAMES = {Kind.BULLETIN: NAME, Kind.NOTICE: f"{NAME}_notice", Kind.BRIEFING: f"{NAME}_briefing"}
for _kind, _name in NAMES.items():
    exporter.register(
        _name, formats=(DOCX, PDF), template_kind=TEMPLATE_KINDS[_kind], for_user=True
    )(bulletin_document)


def export_name(bulletin: Bulletin) -> str:
    """The exporter's name for `bulletin`'s document: its kind's Word template."""
    return NAMES[bulletin.kind]
