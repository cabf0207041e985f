"""An evaluation round's documents (issue 13 §6): Word and PDF documents and a workbook of the
one exporter (docs/architecture.md §6), filled from the engine's results and the office's own
words.

- `evaluation_target_report` — 反馈意见书 (督导评估报告) to one target: 一、基本情况 (the round,
  the framework, how it was scored, the result), 二、评估得分情况 (per top-level indicator the
  full marks, each rater group's score side by side — only the groups the reader may read,
  `access.readable_groups` —, the score and its rate; the veto items), 三、主要成绩,
  四、存在问题 (the veto items that vetoed, the indicators that lost most, those under 60 %,
  then the office's narrative), 五、督导意见及整改要求, and the whole indicator tree as annex;
  signed by the office.
- `evaluation_round_summary` — the round's report: 一、基本情况 (scope; method: framework,
  raters, weights, grades), 二、评估结果 (the distribution by grade, the ranking, the scores
  by area), 三、主要成绩, 四、存在问题 (per indicator the lowest average score rates, the
  veto items, the raters' disagreements), 五、下一步工作, annex: the targets × areas.
- `evaluation_round_bulletin` — the results' 通报 in the GB/T 9704 layout: 版头 with the
  office and the 文号, title, 主送, the same matter without the office's internal figures.
- `evaluation_results` (XLSX) — the ranking, a targets × indicators matrix, each rater
  group's scores, the disagreements.

Who reads (`reportable_round`, `reportable_target`): the round's office and the viewers above
it, from review on (a document made in review says so: 审核稿); a school its own target's
report once the round is published; nobody else (404, through the scopes). The figures are the
results stored on publication (`RoundTarget.total`, `grade`, `scores` …), or the engine's from
the scores as they stand during review; the groups' scores side by side are always the
engine's (`round_services.compute_results`, one query for the scores).

The office edits 主要成绩, the narrative of 存在问题, 下一步工作 (the round's) and 督导意见
(each target's) on its page (`EvaluationReportText`, written by `save_report_text`); an
emptied text gives the draft back. The figures are never edited."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.accounts import scoping
from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, StaleObject
from dudao.reports import exporter
from dudao.reports.builders import list_separator, local_day, names
from dudao.reports.exporter import DOCX, PDF, XLSX, Report, Section, Table, long_date
from dudao.reports.models import ReportKind

from . import access, round_services, round_workflow
from .engine.framework import FrameworkSpec, plain
from .engine.scoring import FAIL_GRADE, TargetResult
from .framework_services import spec_of
from .models import (
    EvaluationReportText,
    Rater,
    RaterGroup,
    Round,
    RoundEvent,
    RoundTarget,
    Score,
    TargetKind,
)

Stage = Round.Stage
TextSection = EvaluationReportText.Section
# Documents exist once the scores are complete (review) and after publication.
REPORTABLE = (Stage.REVIEW, Stage.PUBLISHED)
ROUND_SECTIONS = (TextSection.ACHIEVEMENTS, TextSection.PROBLEMS, TextSection.NEXT_STEPS)
TARGET_SECTIONS = (TextSection.ACHIEVEMENTS, TextSection.PROBLEMS, TextSection.OPINIONS)
TEXT_MAX = 5000  # characters of each text
NUMBER_MAX = 50  # characters of a bulletin's document number (文号)
DRAFT_LINES = 10  # comments quoted into a draft
QUOTE_MAX = 120  # characters of a comment quoted in a draft
LOST_LINES = 5  # indicators named as losing most (a target) or lowest on average (a round)
TOP_LINES = 3  # indicators named as the best
GOOD_SHARE = Decimal("0.8")  # a target's strengths: indicators at 80 % of full marks or more
WEAK_SHARE = round_services.WEAK_SHARE  # under 60 %: named, as in the finding
NONE = "—"

# Column headers of each rater group's scores (documents and the workbook).
GROUP_COLUMNS = {
    RaterGroup.SELF: gettext_lazy("Self-assessment score"),
    RaterGroup.EXPERT: gettext_lazy("Expert score"),
    RaterGroup.PEER: gettext_lazy("Peer score"),
    RaterGroup.ABOVE: gettext_lazy("Score from above"),
    RaterGroup.BELOW: gettext_lazy("Score from below"),
}
# A group in a sentence (the method).
GROUP_NAMES = {
    RaterGroup.SELF: gettext_lazy("self-assessment"),
    RaterGroup.EXPERT: gettext_lazy("experts"),
    RaterGroup.PEER: gettext_lazy("peers"),
    RaterGroup.ABOVE: gettext_lazy("raters from above"),
    RaterGroup.BELOW: gettext_lazy("raters from below"),
}
RECIPIENTS = {
    TargetKind.SCHOOL: gettext_lazy("All schools and kindergartens"),
    TargetKind.KINDERGARTEN: gettext_lazy("All schools and kindergartens"),
    TargetKind.TOWNSHIP: gettext_lazy("All township governments and sub-district offices"),
    TargetKind.GOVERNMENT: gettext_lazy("The county government's departments concerned"),
}


# --- numbers -------------------------------------------------------------------------------


def number(value) -> str:
    """83.80 → "83.8", 7.00 → "7"; "—" for None."""
    return NONE if value is None else plain(Decimal(value))


def share(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


def percent(value: Decimal | None) -> str:
    """A share as a percentage with one decimal, rounded half up: 0.838 → "83.8%"."""
    if value is None:
        return NONE
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def plain_percent(value: Decimal) -> str:
    """A share as a percentage without trailing zeros: 0.6 → "60%", 1/3 → "33.3%"."""
    return f"{plain((value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP))}%"


def mean(values) -> Decimal | None:
    values = list(values)
    return sum(values, Decimal(0)) / len(values) if values else None


def two_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- who reads -----------------------------------------------------------------------------


def reads_everything(user, round_: Round) -> bool:
    """The round's office admin, a viewer above it, or the superuser."""
    return user.is_superuser or access.is_reader_above(user, round_)


def reportable_round(user, pk) -> Round:
    """The round through the reader's scope, for its office and the viewers above it, at
    review or published; 404 otherwise (an expert or a school finds no round document)."""
    round_ = scoping.get_round_for(user, pk)
    if round_.stage not in REPORTABLE or not reads_everything(user, round_):
        raise Http404
    return round_


