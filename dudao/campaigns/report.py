"""The campaign report (专项督导报告) and the bulletin of its results (专项督导情况通报), issue 12
§6: Word and PDF documents of the one exporter, filled from the results
(`results.campaign_results`, a fixed number of queries) and from the office's own words.

The report has the four sections county offices write: 一、基本情况 (title, legal basis,
dates, the method, how the schools were chosen — the 双随机 seed and method —, the numbers of
schools, teams and inspectors), 二、工作亮点 (drafted from the highlights noted beside
compliant answers), 三、存在问题 (per item below a 100 % compliance rate: the rate and the
non-compliant schools, figures never edited; then the problems noted beside non-compliant
answers, edited), 四、督导建议 (drafted) and 附件 (per item and per school outcomes).
The bulletin is the same matter in the GB/T 9704 layout of an official document: 版头,
文号, title "关于…专项督导情况的通报", 主送, body, 落款.

The office edits the highlights, the problems' narrative and the suggestions on its own page
before export (`CampaignReportText`, written by `save_report_text`); an emptied text gives
the draft back. Both documents exist once the campaign is closed or published."""

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, StaleObject
from dudao.reports import exporter
from dudao.reports.builders import list_separator, local_day, names
from dudao.reports.exporter import DOCX, PDF, Report, Section, Table, long_date
from dudao.reports.models import ReportKind

from . import results
from .models import Campaign, CampaignReportText, TargetRule, TeamMember

TextSection = CampaignReportText.Section
REPORTABLE = (Campaign.Status.CLOSED, Campaign.Status.PUBLISHED)
TEXT_MAX = 5000  # characters of each text
NUMBER_MAX = 50  # characters of a bulletin's document number (文号)
DRAFT_LINES = 10  # quotes drawn from the notes into a draft
QUOTE_MAX = 120  # characters of a note quoted in a draft


# --- the office's own words --------------------------------------------------------------


def reportable_campaign(user, pk) -> Campaign:
    """The campaign through the reader's scope, 404 when out of scope or not yet closed."""
    campaign = scoping.get_campaign_for(user, pk)
    if campaign.status not in REPORTABLE:
        raise Http404
    return campaign


def check_text_author(actor, campaign) -> None:
    guards.require_office_admin(
        actor,
        campaign.office_id,
        message=_("Only the office administrator may edit the campaign report."),
    )


@transaction.atomic
def save_report_text(
    actor, campaign, section: str, text: str, expected_version: int | None = None
) -> CampaignReportText:
    """Store the office's text of one section of the campaign report (工作亮点, 存在问题's
    narrative or 督导建议); an empty text gives the draft back. The office admin of the
    campaign's office, once the campaign is closed or published. Audited; a save that changes
    nothing writes nothing; `expected_version` (0: none saved yet) refuses a save over
    someone else's newer text."""
    guards.require_person(actor)
    check_text_author(actor, campaign)
    locked = Campaign.objects.unscoped().select_for_update().get(pk=campaign.pk)
    if locked.status not in REPORTABLE:
        raise DomainError(_("The report is written once the campaign is closed."))
    if section not in TextSection.values:
        raise DomainError(_("Choose a section of the report."), field="section")
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("Keep the text under %(count)s characters.") % {"count": TEXT_MAX}, field="text"
        )
    row = (
        CampaignReportText.objects.select_for_update()
        .filter(campaign=locked, section=section)
        .first()
    )
    if row is None:
        if expected_version:
            raise StaleObject(
                _("Someone else changed this report's text; reload it and try again.")
            )
        row = CampaignReportText.objects.create(
            campaign=locked, section=section, text=text, updated_by=actor
        )
        audit.record_create(actor, row)
        return row
    if expected_version is not None and row.version != expected_version:
        raise StaleObject(_("Someone else changed this report's text; reload it and try again."))
    before = audit.snapshot(row)
    row.text = text
    if not audit.diff(before, audit.snapshot(row)):
        return row
    row.version += 1
    row.updated_by = actor
    row.save()
    audit.record_update(actor, row, before)
    return row


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def _quotes(quotes) -> list[str]:
    """ "school: note" lines, each note once, at most DRAFT_LINES."""
    lines, seen = [], set()
    for quote in quotes:
        line = _("%(school)s: %(feedback)s") % {
            "school": quote["school"],
            "feedback": _quote(quote["text"]),
        }
        if line not in seen:
            seen.add(line)
            lines.append(line)
        if len(lines) == DRAFT_LINES:
            break
    return lines


def below_standard(data) -> list[dict]:
    """The items with a compliance rate below 100 %, lowest rate first (then checklist order)."""
    rows = [
        row
        for row in data["item_rows"]
        if row["overall"] and row["overall"]["compliant"] < row["overall"]["assessed"]
    ]
    return sorted(rows, key=lambda row: row["overall"]["rate"])


