"""A campaign's results (专项督导结果, issue 12 §5), read-only: progress by team, per item the
compliance rate (达标率) overall, by zone and by school type, the non-compliant schools per
item, a schools × items matrix, and the highlights and problems quoted from the notes; and
the same as an XLSX report of the one exporter (`campaign_results`).

What counts. Progress counts every target the reader may see. The figures count the
answers of submitted checks only (a draft may still change). The compliance rate of an item
is compliant answers / assessed answers, where an assessed answer is one whose `compliant`
is not None (`ChecklistItem.assess`: free text, photos and items without a rule are not
assessed, nor is an empty answer); with no assessed answer the rate is None ("—"), never 0.

Highlights and problems: the notes written beside compliant answers are highlights (亮点),
those beside non-compliant answers problems (问题); the target's own notes are quoted as
they were written (general notes).

Every figure is one aggregate query from the reader's scope
(`scoping.campaign_targets_for(user)` for the campaign's targets, answers beneath them), so
the page and the report run a fixed number of queries whatever the number of schools.
"""

from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.checklists.models import ChecklistItem
from dudao.reports import exporter
from dudao.reports.exporter import XLSX, Report, Section, Table, long_date
from dudao.schools.models import SchoolType

from .checks import display_value
from .models import Answer, CampaignTarget

Status = CampaignTarget.Status
YES, NO, NONE = "✓", "✗", "—"


def rate(compliant: int, assessed: int) -> float | None:
    """compliant / assessed, None when nothing was assessed."""
    return compliant / assessed if assessed else None


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f}%"


def _counts(rows, *keys) -> dict:
    """{(key values…): {"assessed", "compliant", "rate", "percent"}} from aggregate rows."""
    out = {}
    for row in rows:
        value = rate(row["compliant_n"], row["assessed_n"])
        out[tuple(row[k] for k in keys)] = {
            "assessed": row["assessed_n"],
            "compliant": row["compliant_n"],
            "rate": value,
            "percent": percent(value),
        }
    return out


ASSESSED = {
    "assessed_n": Count("pk", filter=Q(compliant__isnull=False)),
    "compliant_n": Count("pk", filter=Q(compliant=True)),
}


def campaign_results(user, campaign) -> dict:
    """Everything the results page and the report show, for `user` (a fixed number of
    queries)."""
    targets = scoping.campaign_targets_for(user).filter(campaign=campaign)
    # Bounded by `targets`, already in the reader's scope (Answer has no scope of its own).
    answers = Answer.objects.filter(target__in=targets.filter(status=Status.SUBMITTED))
    items = list(
        ChecklistItem.objects.filter(template_id=campaign.checklist_id)
        .select_related("section")
        .order_by("position")
    )

    teams: dict = {}
    for row in (
        targets.values("team_id", "team__name", "team__position", "status")
        .annotate(n=Count("pk"))
        .order_by("team__position", "team_id")
    ):
        team = teams.setdefault(
            row["team_id"],
            {"name": row["team__name"] or _("No team"), "total": 0}
            | dict.fromkeys(Status.values, 0),
        )
        team[row["status"]] += row["n"]
        team["total"] += row["n"]
    progress = list(teams.values())
    totals = {status: sum(t[status] for t in progress) for status in Status.values}
    totals["total"] = sum(t["total"] for t in progress)

    overall = _counts(answers.values("item_id").annotate(**ASSESSED).order_by(), "item_id")
    by_zone = _counts(
        answers.values("item_id", "target__school__zone_id").annotate(**ASSESSED).order_by(),
        "item_id",
        "target__school__zone_id",
    )
    by_type = _counts(
        answers.values("item_id", "target__school__type").annotate(**ASSESSED).order_by(),
        "item_id",
        "target__school__type",
    )

    schools = list(
        targets.select_related("school", "school__zone", "team").order_by("position", "pk")
    )
    zones = {}
    for target in schools:
        zone = target.school.zone
        zones.setdefault(zone.pk if zone else None, zone.name if zone else _("No zone"))
    zone_list = sorted(zones.items(), key=lambda kv: (kv[0] is None, kv[1]))
    type_labels = dict(SchoolType.choices)
    type_list = [t for t in SchoolType.values if any(s.school.type == t for s in schools)]

    failing = defaultdict(list)
    highlights, problems = [], []
    for row in (
        answers.filter(Q(compliant=False) | ~Q(note=""))
        .values("item_id", "compliant", "note", "finding_id", "target__school__name")
        .order_by("target__position", "target_id")
    ):
        if row["compliant"] is False:
            failing[row["item_id"]].append(
                {
                    "school": row["target__school__name"],
                    "note": row["note"],
                    "finding_id": row["finding_id"],
                }
            )
        if row["note"]:
            quote = {"school": row["target__school__name"], "text": row["note"]}
            if row["compliant"] is True:
                highlights.append(quote | {"item_id": row["item_id"]})
            elif row["compliant"] is False:
                problems.append(quote | {"item_id": row["item_id"]})
    notes = [
        {"school": t.school.name, "text": t.notes}
        for t in schools
        if t.notes and t.status == Status.SUBMITTED
    ]

    cells = {(t, i): c for t, i, c in answers.values_list("target_id", "item_id", "compliant")}
    codes = {item.pk: item.code for item in items}
    for quote in highlights + problems:
        quote["code"] = codes.get(quote["item_id"], "")

    item_rows = []
    for item in items:
        item_rows.append(
            {
                "item": item,
                "overall": overall.get((item.pk,)),
                "zones": [by_zone.get((item.pk, zone_id)) for zone_id, _name in zone_list],
                "types": [by_type.get((item.pk, kind)) for kind in type_list],
                "failing": failing.get(item.pk, []),
            }
        )
    matrix = []
    for target in schools:
        submitted = target.status == Status.SUBMITTED
        row = []
        for item in items:
            if not submitted or not item.applies_to(target.school.type):
                row.append(NONE)
                continue
            value = cells.get((target.pk, item.pk))
            row.append(YES if value is True else NO if value is False else NONE)
        matrix.append({"target": target, "cells": row})
    return {
        "campaign": campaign,
        "progress": progress,
        "totals": totals,
        "items": items,
        "item_rows": item_rows,
        "zones": [name for _pk, name in zone_list],
        "types": [type_labels[t] for t in type_list],
        "matrix": matrix,
        "highlights": highlights,
        "problems": problems,
        "notes": notes,
    }