def reportable_target(user, pk, round_id=None) -> RoundTarget:
    """The target through the reader's scope: for the round's office and the viewers above
    it at review or published; for the target's own school once published; 404 otherwise
    (an expert, an inspector, another school, another county)."""
    target = scoping.get_round_target_for(user, pk)
    if round_id is not None and target.round_id != int(round_id):
        raise Http404
    round_ = target.round
    if reads_everything(user, round_):
        if round_.stage in REPORTABLE:
            return target
    elif access.is_target_itself(user, target) and round_.stage == Stage.PUBLISHED:
        return target
    raise Http404


# --- the results ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """One target's result as the documents print it: the stored result once published (the
    engine's during review), and the engine's details (groups, vetoes, disagreements)."""

    target: RoundTarget
    result: TargetResult
    spec: FrameworkSpec
    total: Decimal
    max: Decimal
    grade: str
    vetoed: bool
    passed: bool
    scores: dict[str, Decimal] = field(default_factory=dict)
    rank: int = 0

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def share(self) -> Decimal | None:
        return share(self.total, self.max)

    def score(self, code: str) -> Decimal | None:
        return self.scores.get(code)


def outcomes(round_: Round, targets: list[RoundTarget]) -> list[Outcome]:
    """Every target's outcome, in the targets' order: one query for the scores, one for the
    framework (and one per target with its own indicators, 合格+订单)."""
    results = round_services.compute_results(round_, targets)
    base = spec_of(round_.framework)
    published = round_.stage == Stage.PUBLISHED
    out = []
    for target in targets:
        result = results[target.pk]
        target.round = round_
        spec = base
        if any(code not in base for code in result.indicators):
            spec = round_services.spec_for_target(target)
        if published and target.total is not None:
            outcome = Outcome(
                target=target,
                result=result,
                spec=spec,
                total=target.total,
                max=target.max_total,
                grade=target.grade,
                vetoed=target.vetoed,
                passed=bool(target.passed),
                scores={code: Decimal(value) for code, value in target.scores.items()},
            )
        else:
            outcome = Outcome(
                target=target,
                result=result,
                spec=spec,
                total=result.total,
                max=result.max,
                grade=result.grade,
                vetoed=result.vetoed,
                passed=round_services.passes(round_, result),
                scores=dict(result.indicators),
            )
        out.append(outcome)
    return out


def grade_names(round_: Round) -> list[str]:
    """The grades, best first, then 不合格."""
    ordered = sorted(round_services.grades_of(round_), key=lambda grade: -grade[1])
    return [name for name, _threshold in ordered] + [FAIL_GRADE]


def ranked(round_: Round, items: list[Outcome]) -> list[Outcome]:
    """Best first: by grade (a vetoed target is 不合格 whatever its score), then by the score
    rate (targets with their own indicators have their own full marks). Equal grade and rate,
    equal rank (1, 1, 3)."""
    order = grade_names(round_)

    def key(item):
        place = order.index(item.grade) if item.grade in order else len(order)
        return (place, -(item.share or Decimal(0)))

    ordered = sorted(items, key=lambda i: (key(i), i.target.position, i.target.pk))
    previous = None
    for index, item in enumerate(ordered, 1):
        if key(item) != previous:
            rank, previous = index, key(item)
        item.rank = rank
    return ordered


def scored_leaves(spec: FrameworkSpec):
    """The leaves that carry points (not the veto items)."""
    return [leaf for leaf in spec.leaves if leaf.method != "veto" and leaf.max_score > 0]


def area_roots(spec: FrameworkSpec):
    """The top-level indicators that carry points (a veto item at the top has none)."""
    return [root for root in spec.roots if root.method != "veto"]


def veto_state(result: TargetResult, code: str) -> str:
    """A veto item's outcome for one target: vetoed, not vetoed, or not answered."""
    if code not in result.vetoes:
        return _("not answered")
    no, answered = result.vetoes[code]
    return _("vetoed") if 2 * no > answered else _("not vetoed")


def shown_groups(result: TargetResult, readable) -> list[str]:
    """The groups that scored the target, in the model's order, that the reader may read."""
    return [
        group
        for group in RaterGroup.values
        if group in result.by_group and (readable is None or group in readable)
    ]


def group_total(result: TargetResult, spec: FrameworkSpec, group: str) -> Decimal | None:
    scores = result.by_group.get(group, {})
    present = [scores[root.code] for root in spec.roots if root.code in scores]
    return sum(present, Decimal(0)) if present else None


# --- the office's own words ----------------------------------------------------------------


def check_text_author(actor, round_: Round) -> None:
    guards.require_office_admin(
        actor,
        round_.office_id,
        message=_("Only the office administrator may edit the evaluation reports."),
    )