def item_sentence(row) -> str:
    """三、存在问题, one item: its rate and its non-compliant schools."""
    overall, failing = row["overall"], row["failing"]
    return _(
        "%(code)s %(item)s: the compliance rate is %(percent)s (%(compliant)s of %(assessed)s); "
        "%(count)s schools do not meet it: %(schools)s."
    ) % {
        "code": row["item"].code,
        "item": row["item"].question,
        "percent": overall["percent"],
        "compliant": overall["compliant"],
        "assessed": overall["assessed"],
        "count": len(failing),
        "schools": names(f["school"] for f in failing),
    }


def drafts(data) -> dict[str, list[str]]:
    """The drafts of the three edited sections, from the results."""
    suggestions = [
        _(
            "The schools that do not meet “%(item)s” should rectify it within a set time and "
            "report the rectification to the office in writing."
        )
        % {"item": row["item"].question}
        for row in below_standard(data)[:5]
    ]
    suggestions.append(
        _(
            "Every school should check itself against the problems found in this campaign; "
            "the office will check the rectification again (回头看)."
        )
    )
    return {
        TextSection.HIGHLIGHTS: _quotes(data["highlights"]),
        TextSection.PROBLEMS: _quotes(data["problems"]),
        TextSection.SUGGESTIONS: suggestions,
    }


def own_words(campaign, data) -> dict:
    """{section: {"draft", "text", "version", "shown"}}: the saved text where the office saved
    one, else the draft. One query."""
    saved = {row.section: row for row in CampaignReportText.objects.filter(campaign=campaign)}
    out = {}
    for section, draft in drafts(data).items():
        row = saved.get(section)
        kept = lines_of(row.text) if row else []
        out[section] = {
            "draft": "\n".join(draft),
            "text": "\n".join(kept),
            "version": row.version if row else 0,
            "shown": kept or draft,
        }
    return out


# --- the figures -------------------------------------------------------------------------


def _team_figures(campaign) -> tuple[int, list[str]]:
    """The number of teams with members and the inspectors' names, leaders first. One query."""
    teams, people = set(), []
    for team_id, name in (
        TeamMember.objects.filter(team__campaign=campaign)
        .order_by("team__position", "team_id", "-is_leader", "pk")
        .values_list("team_id", "inspector__name")
    ):
        teams.add(team_id)
        if name not in people:
            people.append(name)
    return len(teams), people


def basic_paragraphs(campaign, data, teams: int, inspectors: list[str]) -> list[str]:
    """一、基本情况."""
    dates = {
        "office": campaign.office.name,
        "start": long_date(campaign.starts_on),
        "end": long_date(campaign.ends_on),
        "title": campaign.title,
    }
    if campaign.legal_basis:
        opening = _(
            "As required by %(basis)s, %(office)s carried out %(title)s from %(start)s to %(end)s."
        ) % (dates | {"basis": campaign.legal_basis})
    else:
        opening = _("%(office)s carried out %(title)s from %(start)s to %(end)s.") % dates
    if campaign.unannounced:
        method = _(
            "The checks were unannounced (四不两直): no notice, no appointment, no reception, "
            "straight to the schools. The teams checked every school against the checklist "
            "“%(checklist)s”, item by item, by reading records, looking around the school and "
            "asking teachers and pupils."
        )
    else:
        method = _(
            "The schools were told of the checks beforehand. The teams checked every school "
            "against the checklist “%(checklist)s”, item by item, by reading records, looking "
            "around the school and asking teachers and pupils."
        )
    method %= {"checklist": campaign.checklist.title}
    if campaign.target_rule == TargetRule.RANDOM:
        # The method in full (hashes, shares) is on the public page; a document says it in a
        # sentence, as offices' reports do.
        chosen = _(
            "The schools were drawn at random (双随机) with the seed “%(seed)s”; the method and "
            "the schools drawn are published with the results (一公开)."
        ) % {"seed": campaign.draw_seed or "—"}
    else:
        chosen = _("The schools checked: %(rule)s.") % {"rule": campaign.get_target_rule_display()}
    totals = data["totals"]
    count = _(
        "%(schools)s schools were to be checked and %(checked)s were checked, by %(teams)s "
        "teams of %(inspectors)s inspectors: %(names)s."
    ) % {
        "schools": totals["total"],
        "checked": totals[results.Status.SUBMITTED],
        "teams": teams,
        "inspectors": len(inspectors),
        "names": list_separator().join(inspectors) or "—",
    }
    return [opening, method, chosen, count]