def _cell(counts) -> str:
    return counts["percent"] if counts else NONE


@exporter.register("campaign_results", formats=(XLSX,), for_user=True)
def campaign_results_report(user, campaign_id) -> Report:
    """The campaign's results in one workbook: a sheet per table of the results page."""
    campaign = scoping.get_campaign_for(user, campaign_id)
    data = campaign_results(user, campaign)
    labels = dict(Status.choices)
    progress = Table(
        title=_("Progress by team"),
        columns=[_("Team"), _("Schools")] + [str(labels[s]) for s in Status.values],
        rows=[[t["name"], t["total"]] + [t[s] for s in Status.values] for t in data["progress"]]
        + [[_("Total"), data["totals"]["total"]] + [data["totals"][s] for s in Status.values]],
    )
    items = Table(
        title=_("Compliance by item"),
        columns=[_("Code"), _("Item"), _("Assessed"), _("Compliant"), _("Compliance rate")]
        + data["zones"]
        + data["types"],
        rows=[
            [
                r["item"].code,
                r["item"].question,
                r["overall"]["assessed"] if r["overall"] else 0,
                r["overall"]["compliant"] if r["overall"] else 0,
                _cell(r["overall"]),
            ]
            + [_cell(c) for c in r["zones"]]
            + [_cell(c) for c in r["types"]]
            for r in data["item_rows"]
        ],
    )
    failing = Table(
        title=_("Non-compliant schools"),
        columns=[_("Code"), _("Item"), _("School"), _("Note")],
        rows=[
            [r["item"].code, r["item"].question, f["school"], f["note"]]
            for r in data["item_rows"]
            for f in r["failing"]
        ],
    )
    matrix = Table(
        title=_("Schools and items"),
        columns=[_("School"), _("Status")] + [item.code for item in data["items"]],
        rows=[
            [row["target"].school.name, str(labels[row["target"].status])] + row["cells"]
            for row in data["matrix"]
        ],
    )
    quotes = Table(
        title=_("Highlights and problems"),
        columns=[_("Kind"), _("School"), _("Code"), _("Text")],
        rows=[[_("Highlight"), q["school"], q["code"], q["text"]] for q in data["highlights"]]
        + [[_("Problem"), q["school"], q["code"], q["text"]] for q in data["problems"]]
        + [[_("Notes"), q["school"], "", q["text"]] for q in data["notes"]],
    )
    return Report(
        title=_("Results of %(campaign)s") % {"campaign": campaign.title},
        filename=_("Results of %(campaign)s") % {"campaign": campaign.title},
        sections=[Section(tables=[progress, items, failing, matrix, quotes])],
        office=campaign.office.name,
        date=long_date(campaign.ends_on),
        landscape=True,
        office_id=campaign.office_id,
        figures={
            "targets": data["totals"]["total"],
            "submitted": data["totals"][Status.SUBMITTED],
            "rates": {r["item"].code: (r["overall"] or {}).get("rate") for r in data["item_rows"]},
        },
    )


def school_result(target: CampaignTarget) -> list[dict]:
    """One school's answers, item by item (the school's own page, once published)."""
    answers = {a.item_id: a for a in Answer.objects.filter(target=target)}
    rows = []
    for item in (
        ChecklistItem.objects.filter(template_id=target.campaign.checklist_id)
        .select_related("section")
        .order_by("position")
    ):
        if not item.applies_to(target.school.type):
            continue
        answer = answers.get(item.pk)
        rows.append(
            {
                "item": item,
                "answer": display_value(item, answer.value) if answer else "",
                "compliant": answer.compliant if answer else None,
                "note": answer.note if answer else "",
            }
        )
    return rows