@transaction.atomic
def save_report_text(
    actor,
    round_,
    section: str,
    text: str,
    expected_version: int | None = None,
    *,
    target=None,
) -> EvaluationReportText:
    """Store the office's text of one section: of the round's summary and bulletin (主要成绩,
    存在问题's narrative, 下一步工作) or, with `target`, of that target's report (主要成绩,
    存在问题's narrative, 督导意见). An empty text gives the draft back. The office admin of
    the round's office, at review or once published. Audited; a save that changes nothing
    writes nothing; `expected_version` (0: none saved yet) refuses a save over someone else's
    newer text."""
    guards.require_person(actor)
    check_text_author(actor, round_)
    locked = Round.objects.unscoped().select_for_update().get(pk=round_.pk)
    if locked.stage not in REPORTABLE:
        raise DomainError(_("The reports are written once the round is at review."))
    if target is not None:
        target = (
            RoundTarget.objects.unscoped()
            .filter(pk=getattr(target, "pk", target), round=locked)
            .first()
        )
        if target is None:
            raise DomainError(_("Choose a target of the round."))
    allowed = TARGET_SECTIONS if target is not None else ROUND_SECTIONS
    if section not in allowed:
        raise DomainError(_("Choose a section of the report."), field="section")
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("Keep the text under %(count)s characters.") % {"count": TEXT_MAX}, field="text"
        )
    row = (
        EvaluationReportText.objects.select_for_update()
        .filter(round=locked, target=target, section=section)
        .first()
    )
    if row is None:
        if expected_version:
            raise StaleObject(
                _("Someone else changed this report's text; reload it and try again.")
            )
        row = EvaluationReportText.objects.create(
            round=locked, target=target, section=section, text=text, updated_by=actor
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


def own_words(round_: Round, target, drafts: dict[str, list[str]]) -> dict:
    """{section: {"draft", "text", "version", "shown"}}: the saved text where the office saved
    one, else the draft. One query."""
    rows = EvaluationReportText.objects.filter(round=round_)
    rows = rows.filter(target=target) if target is not None else rows.filter(target__isnull=True)
    saved = {row.section: row for row in rows}
    out = {}
    for section, draft in drafts.items():
        row = saved.get(section)
        kept = lines_of(row.text) if row else []
        out[section] = {
            "draft": "\n".join(draft),
            "text": "\n".join(kept),
            "version": row.version if row else 0,
            "shown": kept or draft,
        }
    return out


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def with_rate(indicator: str, value: Decimal | None) -> str:
    return _("%(indicator)s (%(percent)s)") % {"indicator": indicator, "percent": percent(value)}


def _indicator(spec: FrameworkSpec, code: str) -> str:
    return f"{code} {spec.get(code).title}" if code in spec else code


# --- the round's method --------------------------------------------------------------------


def rater_figures(round_: Round) -> dict:
    """Raters named per group and the experts' names. One query."""
    groups: dict[str, set[int]] = {}
    experts: list[str] = []
    for rater in (
        Rater.objects.filter(round=round_).select_related("user__inspector").order_by("group", "pk")
    ):
        groups.setdefault(rater.group, set()).add(rater.user_id)
        if rater.group == RaterGroup.EXPERT:
            user = rater.user
            name = (
                user.inspector.name
                if user.inspector_id
                else (user.get_full_name() or user.username)
            )
            if name not in experts:
                experts.append(name)
    return {"groups": {g: len(users) for g, users in groups.items()}, "experts": experts}


def weights_text(round_: Round) -> str:
    weights = round_services.weights_of(round_)
    if not weights:
        return ""
    total = sum(weights.values())
    return list_separator().join(
        _("%(group)s %(percent)s")
        % {"group": GROUP_NAMES.get(group, group), "percent": plain_percent(weight / total)}
        for group, weight in sorted(weights.items(), key=lambda g: -g[1])
        if weight
    )


def grades_text(round_: Round) -> str:
    return list_separator().join(
        _("%(grade)s from %(percent)s") % {"grade": name, "percent": f"{plain(threshold)}%"}
        for name, threshold in sorted(round_services.grades_of(round_), key=lambda g: -g[1])
    )


def opening(round_: Round) -> str:
    """Who carried out the round, on what basis, from the day it opened to the documents'
    day (its publication)."""
    opened = (
        RoundEvent.objects.filter(round=round_, action=round_workflow.Action.OPEN)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    values = {
        "office": round_.office.name,
        "title": round_.title,
        "start": long_date(local_day(opened or round_.created_at)),
        "end": long_date(issued_on(round_)),
    }
    if round_.legal_basis:
        return _(
            "As required by %(basis)s, %(office)s carried out %(title)s from %(start)s to %(end)s."
        ) % (values | {"basis": round_.legal_basis})
    return _("%(office)s carried out %(title)s from %(start)s to %(end)s.") % values


def framework_sentence(round_: Round, spec: FrameworkSpec) -> str:
    values = {
        "framework": round_.framework.title,
        "areas": len(area_roots(spec)),
        "leaves": len(scored_leaves(spec)),
        "max": number(spec.total_max),
    }
    vetoes = len(spec.veto_items)
    if vetoes:
        return _(
            "The round scored against the framework “%(framework)s”: %(areas)s top-level "
            "indicators, %(leaves)s scored indicators and %(vetoes)s veto items, %(max)s "
            "points in all."
        ) % (values | {"vetoes": vetoes})
    return (
        _(
            "The round scored against the framework “%(framework)s”: %(areas)s top-level "
            "indicators and %(leaves)s scored indicators, %(max)s points in all."
        )
        % values
    )


def method_sentences(round_: Round, raters: dict, *, experts=True) -> list[str]:
    """How the scores were given and combined, and the grades."""
    lines = []
    counted = [
        _("%(group)s %(count)s") % {"group": GROUP_NAMES[g], "count": raters["groups"][g]}
        for g in RaterGroup.values
        if g in raters["groups"]
    ]
    if counted:
        lines.append(
            _(
                "The targets assessed themselves against every indicator with their evidence; "
                "then %(count)s raters scored them online, indicator by indicator (%(groups)s)."
            )
            % {"count": sum(raters["groups"].values()), "groups": list_separator().join(counted)}
        )
    else:
        lines.append(
            _("The targets assessed themselves against every indicator with their evidence.")
        )
    if experts and raters["experts"]:
        lines.append(
            _("The experts: %(names)s.") % {"names": list_separator().join(raters["experts"])}
        )
    weights = weights_text(round_)
    if weights:
        combined = _(
            "Each indicator's score is the mean of each group's raters, the groups weighted "
            "%(weights)s; in a group of five raters or more the highest and the lowest score "
            "are left out."
        ) % {"weights": weights}
    else:
        combined = _(
            "Each indicator's score is the mean of each group's raters, the groups weighted "
            "equally; in a group of five raters or more the highest and the lowest score are "
            "left out."
        )
    lines.append(combined)
    lines.append(
        _(
            "Grades by the share of the full marks: %(grades)s, below that %(fail)s; a veto "
            "item answered no by more than half of its raters makes the target %(fail)s "
            "whatever its score."
        )
        % {"grades": grades_text(round_), "fail": FAIL_GRADE}
    )
    if round_.own_indicators:
        lines.append(
            _(
                "Each target added its own indicators from its three-year plan (合格+订单) to "
                "the framework; they count towards its full marks."
            )
        )
    return lines


def issued_on(round_: Round):
    """The documents' date: the day the round was published, else today (review)."""
    return local_day(round_.published_at) or timezone.localdate()


def draft_mark(round_: Round) -> str:
    return "" if round_.stage == Stage.PUBLISHED else _("(draft for review)")


# --- one target's report -------------------------------------------------------------------


def target_drafts(round_: Round, item: Outcome, comments: list[tuple[str, str]]) -> dict:
    """The drafts of the target's three edited sections."""
    spec, name = item.spec, item.name
    leaves = [leaf for leaf in scored_leaves(spec) if item.score(leaf.code) is not None]
    full = [leaf for leaf in leaves if item.score(leaf.code) >= leaf.max_score]
    others = sorted(
        (
            leaf
            for leaf in leaves
            if leaf not in full and item.score(leaf.code) >= leaf.max_score * GOOD_SHARE
        ),
        key=lambda leaf: -share(item.score(leaf.code), leaf.max_score),
    )[:TOP_LINES]
    achievements = []
    if full:
        achievements.append(
            _("Full marks on %(indicators)s.")
            % {"indicators": list_separator().join(f"{leaf.code} {leaf.title}" for leaf in full)}
        )
    if others:
        if full:
            best = _("The highest score rates among the other indicators: %(indicators)s.")
        else:
            best = _("The indicators with the highest score rates: %(indicators)s.")
        achievements.append(
            best
            % {
                "indicators": list_separator().join(
                    with_rate(
                        f"{leaf.code} {leaf.title}", share(item.score(leaf.code), leaf.max_score)
                    )
                    for leaf in others
                )
            }
        )
    problems = [
        _("%(indicator)s: %(comment)s") % {"indicator": _indicator(spec, code), "comment": text}
        for code, text in comments[:DRAFT_LINES]
    ]
    lost = losses(item)[:TOP_LINES]
    opinions = []
    if lost:
        opinions.append(
            _(
                "%(target)s should find the causes of the points lost on %(indicators)s and "
                "take measures to improve."
            )
            % {
                "target": name,
                "indicators": list_separator().join(f"“{leaf.title}”" for leaf, _l in lost),
            }
        )
    if not item.passed:
        deadline = None
        if round_.published_at:
            deadline = local_day(round_.published_at) + datetime.timedelta(
                days=round_services.FINDING_DEADLINE_DAYS
            )
        if deadline:
            opinions.append(
                _(
                    "%(target)s did not pass. The problems found are entered in the "
                    "rectification ledger: rectify them by %(date)s and report the "
                    "rectification to %(office)s in writing."
                )
                % {"target": name, "date": long_date(deadline), "office": round_.office.name}
            )
        else:
            opinions.append(
                _(
                    "%(target)s did not pass. The problems found are entered in the "
                    "rectification ledger: rectify them within %(days)s days of publication "
                    "and report the rectification to %(office)s in writing."
                )
                % {
                    "target": name,
                    "days": round_services.FINDING_DEADLINE_DAYS,
                    "office": round_.office.name,
                }
            )
    else:
        opinions.append(
            _(
                "%(target)s should study this report, draw up a plan for the problems found "
                "and report its progress to %(office)s in writing within %(days)s days."
            )
            % {
                "target": name,
                "office": round_.office.name,
                "days": round_services.FINDING_DEADLINE_DAYS,
            }
        )
    return {
        TextSection.ACHIEVEMENTS: achievements,
        TextSection.PROBLEMS: problems,
        TextSection.OPINIONS: opinions,
    }


def losses(item: Outcome) -> list:
    """(leaf, points lost) of the leaves that lost points, most first (then framework order)."""
    lost = []
    for position, leaf in enumerate(scored_leaves(item.spec)):
        score = item.score(leaf.code) or Decimal(0)
        if score < leaf.max_score:
            lost.append((leaf, leaf.max_score - score, position))
    lost.sort(key=lambda row: (-row[1], row[2]))
    return [(leaf, points) for leaf, points, _p in lost]


def problem_lines(item: Outcome) -> list[str]:
    """四、存在问题, figures: the veto items that vetoed, the leaves that lost most, those
    under 60 % of their full marks, those nobody scored."""
    spec, result = item.spec, item.result
    lines = []
    for code in result.vetoed_by:
        no, answered = result.vetoes[code]
        lines.append(
            _("%(indicator)s: vetoed (%(no)s of %(answered)s raters answered no).")
            % {"indicator": _indicator(spec, code), "no": no, "answered": answered}
        )
    for leaf, lost in losses(item)[:LOST_LINES]:
        lines.append(
            _("%(indicator)s: %(score)s of %(max)s points, %(lost)s lost (score rate %(percent)s).")
            % {
                "indicator": f"{leaf.code} {leaf.title}",
                "score": number(item.score(leaf.code) or 0),
                "max": number(leaf.max_score),
                "lost": number(lost),
                "percent": percent(share(item.score(leaf.code) or 0, leaf.max_score)),
            }
        )
    weak = [
        leaf
        for leaf in scored_leaves(spec)
        if (item.score(leaf.code) or Decimal(0)) < leaf.max_score * WEAK_SHARE
    ]
    if weak:
        lines.append(
            _("Under 60%% of the full marks: %(indicators)s.")
            % {"indicators": list_separator().join(f"{leaf.code} {leaf.title}" for leaf in weak)}
        )
    missing = [code for code in result.missing if code in spec and spec.get(code).max_score]
    if missing:
        lines.append(
            _("Not scored (counted as 0): %(indicators)s.")
            % {"indicators": list_separator().join(_indicator(spec, c) for c in missing)}
        )
    if not lines:
        lines.append(_("Every indicator was scored at full marks."))
    return lines


def score_table(item: Outcome, groups: list[str]) -> Table:
    """二、评估得分情况: per top-level indicator the full marks, each group's score, the score
    and its rate; the total last."""
    spec, result = item.spec, item.result
    columns = [_("Code"), _("Indicator"), _("Full marks")]
    columns += [str(GROUP_COLUMNS[g]) for g in groups] + [_("Score"), _("Score rate")]
    rows = []
    for root in area_roots(spec):
        rows.append(
            [root.code, root.title, number(root.max_score)]
            + [number(result.by_group[g].get(root.code)) for g in groups]
            + [
                number(item.score(root.code)),
                percent(share(item.score(root.code), root.max_score)),
            ]
        )
    rows.append(
        [_("Total"), "", number(item.max)]
        + [number(group_total(result, spec, g)) for g in groups]
        + [number(item.total), percent(item.share)]
    )
    return Table(columns=columns, rows=rows, title=_("Scores by top-level indicator"))


def tree_table(item: Outcome, groups: list[str]) -> Table:
    """The annex: every indicator of the target's framework, each group's score beside the
    score; a veto item's outcome in words."""
    spec, result = item.spec, item.result
    columns = [_("Code"), _("Indicator"), _("Full marks")]
    columns += [str(GROUP_COLUMNS[g]) for g in groups] + [_("Score")]
    rows = []
    for indicator in spec:
        if indicator.method == "veto":
            rows.append(
                [indicator.code, indicator.title, NONE]
                + [NONE for _g in groups]
                + [veto_state(result, indicator.code)]
            )
            continue
        rows.append(
            [indicator.code, indicator.title, number(indicator.max_score)]
            + [number(result.by_group[g].get(indicator.code)) for g in groups]
            + [number(item.score(indicator.code))]
        )
    return Table(columns=columns, rows=rows, title=_("Scores by indicator"))


def target_basic(round_: Round, item: Outcome, raters: dict) -> list[str]:
    target, spec = item.target, item.spec
    lines = [opening(round_), framework_sentence(round_, spec)]
    lines += method_sentences(round_, raters, experts=False)
    if target.self_submitted_at:
        lines.append(
            _("%(target)s handed in its self-assessment on %(date)s.")
            % {"target": item.name, "date": long_date(local_day(target.self_submitted_at))}
        )
    values = {
        "target": item.name,
        "total": number(item.total),
        "max": number(item.max),
        "percent": percent(item.share),
        "grade": item.grade,
    }
    if item.vetoed:
        lines.append(
            _(
                "%(target)s scored %(total)s of %(max)s points (%(percent)s) but was vetoed: "
                "grade %(grade)s."
            )
            % values
        )
    else:
        lines.append(
            _("%(target)s scored %(total)s of %(max)s points (%(percent)s): grade %(grade)s.")
            % values
        )
    return lines


def veto_lines(item: Outcome) -> list[str]:
    return [
        _("Veto item %(indicator)s: %(state)s.")
        % {
            "indicator": f"{veto.code} {veto.title}",
            "state": veto_state(item.result, veto.code),
        }
        for veto in item.spec.veto_items
    ]


def target_comments(user, target: RoundTarget, spec: FrameworkSpec, item: Outcome) -> list:
    """The raters' comments the reader may read (not the target's own), on the leaves that
    lost most first. One query."""
    rows = Score.objects.filter(target=target).exclude(comment="").exclude(group=RaterGroup.SELF)
    order = {leaf.code: i for i, (leaf, _l) in enumerate(losses(item))}
    visible = access.visible_scores(user, target, rows.order_by("code", "group", "rater_id"))
    visible.sort(key=lambda s: (order.get(s.code, len(order)), s.code, s.pk))
    seen, out = set(), []
    for row in visible:
        key = (row.code, _quote(row.comment))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def target_matter(user, target_id, round_id=None) -> dict:
    """What the target's report says, for `user`."""
    target = reportable_target(user, target_id, round_id)
    round_ = scoping.get_round_for(user, target.round_id)
    item = outcomes(round_, [target])[0]
    groups = shown_groups(item.result, access.readable_groups(user, target))
    raters = rater_figures(round_)
    comments = target_comments(user, target, item.spec, item)
    words = own_words(round_, target, target_drafts(round_, item, comments))
    areas = {}
    for root in area_roots(item.spec):
        areas[root.code] = {
            "max": root.max_score,
            "score": item.score(root.code),
            **{g: item.result.by_group[g].get(root.code) for g in groups},
        }
    return {
        "round": round_,
        "target": target,
        "item": item,
        "groups": groups,
        "basic": target_basic(round_, item, raters),
        "problems": problem_lines(item),
        "words": words,
        "figures": {
            "total": item.total,
            "max": item.max,
            "grade": item.grade,
            "vetoed": item.vetoed,
            "passed": item.passed,
            "groups": groups,
            "areas": areas,
            "lost": [leaf.code for leaf, _l in losses(item)[:LOST_LINES]],
            "vetoed_by": list(item.result.vetoed_by),
            "words": {
                section: {k: v for k, v in value.items() if k != "shown"}
                for section, value in words.items()
            },
        },
    }


@exporter.register(
    "evaluation_target_report",
    formats=(DOCX, PDF),
    template_kind=ReportKind.EVALUATION_REPORT,
    for_user=True,
)
def evaluation_target_report(user, target_id, round_id=None) -> Report:
    """反馈意见书 (督导评估报告) to one target of a round."""
    matter = target_matter(user, target_id, round_id)
    round_, item, words = matter["round"], matter["item"], matter["words"]
    title = _("Feedback on %(round)s to %(target)s") % {
        "round": round_.title,
        "target": item.name,
    }
    sections = [
        Section(_("1. Basic information"), matter["basic"]),
        Section(
            _("2. Scores"),
            [_("The scores by top-level indicator are as follows.")],
            tables=[score_table(item, matter["groups"])],
        ),
        Section("", veto_lines(item)),
        Section(
            _("3. Main achievements"),
            words[TextSection.ACHIEVEMENTS]["shown"] or [_("No indicator stood out.")],
        ),
        Section(_("4. Problems"), matter["problems"] + words[TextSection.PROBLEMS]["shown"]),
        Section(
            _("5. Supervision opinions and rectification requirements"),
            words[TextSection.OPINIONS]["shown"],
        ),
        Section(
            _("Annex: %(names)s") % {"names": _("Scores by indicator")},
            tables=[tree_table(item, matter["groups"])],
        ),
    ]
    return Report(
        title=title,
        filename=title,
        subtitle=draft_mark(round_),
        recipient=item.name,
        sections=sections,
        office=round_.office.name,
        date=long_date(issued_on(round_)),
        figures=matter["figures"],
        office_id=round_.office_id,
    )


# --- the round's summary report and bulletin -----------------------------------------------


def round_outcomes(user, round_: Round) -> list[Outcome]:
    """The round's targets through the reader's scope, with their outcomes."""
    targets = list(
        scoping.round_targets_for(user)
        .filter(round=round_)
        .select_related("school", "unit")
        .order_by("position", "pk")
    )
    return outcomes(round_, targets)


def distribution(round_: Round, items: list[Outcome]) -> list[dict]:
    """Per grade (best first, then 不合格): the count, its share and the targets."""
    rows = []
    total = len(items)
    for grade in grade_names(round_):
        members = [i for i in items if i.grade == grade]
        rows.append(
            {
                "grade": grade,
                "count": len(members),
                "share": share(len(members), total),
                "names": [i.name for i in members],
            }
        )
    return rows


def indicator_averages(items: list[Outcome], spec: FrameworkSpec, indicators) -> list[dict]:
    """Per indicator of the base framework: the average score and rate, the highest and the
    lowest, the targets under 60 %."""
    rows = []
    for indicator in indicators:
        scores = [
            (i, i.score(indicator.code)) for i in items if i.score(indicator.code) is not None
        ]
        values = [s for _i, s in scores]
        average = mean(values)
        rows.append(
            {
                "indicator": indicator,
                "average": two_places(average),
                "share": share(average, indicator.max_score),
                "high": max(values) if values else None,
                "low": min(values) if values else None,
                "weak": [i.name for i, s in scores if s < indicator.max_score * WEAK_SHARE],
            }
        )
    return rows


def round_drafts(round_: Round, items, leaves, areas, comments) -> dict:
    kind = round_.framework.get_kind_display()
    strong = sorted(
        (row for row in areas if row["share"] is not None),
        key=lambda row: -row["share"],
    )[:TOP_LINES]
    achievements = []
    if strong:
        achievements.append(
            _("The best average score rates: %(indicators)s.")
            % {
                "indicators": list_separator().join(
                    with_rate(f"{row['indicator'].code} {row['indicator'].title}", row["share"])
                    for row in strong
                )
            }
        )
    best = [i.name for i in items if i.grade == grade_names(round_)[0]]
    if best:
        achievements.append(
            _("Graded %(grade)s: %(names)s.")
            % {"grade": grade_names(round_)[0], "names": names(best)}
        )
    problems = [
        _("%(target)s, %(indicator)s: %(comment)s")
        % {"target": target, "indicator": indicator, "comment": text}
        for target, indicator, text in comments[:DRAFT_LINES]
    ]
    failing = [i.name for i in items if not i.passed]
    next_steps = []
    if failing:
        next_steps.append(
            _(
                "The %(count)s targets that did not pass (%(names)s) rectify the problems found "
                "within %(days)s days; %(office)s checks the rectification."
            )
            % {
                "count": len(failing),
                "names": names(failing),
                "days": round_services.FINDING_DEADLINE_DAYS,
                "office": round_.office.name,
            }
        )
    lowest = [row for row in leaves if row["share"] is not None and row["share"] < 1][:TOP_LINES]
    if lowest:
        next_steps.append(
            _(
                "Every target (%(kind)s) checks itself against the weakest indicators — "
                "%(indicators)s — finds the causes and takes measures."
            )
            % {
                "kind": kind,
                "indicators": list_separator().join(
                    f"“{row['indicator'].title}”" for row in lowest
                ),
            }
        )
    next_steps.append(
        _(
            "%(office)s will use the results in its supervision and check the rectification "
            "again (回头看)."
        )
        % {"office": round_.office.name}
    )
    return {
        TextSection.ACHIEVEMENTS: achievements,
        TextSection.PROBLEMS: problems,
        TextSection.NEXT_STEPS: next_steps,
    }


def round_comments(round_: Round, items: list[Outcome], leaf_order: dict) -> list:
    """(target, indicator, comment) of the raters (not the targets' own), on the indicators
    with the lowest averages first. One query (the office and the viewers read them all)."""
    by_pk = {i.target.pk: i for i in items}
    rows = (
        Score.objects.filter(target__in=list(by_pk))
        .exclude(comment="")
        .exclude(group=RaterGroup.SELF)
        .order_by("target", "code", "group", "rater_id")
    )
    out, seen = [], set()
    for row in sorted(
        rows,
        key=lambda s: (
            leaf_order.get(s.code, len(leaf_order)),
            by_pk[s.target_id].target.position,
            s.pk,
        ),
    ):
        item = by_pk[row.target_id]
        key = (item.name, _indicator(item.spec, row.code), _quote(row.comment))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def results_lines(round_: Round, items: list[Outcome], grades: list[dict]) -> list[str]:
    """二、评估结果, the sentences: the counts by grade, the vetoed, the pass rate, the
    average, the best and the lowest."""
    if not items:
        return [_("The round has no targets.")]
    counted = list_separator().join(
        _("%(grade)s %(count)s") % {"grade": row["grade"], "count": row["count"]} for row in grades
    )
    passed = sum(1 for i in items if i.passed)
    lines = [
        _("Of the %(count)s targets: %(grades)s; %(passed)s passed (%(percent)s).")
        % {
            "count": len(items),
            "grades": counted,
            "passed": passed,
            "percent": percent(share(passed, len(items))),
        }
    ]
    vetoed = [i.name for i in items if i.vetoed]
    if vetoed:
        lines.append(
            _("%(count)s targets were vetoed: %(names)s.")
            % {"count": len(vetoed), "names": names(vetoed)}
        )
    rates = [(i.share, i) for i in items if i.share is not None]
    if rates:
        high = max(rates, key=lambda r: r[0])[1]
        low = min(rates, key=lambda r: r[0])[1]
        lines.append(
            _(
                "The average score rate is %(average)s; the highest %(high)s (%(high_rate)s), "
                "the lowest %(low)s (%(low_rate)s)."
            )
            % {
                "average": percent(mean(r for r, _i in rates)),
                "high": high.name,
                "high_rate": percent(high.share),
                "low": low.name,
                "low_rate": percent(low.share),
            }
        )
    return lines


def grade_table(grades: list[dict]) -> Table:
    return Table(
        title=_("Results by grade"),
        columns=[_("Grade"), _("Number of targets"), _("Share"), _("Names")],
        rows=[
            [row["grade"], row["count"], percent(row["share"]), names(row["names"]) or NONE]
            for row in grades
        ],
    )


def ranking_table(items: list[Outcome]) -> Table:
    return Table(
        title=_("Ranking"),
        columns=[
            _("Rank"),
            _("Evaluation target"),
            _("Score"),
            _("Full marks"),
            _("Score rate"),
            _("Grade"),
            _("Remarks"),
        ],
        rows=[
            [
                item.rank,
                item.name,
                number(item.total),
                number(item.max),
                percent(item.share),
                item.grade,
                _("vetoed by %(codes)s") % {"codes": list_separator().join(item.result.vetoed_by)}
                if item.vetoed
                else "",
            ]
            for item in items
        ],
    )


def area_table(areas: list[dict]) -> Table:
    return Table(
        title=_("Scores by top-level indicator"),
        columns=[
            _("Code"),
            _("Indicator"),
            _("Full marks"),
            _("Average score"),
            _("Average score rate"),
            _("Highest"),
            _("Lowest"),
        ],
        rows=[
            [
                row["indicator"].code,
                row["indicator"].title,
                number(row["indicator"].max_score),
                number(row["average"]),
                percent(row["share"]),
                number(row["high"]),
                number(row["low"]),
            ]
            for row in areas
        ],
    )


def common_problem_lines(items, leaves, spec: FrameworkSpec, *, internal=True) -> list[str]:
    """四、存在问题, figures: the indicators with the lowest average score rates (those under
    full marks), with the targets under 60 %; the veto items that vetoed; the disagreements
    (the office's report only)."""
    lines = []
    for row in [r for r in leaves if r["share"] is not None and r["share"] < 1][:LOST_LINES]:
        values = {
            "indicator": f"{row['indicator'].code} {row['indicator'].title}",
            "percent": percent(row["share"]),
            "count": len(row["weak"]),
            "names": names(row["weak"]),
        }
        if row["weak"]:
            lines.append(
                _(
                    "%(indicator)s: average score rate %(percent)s; %(count)s targets under "
                    "60%%: %(names)s."
                )
                % values
            )
        else:
            lines.append(_("%(indicator)s: average score rate %(percent)s.") % values)
    for veto in spec.veto_items:
        vetoed = [i.name for i in items if veto.code in i.result.vetoed_by]
        if vetoed:
            lines.append(
                _("%(indicator)s: %(count)s targets vetoed: %(names)s.")
                % {
                    "indicator": f"{veto.code} {veto.title}",
                    "count": len(vetoed),
                    "names": names(vetoed),
                }
            )
    if internal:
        flagged: dict[str, int] = {}
        for item in items:
            for disagreement in item.result.disagreements:
                flagged[disagreement.code] = flagged.get(disagreement.code, 0) + 1
        if flagged:
            lines.append(
                _("The raters disagreed widely on %(indicators)s.")
                % {
                    "indicators": list_separator().join(
                        _("%(indicator)s (%(count)s targets)")
                        % {"indicator": _indicator(spec, code), "count": count}
                        for code, count in flagged.items()
                    )
                }
            )
    if not lines:
        lines.append(_("Every target scored full marks on every indicator."))
    return lines


def matrix_table(items: list[Outcome], spec: FrameworkSpec) -> Table:
    """The annex: each target's score per top-level indicator, its total and grade."""
    roots = area_roots(spec)
    return Table(
        title=_("Scores of each target by top-level indicator"),
        columns=[_("Rank"), _("Evaluation target")]
        + [root.code for root in roots]
        + [_("Score"), _("Grade")],
        rows=[
            [item.rank, item.name]
            + [number(item.score(root.code)) for root in roots]
            + [number(item.total), item.grade]
            for item in items
        ],
    )


def round_matter(user, round_id) -> dict:
    """What the summary report and the bulletin say, for `user` (a fixed number of queries
    for a round without the targets' own indicators)."""
    round_ = reportable_round(user, round_id)
    items = ranked(round_, round_outcomes(user, round_))
    spec = spec_of(round_.framework)
    raters = rater_figures(round_)
    grades = distribution(round_, items)
    areas = indicator_averages(items, spec, area_roots(spec))
    leaves = sorted(
        indicator_averages(items, spec, scored_leaves(spec)),
        key=lambda row: (row["share"] is None, row["share"] or 0),
    )
    leaf_order = {row["indicator"].code: i for i, row in enumerate(leaves)}
    comments = round_comments(round_, items, leaf_order)
    words = own_words(round_, None, round_drafts(round_, items, leaves, areas, comments))
    scope = _("The round evaluated %(count)s targets (%(kind)s): %(names)s.") % {
        "count": len(items),
        "kind": round_.framework.get_kind_display(),
        "names": names([i.name for i in sorted(items, key=lambda i: i.target.position)]),
    }
    return {
        "round": round_,
        "items": items,
        "spec": spec,
        "raters": raters,
        "grades": grades,
        "areas": areas,
        "leaves": leaves,
        "scope": scope,
        "results": results_lines(round_, items, grades),
        "words": words,
        "figures": {
            "targets": len(items),
            "grades": {row["grade"]: row["count"] for row in grades},
            "passed": sum(1 for i in items if i.passed),
            "vetoed": [i.name for i in items if i.vetoed],
            "ranking": [(i.rank, i.name, i.total, i.grade) for i in items],
            "areas": {row["indicator"].code: row["average"] for row in areas},
            "lowest": [row["indicator"].code for row in leaves if row["share"] is not None][
                :LOST_LINES
            ],
            "words": {
                section: {k: v for k, v in value.items() if k != "shown"}
                for section, value in words.items()
            },
        },
    }


def _round_sections(matter, *, bulletin=False) -> list[Section]:
    round_, words = matter["round"], matter["words"]
    basic = [opening(round_), matter["scope"], framework_sentence(round_, matter["spec"])]
    basic += method_sentences(round_, matter["raters"], experts=not bulletin)
    if bulletin:
        basic.append(_("The results are announced as follows."))
    results = Section(
        _("2. Evaluation results"),
        matter["results"],
        tables=[grade_table(matter["grades"]), ranking_table(matter["items"])],
    )
    if not bulletin:
        results.tables.append(area_table(matter["areas"]))
    problems = common_problem_lines(
        matter["items"], matter["leaves"], matter["spec"], internal=not bulletin
    )
    return [
        Section(_("1. Basic information"), basic),
        results,
        Section(
            _("3. Main achievements"),
            words[TextSection.ACHIEVEMENTS]["shown"] or [_("No indicator stood out.")],
        ),
        Section(_("4. Problems"), problems + words[TextSection.PROBLEMS]["shown"]),
        Section(_("5. Next steps"), words[TextSection.NEXT_STEPS]["shown"]),
    ]


@exporter.register(
    "evaluation_round_summary",
    formats=(DOCX, PDF),
    template_kind=ReportKind.EVALUATION_SUMMARY,
    for_user=True,
)
def evaluation_round_summary(user, round_id) -> Report:
    """The round's summary report: five sections and the targets × areas annex."""
    matter = round_matter(user, round_id)
    round_ = matter["round"]
    title = _("Report on the evaluation %(round)s") % {"round": round_.title}
    table = matrix_table(matter["items"], matter["spec"])
    annex = Section(_("Annex: %(names)s") % {"names": table.title}, tables=[table])
    sections = [*_round_sections(matter), annex]
    return Report(
        title=title,
        filename=title,
        subtitle=draft_mark(round_),
        sections=sections,
        office=round_.office.name,
        date=long_date(issued_on(round_)),
        figures=matter["figures"],
        office_id=round_.office_id,
    )


@exporter.register(
    "evaluation_round_bulletin",
    formats=(DOCX, PDF),
    template_kind=ReportKind.EVALUATION_BULLETIN,
    for_user=True,
)
def evaluation_round_bulletin(user, round_id, number: str = "") -> Report:
    """督导评估结果通报 in the GB/T 9704 layout: 版头 with the office and the 文号 (given on the
    reports page, else the round's legal basis), the title, 主送 by the kind of targets, the
    body, 落款 the office and the day."""
    matter = round_matter(user, round_id)
    round_ = matter["round"]
    doc_number = " ".join((number or "").split())[:NUMBER_MAX] or round_.legal_basis
    title = _("Bulletin on the results of %(round)s") % {"round": round_.title}
    return Report(
        title=title,
        filename=title,
        subtitle=draft_mark(round_),
        masthead=round_.office.name,
        number=doc_number,
        recipient=str(RECIPIENTS.get(round_.framework.kind, RECIPIENTS[TargetKind.SCHOOL])),
        sections=_round_sections(matter, bulletin=True),
        office=round_.office.name,
        date=long_date(issued_on(round_)),
        figures=matter["figures"] | {"number": doc_number},
        office_id=round_.office_id,
    )


# --- the workbook --------------------------------------------------------------------------


def _value(value: Decimal | None):
    """A score in a cell: a number (two decimals), empty when none."""
    return None if value is None else two_places(Decimal(value))


@exporter.register("evaluation_results", formats=(XLSX,), for_user=True)
def evaluation_results(user, round_id) -> Report:
    """The round's results in one workbook: the ranking, targets × indicators, each rater
    group's scores per target, the disagreements."""
    round_ = reportable_round(user, round_id)
    items = ranked(round_, round_outcomes(user, round_))
    spec = spec_of(round_.framework)
    yes, no = _("Yes"), _("No")
    ranking = Table(
        title=_("Ranking"),
        columns=[
            _("Rank"),
            _("Evaluation target"),
            _("Score"),
            _("Full marks"),
            _("Score rate"),
            _("Grade"),
            _("Vetoed"),
            _("Passed"),
        ],
        rows=[
            [
                item.rank,
                item.name,
                _value(item.total),
                _value(item.max),
                percent(item.share),
                item.grade,
                yes if item.vetoed else no,
                yes if item.passed else no,
            ]
            for item in items
        ],
    )
    own = round_.own_indicators
    codes = list(spec)
    matrix = Table(
        title=_("Scores by indicator"),
        columns=[_("Evaluation target")]
        + [f"{i.code} {i.title}" for i in codes]
        + ([_("Own indicators")] if own else [])
        + [_("Score")],
        rows=[],
        widths=[24] + [14] * len(codes) + ([14] if own else []) + [10],
    )
    for item in items:
        cells = [
            veto_state(item.result, i.code) if i.method == "veto" else _value(item.score(i.code))
            for i in codes
        ]
        if own:
            extra = [root for root in item.spec.roots if root.code not in spec]
            cells.append(_value(sum((item.score(r.code) or 0 for r in extra), Decimal(0))))
        matrix.rows.append([item.name, *cells, _value(item.total)])
    by_group = Table(
        title=_("Scores by rater group"),
        columns=[_("Evaluation target"), _("Rater group"), _("Raters"), _("Score")]
        + [f"{i.code} {i.title}" for i in codes if i.method != "veto"],
        rows=[],
        widths=[24, 14, 8, 10] + [14] * sum(1 for i in codes if i.method != "veto"),
    )
    for item in items:
        for group in shown_groups(item.result, None):
            scores = item.result.by_group[group]
            by_group.rows.append(
                [
                    item.name,
                    str(GROUP_COLUMNS[group]),
                    item.result.raters.get(group, 0),
                    _value(group_total(item.result, item.spec, group)),
                ]
                + [_value(scores.get(i.code)) for i in codes if i.method != "veto"]
            )
    disagreements = Table(
        title=_("Disagreements"),
        columns=[
            _("Evaluation target"),
            _("Code"),
            _("Indicator"),
            _("Spread of raters"),
            _("Spread of groups"),
        ],
        rows=[
            [
                item.name,
                d.code,
                item.spec.get(d.code).title if d.code in item.spec else "",
                _value(d.rater_spread),
                _value(d.group_spread),
            ]
            for item in items
            for d in item.result.disagreements
        ],
    )
    title = _("Results of %(round)s") % {"round": round_.title}
    return Report(
        title=title,
        filename=title,
        sections=[Section(tables=[ranking, matrix, by_group, disagreements])],
        office=round_.office.name,
        date=long_date(issued_on(round_)),
        landscape=True,
        office_id=round_.office_id,
        figures={
            "ranking": [(i.rank, i.name, i.total, i.grade) for i in items],
            "scores": {i.name: {c: str(v) for c, v in i.scores.items()} for i in items},
        },
    )