def annex_tables(data) -> list[Table]:
    """附件: the compliance of each item and each school's outcome."""
    items = Table(
        title=_("Compliance by item"),
        columns=[
            _("Code"),
            _("Item"),
            _("Assessed"),
            _("Compliant"),
            _("Compliance rate"),
            _("Non-compliant schools"),
        ],
        rows=[
            [
                row["item"].code,
                row["item"].question,
                row["overall"]["assessed"] if row["overall"] else 0,
                row["overall"]["compliant"] if row["overall"] else 0,
                results._cell(row["overall"]),
                len(row["failing"]),
            ]
            for row in data["item_rows"]
        ],
    )
    codes = [item.code for item in data["items"]]
    schools = Table(
        title=_("Outcome by school"),
        columns=[_("No."), _("School"), _("Team"), _("Compliant"), _("Non-compliant items")],
        rows=[],
    )
    for number, row in enumerate(data["matrix"], 1):
        target = row["target"]
        if target.status != results.Status.SUBMITTED:
            outcome, failing = str(target.get_status_display()), ""
        else:
            yes = row["cells"].count(results.YES)
            assessed = yes + row["cells"].count(results.NO)
            outcome = f"{yes}/{assessed}"
            failing = list_separator().join(
                code for code, cell in zip(codes, row["cells"], strict=True) if cell == results.NO
            )
        schools.rows.append(
            [
                number,
                target.school.name,
                target.team.name if target.team else "",
                outcome,
                failing or "—",
            ]
        )
    return [items, schools]


def issued_on(campaign):
    """The documents' date: the day the campaign was published, else closed, else its end."""
    return local_day(campaign.published_at or campaign.closed_at) or campaign.ends_on


def report_matter(user, campaign_id) -> dict:
    """What both documents say, for `user` (a fixed number of queries)."""
    campaign = reportable_campaign(user, campaign_id)
    data = results.campaign_results(user, campaign)
    teams, inspectors = _team_figures(campaign)
    words = own_words(campaign, data)
    failing = below_standard(data)
    problems = [item_sentence(row) for row in failing] or [
        _("Every item checked met the standard at every school checked.")
    ]
    return {
        "campaign": campaign,
        "data": data,
        "basic": basic_paragraphs(campaign, data, teams, inspectors),
        "problems": problems,
        "words": words,
        "figures": {
            "schools": data["totals"]["total"],
            "checked": data["totals"][results.Status.SUBMITTED],
            "teams": teams,
            "inspectors": len(inspectors),
            "below": {
                row["item"].code: (row["overall"]["percent"], len(row["failing"]))
                for row in failing
            },
            "words": {
                section: {k: v for k, v in value.items() if k != "shown"}
                for section, value in words.items()
            },
        },
    }


def _sections(matter) -> list[Section]:
    words = matter["words"]
    return [
        Section(_("1. Basic information"), matter["basic"]),
        Section(
            _("2. Highlights"),
            words[TextSection.HIGHLIGHTS]["shown"] or [_("No highlights were recorded.")],
        ),
        Section(_("3. Problems"), matter["problems"] + words[TextSection.PROBLEMS]["shown"]),
        Section(_("4. Supervision suggestions"), words[TextSection.SUGGESTIONS]["shown"]),
    ]


def _annex(matter) -> list[Section]:
    tables = annex_tables(matter["data"])
    return [
        Section(
            _("Annex: %(names)s")
            % {"names": list_separator().join(f"{n}. {t.title}" for n, t in enumerate(tables, 1))},
            tables=tables,
        )
    ]


@exporter.register(
    "campaign_report",
    formats=(DOCX, PDF),
    template_kind=ReportKind.CAMPAIGN_REPORT,
    for_user=True,
)
def campaign_report(user, campaign_id) -> Report:
    """专项督导报告: the four sections and the annex."""
    matter = report_matter(user, campaign_id)
    campaign = matter["campaign"]
    title = _("Report on %(campaign)s") % {"campaign": campaign.title}
    return Report(
        title=title,
        filename=title,
        sections=_sections(matter) + _annex(matter),
        office=campaign.office.name,
        date=long_date(issued_on(campaign)),
        figures=matter["figures"],
        office_id=campaign.office_id,
    )


@exporter.register(
    "campaign_bulletin",
    formats=(DOCX, PDF),
    template_kind=ReportKind.CAMPAIGN_BULLETIN,
    for_user=True,
)
def campaign_bulletin(user, campaign_id, number: str = "") -> Report:
    """专项督导情况通报 in the GB/T 9704 layout: 版头 with the office and the 文号 (given on
    the results page, else the campaign's legal basis), the title, 主送 the schools, the body
    from the figures and the office's own words, 落款 the office and the day."""
    matter = report_matter(user, campaign_id)
    campaign = matter["campaign"]
    number = " ".join((number or "").split())[:NUMBER_MAX] or campaign.legal_basis
    title = _("Bulletin on %(campaign)s") % {"campaign": campaign.title}
    sections = _sections(matter)
    sections[0].paragraphs.append(_("The results are announced as follows."))
    return Report(
        title=title,
        filename=title,
        masthead=campaign.office.name,
        number=number,
        recipient=_("All schools and kindergartens"),
        sections=sections,
        office=campaign.office.name,
        date=long_date(issued_on(campaign)),
        figures=matter["figures"] | {"number": number},
        office_id=campaign.office_id,
    )
