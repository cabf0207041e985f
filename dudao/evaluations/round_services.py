"""Evaluation rounds (评估轮次): set-up (targets, raters, weights, grades), self-assessment with
evidence, scores by rater, and the results — every write here, each a named function that
checks the actor and the round's stage, runs in a transaction and writes an audit row
(docs/architecture.md §3). The stages themselves are `round_workflow`; the arithmetic is the
engine (`dudao.evaluations.engine`), the same as `dudao evaluation score` (docs/evaluation.md).
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import files as uploads
from dudao.core import guards, idempotency
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.organisations.models import GovernmentUnit
from dudao.rectification import services as rectification
from dudao.schools.models import School, SchoolType

from . import access, round_workflow
from .engine.formula import EngineError
from .engine.framework import FrameworkSpec, IndicatorSpec, parse_levels
from .engine.scoring import (
    DEFAULT_GRADES,
    FAIL_GRADE,
    ScoreEntry,
    TargetResult,
    check_grades,
    points,
    score_targets,
)
from .framework_services import spec_of
from .models import (
    Evidence,
    Framework,
    Method,
    OwnIndicator,
    Rater,
    RaterGroup,
    Round,
    RoundTarget,
    Score,
    TargetKind,
)

Stage = Round.Stage
ROUND_FIELDS = (
    "title",
    "year",
    "legal_basis",
    "description",
    "self_due",
    "expert_due",
    "review_due",
    "weights",
    "grades",
    "pass_grade",
    "disagreement",
    "own_indicators",
    "framework",
)
# Fields the office may still change once the round has opened: the deadlines and words.
OPEN_FIELDS = {"title", "legal_basis", "description", "self_due", "expert_due", "review_due"}
# A school below the pass grade gets one finding, to be rectified within this many days
# (docs/rules.md §24).
FINDING_DEADLINE_DAYS = 30
# The supervision item (督导事项) an evaluation's finding is recorded under.
FINDING_AREA = {"school": 1, "kindergarten": 13}
WEAK_SHARE = Decimal("0.6")  # leaves scored under 60 % of their maximum are named in it


# ---- set-up --------------------------------------------------------------------------------


def _lock(round_, expected_version=None) -> Round:
    pk = getattr(round_, "pk", round_)
    locked = Round.objects.unscoped().select_for_update().select_related("framework").get(pk=pk)
    if expected_version not in (None, "") and int(expected_version) != locked.version:
        raise StaleObject(_("Someone else changed this round; reload it and try again."))
    return locked


def _require_stage(round_: Round, *stages, message=None) -> None:
    if round_.stage not in stages:
        raise DomainError(
            message
            or _("The round is at “%(stage)s”: this cannot be done now.")
            % {"stage": round_.get_stage_display()}
        )


def grades_of(round_: Round) -> tuple[tuple[str, Decimal], ...]:
    """The round's grades as the engine reads them (the defaults when none are set)."""
    if not round_.grades:
        return DEFAULT_GRADES
    return tuple((name, Decimal(str(threshold))) for name, threshold in round_.grades)


def weights_of(round_: Round) -> dict[str, Decimal] | None:
    if not round_.weights:
        return None
    return {group: Decimal(str(weight)) for group, weight in round_.weights.items()}


def check_round(round_: Round) -> None:
    """The round's own fields, each refusal on its field."""
    if not (round_.title or "").strip():
        raise DomainError(_("Give the round a title."), field="title")
    if not round_.year or not 2000 <= int(round_.year) <= 2100:
        raise DomainError(_("Enter the year the round evaluates."), field="year")
    dues = [("self_due", round_.self_due), ("expert_due", round_.expert_due)]
    dues.append(("review_due", round_.review_due))
    last = None
    for field, day in dues:
        if day is None:
            continue
        if last is not None and day < last:
            raise DomainError(_("Each stage's deadline comes after the one before."), field=field)
        last = day
    weights = round_.weights or {}
    if not isinstance(weights, dict):
        raise DomainError(_("Give each rater group a weight."), field="weights")
    for group, weight in weights.items():
        if group not in RaterGroup.values:
            raise DomainError(
                _("Unknown rater group “%(group)s”.") % {"group": group}, field="weights"
            )
        try:
            value = Decimal(str(weight))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or value < 0:
            raise DomainError(_("A group's weight is a number of 0 or more."), field="weights")
    if weights and sum(Decimal(str(w)) for w in weights.values()) <= 0:
        raise DomainError(_("At least one group needs a weight above 0."), field="weights")
    try:
        grades = check_grades(grades_of(round_))
    except EngineError as exc:
        raise DomainError(exc.message, field="grades") from None
    names = [name for name, _threshold in grades]
    if round_.pass_grade and round_.pass_grade not in names:
        raise DomainError(
            _("The pass grade must be one of the grades: %(names)s.") % {"names": "、".join(names)},
            field="pass_grade",
        )
    if not Decimal(0) <= Decimal(str(round_.disagreement)) <= 1:
        raise DomainError(
            _("The disagreement threshold is a share between 0 and 1."), field="disagreement"
        )


def check_framework(office_id, framework: Framework) -> None:
    if framework.office_id not in (None, office_id):
        raise DomainError(_("Choose one of your office's frameworks."), field="framework")
    if framework.status != Framework.Status.PUBLISHED:
        raise DomainError(
            _("Choose a published framework: a draft may still change."), field="framework"
        )


@transaction.atomic
def create_round(
    actor,
    office,
    *,
    framework: Framework,
    title: str,
    year: int,
    legal_basis: str = "",
    description: str = "",
    self_due=None,
    expert_due=None,
    review_due=None,
    weights=None,
    grades=None,
    pass_grade: str = "",
    disagreement="0.30",
    own_indicators: bool = False,
    request_key=None,
) -> Round:
    """A round in preparation; with the form's one-time `request_key`, a second submission
    returns the first round (dudao.core.idempotency)."""
    guards.require_office_admin(actor, office)
    guards.require_person(actor)
    office_id = getattr(office, "pk", office)

    def create():
        round_ = Round(
            office_id=office_id,
            framework=framework,
            title=(title or "").strip(),
            year=year,
            legal_basis=(legal_basis or "").strip(),
            description=(description or "").strip(),
            self_due=self_due,
            expert_due=expert_due,
            review_due=review_due,
            weights=_plain_weights(weights),
            grades=_plain_grades(grades),
            pass_grade=(pass_grade or "").strip(),
            disagreement=disagreement,
            own_indicators=bool(own_indicators),
            created_by=actor,
        )
        check_round(round_)
        check_framework(office_id, framework)
        round_.save()
        audit.record_create(actor, round_)
        round_workflow.record_event(round_, round_workflow.CREATED, actor)
        return round_

    return idempotency.once(
        actor,
        request_key,
        "evaluations.create_round",
        create,
        lambda pk: Round.objects.unscoped().get(pk=pk),
    )


def _plain_weights(weights) -> dict:
    return {str(g): str(w) for g, w in (weights or {}).items()}


def _plain_grades(grades) -> list:
    return [[str(name), str(threshold)] for name, threshold in (grades or [])]


@transaction.atomic
def update_round(actor, round_, *, expected_version=None, **fields) -> Round:
    """Change a round: everything in preparation; the words and deadlines later (the rules of
    scoring never change once targets have started)."""
    round_ = _lock(round_, expected_version)
    guards.require_office_admin(actor, round_.office_id)
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if round_.stage == Stage.PUBLISHED:
        raise DomainError(_("A published round is not changed."))
    before = audit.snapshot(round_)
    for name, value in fields.items():
        if name == "weights":
            value = _plain_weights(value)
        elif name == "grades":
            value = _plain_grades(value)
        elif isinstance(value, str):
            value = value.strip()
        if round_.stage != Stage.DRAFT and name not in OPEN_FIELDS:
            if getattr(round_, name) != value:
                raise DomainError(
                    _("Only the title, the words and the deadlines change once the round is open."),
                    field=name,
                )
            continue
        setattr(round_, name, value)
    check_round(round_)
    if "framework" in fields:
        check_framework(round_.office_id, round_.framework)
    if audit.diff(before, audit.snapshot(round_)):
        round_.version += 1
        round_.save()
        audit.record_update(actor, round_, before)
    return round_


def kind_of_school(school: School) -> str:
    return TargetKind.KINDERGARTEN if school.type == SchoolType.KINDERGARTEN else TargetKind.SCHOOL


UNIT_KINDS = {
    TargetKind.GOVERNMENT: {GovernmentUnit.Kind.COUNTY_GOVERNMENT, GovernmentUnit.Kind.DEPARTMENT},
    TargetKind.TOWNSHIP: {GovernmentUnit.Kind.TOWNSHIP},
}


@transaction.atomic
def add_targets(actor, round_, *, schools=(), units=()) -> int:
    """Add schools or government units to a round in preparation (those already in it are
    skipped); each must be of the office and of the kind the framework scores. Returns how
    many were added."""
    round_ = _lock(round_)
    guards.require_office_admin(actor, round_.office_id)
    _require_stage(round_, Stage.DRAFT)
    kind = round_.framework.kind
    school_ids = {getattr(s, "pk", s) for s in schools}
    unit_ids = {getattr(u, "pk", u) for u in units}
    found_schools = list(
        School.objects.unscoped().filter(pk__in=school_ids, office_id=round_.office_id)
    )
    found_units = list(
        GovernmentUnit.objects.unscoped().filter(pk__in=unit_ids, office_id=round_.office_id)
    )
    if len(found_schools) != len(school_ids) or len(found_units) != len(unit_ids):
        raise NotPermitted(_("Choose the office's own schools and units."))
    wrong = [s.name for s in found_schools if kind_of_school(s) != kind]
    wrong += [u.name for u in found_units if u.kind not in UNIT_KINDS.get(kind, set())]
    if wrong:
        raise DomainError(
            _("The framework scores %(kind)s; these do not fit: %(names)s.")
            % {"kind": round_.framework.get_kind_display(), "names": "、".join(wrong)},
            field="targets",
        )
    existing = RoundTarget.objects.unscoped().filter(round=round_)
    have_schools = set(existing.exclude(school=None).values_list("school_id", flat=True))
    have_units = set(existing.exclude(unit=None).values_list("unit_id", flat=True))
    position = existing.count()
    new = []
    for school in sorted(found_schools, key=lambda s: (s.code, s.pk)):
        if school.pk not in have_schools:
            position += 1
            new.append(RoundTarget(round=round_, office_id=round_.office_id, school=school))
            new[-1].position = position
    for unit in sorted(found_units, key=lambda u: (u.position, u.name)):
        if unit.pk not in have_units:
            position += 1
            new.append(RoundTarget(round=round_, office_id=round_.office_id, unit=unit))
            new[-1].position = position
    RoundTarget.objects.unscoped().bulk_create(new)
    if new:
        round_workflow.record_event(
            round_, round_workflow.TARGETS_CHANGED, actor, data={"added": len(new)}
        )
        audit.record(
            actor,
            audit.Action.UPDATE,
            round_,
            {"targets_added": [t.name for t in new]},
        )
    return len(new)


@transaction.atomic
def remove_target(actor, target: RoundTarget) -> None:
    round_ = _lock(target.round_id)
    guards.require_office_admin(actor, round_.office_id)
    _require_stage(round_, Stage.DRAFT)
    target = RoundTarget.objects.unscoped().get(pk=target.pk, round=round_)
    name = target.name
    target.delete()
    round_workflow.record_event(
        round_, round_workflow.TARGETS_CHANGED, actor, data={"removed": name}
    )
    audit.record(actor, audit.Action.UPDATE, round_, {"target_removed": name})


def _check_codes(round_: Round, codes) -> list[str]:
    spec = spec_of(round_.framework)
    codes = [str(c).strip() for c in codes or () if str(c).strip()]
    unknown = [c for c in codes if c not in spec]
    if unknown:
        raise DomainError(
            _("Unknown indicator codes: %(codes)s.") % {"codes": "、".join(unknown)},
            field="indicator_codes",
        )
    return codes


@transaction.atomic
def add_rater(actor, round_, *, user, group: str, target=None, indicator_codes=()) -> Rater:
    """Name a rater: an expert (or a peer, someone above or below) on every target or one, on
    every indicator or some. Refused when the rater must recuse from the target's school
    (回避), or rates their own school as a peer."""
    round_ = _lock(round_)
    guards.require_office_admin(actor, round_.office_id)
    _require_stage(round_, Stage.DRAFT, Stage.SELF_ASSESSMENT, Stage.EXPERT_SCORING)
    if group not in RaterGroup.values or group == RaterGroup.SELF:
        raise DomainError(_("Choose the rater's group."), field="group")
    if not user.is_active or (user.office_id != round_.office_id and user.role != "viewer"):
        raise DomainError(_("Choose a user of the office."), field="user")
    if target is not None:
        target = (
            RoundTarget.objects.unscoped()
            .select_related("school")
            .get(pk=getattr(target, "pk", target), round=round_)
        )
        if target.school_id and user.school_id == target.school_id:
            raise DomainError(_("A school does not rate itself."), field="user")
        if target.school_id and user.inspector_id:
            reason = barred(user.inspector_id, target.school_id)
            if reason:
                raise DomainError(reason, field="user")
    existing = Rater.objects.filter(round=round_, user=user).exclude(group=group)
    if target is not None:
        existing = existing.filter(target__in=[target.pk, None])
    if existing.exists():
        raise DomainError(
            _("%(user)s already rates in another group: a rater is in one group per target.")
            % {"user": user.get_full_name() or user.username},
            field="group",
        )
    codes = _check_codes(round_, indicator_codes)
    rater, created = Rater.objects.get_or_create(
        round=round_, user=user, group=group, target=target, defaults={"indicator_codes": codes}
    )
    if not created and rater.indicator_codes != codes:
        rater.indicator_codes = codes
        rater.save(update_fields=["indicator_codes"])
    round_workflow.record_event(
        round_,
        round_workflow.RATERS_CHANGED,
        actor,
        data={"added": user.username, "group": group, "target": target.name if target else ""},
    )
    audit.record(actor, audit.Action.UPDATE, round_, {"rater_added": user.username, "group": group})
    return rater


def barred(inspector_id: int, school_id: int) -> str | None:
    from dudao.inspectors.queries import barred_pairs

    return barred_pairs([(inspector_id, school_id)]).get((inspector_id, school_id))


@transaction.atomic
def remove_rater(actor, rater: Rater) -> None:
    round_ = _lock(rater.round_id)
    guards.require_office_admin(actor, round_.office_id)
    _require_stage(round_, Stage.DRAFT, Stage.SELF_ASSESSMENT, Stage.EXPERT_SCORING)
    rater = Rater.objects.select_related("user").get(pk=rater.pk, round=round_)
    username = rater.user.username
    rater.delete()
    round_workflow.record_event(
        round_, round_workflow.RATERS_CHANGED, actor, data={"removed": username}
    )
    audit.record(actor, audit.Action.UPDATE, round_, {"rater_removed": username})


def open_problems(round_: Round) -> list[str]:
    """What keeps a round in preparation from opening (empty: it may)."""
    problems = []
    if round_.framework.status != Framework.Status.PUBLISHED:
        problems.append(_("The framework is not a published revision."))
    if not RoundTarget.objects.unscoped().filter(round=round_).exists():
        problems.append(_("Choose the targets first."))
    return problems


def take_action(actor, round_, action: str, *, expected_version=None, note: str = "") -> Round:
    """One step of the round (round_workflow): open, start scoring, start review, reopen,
    publish."""
    return round_workflow.take(round_, action, actor, expected_version=expected_version, note=note)


# ---- the target's part: self-assessment, evidence, own indicators -------------------------


def _locked_target(target) -> RoundTarget:
    return (
        RoundTarget.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("round__framework", "school", "unit")
        .get(pk=getattr(target, "pk", target))
    )


def spec_for_target(target: RoundTarget) -> FrameworkSpec:
    """The framework of one target: the round's, with the target's own indicators
    (合格+订单) as extra top-level indicators."""
    base = spec_of(target.round.framework)
    own = own_spec(target)
    return base.merged(own) if own is not None else base


def own_spec(target: RoundTarget, rows=None) -> FrameworkSpec | None:
    """The target's own indicators as a framework (None without any); `rows`: its
    OwnIndicator rows when the caller has read them already."""
    if rows is None:
        rows = list(OwnIndicator.objects.filter(target=target).order_by("position"))
    if not rows:
        return None
    return FrameworkSpec(
        [
            IndicatorSpec(
                code=row.code,
                parent=None,
                title=row.title,
                max_score=row.max_score,
                method=row.method,
                levels=tuple((name, Decimal(str(share))) for name, share in row.levels),
                guide=row.guide,
            )
            for row in rows
        ]
    )


@transaction.atomic
def set_own_indicators(actor, target, rows) -> list[OwnIndicator]:
    """合格+订单: the target's own indicators (code, title, max_score, method, levels, guide),
    replacing those it had, while the round is in preparation or at self-assessment."""
    target = _locked_target(target)
    round_ = target.round
    if not round_.own_indicators:
        raise DomainError(_("This round does not take the targets' own indicators."))
    _require_stage(round_, Stage.DRAFT, Stage.SELF_ASSESSMENT)
    if not (access.is_target_itself(actor, target) or access.is_office(actor, round_)):
        raise NotPermitted(_("Only the target or its office sets its own indicators."))
    base = spec_of(round_.framework)
    made, seen = [], set()

    for position, row in enumerate(rows, start=1):
        code = str(row.get("code") or "").strip()
        title = str(row.get("title") or "").strip()
        method = str(row.get("method") or Method.POINTS)
        if not code or not title:
            raise DomainError(_("Row %(row)s: give a code and a title.") % {"row": position})
        if code in base or code in seen:
            raise DomainError(
                _("Row %(row)s: the code %(code)s is already used.")
                % {"row": position, "code": code}
            )
        if method not in (Method.POINTS, Method.LEVELS, Method.YESNO):
            raise DomainError(
                _("Row %(row)s: score it by points, levels or yes/no.") % {"row": position}
            )
        try:
            maximum = Decimal(str(row.get("max_score")))
        except ArithmeticError:
            maximum = Decimal(0)
        if not maximum.is_finite() or maximum <= 0:
            raise DomainError(
                _("Row %(row)s: the weight is a number of points above 0.") % {"row": position}
            )
        levels = []
        if method == Method.LEVELS:
            try:
                levels = [[n, str(s)] for n, s in parse_levels(str(row.get("levels") or ""))]
            except EngineError as exc:
                raise DomainError(
                    _("Row %(row)s: %(error)s") % {"row": position, "error": exc.message}
                ) from None
        seen.add(code)
        made.append(
            OwnIndicator(
                target=target,
                position=position,
                code=code,
                title=title,
                max_score=maximum,
                method=method,
                levels=levels,
                guide=str(row.get("guide") or "").strip(),
            )
        )
    OwnIndicator.objects.filter(target=target).delete()
    OwnIndicator.objects.bulk_create(made)
    audit.record(
        actor,
        audit.Action.UPDATE,
        target,
        {"own_indicators": [f"{o.code} {o.title} ({o.max_score})" for o in made]},
        office_id=target.office_id,
    )
    return made


class ScoreErrors(DomainError):
    """Several scores refused at once: {code: message}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(f"{code}: {message}" for code, message in errors.items()))


@transaction.atomic
def save_scores(actor, target, values: dict, *, group: str) -> int:
    """Save the actor's scores of a target in `group`: {code: {"value": ..., "comment": ...}}.
    An empty value clears the actor's score. Every value is checked by the engine against
    its indicator's method before anything is written (all or nothing). Two raters never
    share a row, so two experts scoring the same target at once lose nothing. Returns how
    many scores were written or cleared."""
    guards.require_person(actor)
    # The target's row is locked: the sheet's autosave and its submit can overlap, and two
    # saves of one rater would both insert a score not yet saved (a unique-key error).
    target = (
        RoundTarget.objects.unscoped()
        .select_related("round__framework", "school", "unit")
        .select_for_update(of=("self",))
        .get(pk=getattr(target, "pk", target))
    )
    if group not in access.scoring_groups(actor, target):
        raise NotPermitted(_("You do not score this target now."))
    if (
        group == RaterGroup.SELF
        and target.self_submitted_at
        and not access.is_office(actor, target.round)
    ):
        raise DomainError(_("The self-assessment has been submitted; ask the office to reopen it."))
    spec = spec_for_target(target)
    allowed = access.scorable_codes(actor, target, group, spec)
    errors, writes, clears = {}, [], []
    for code, entry in values.items():
        value = str((entry or {}).get("value") or "").strip()
        comment = str((entry or {}).get("comment") or "").strip()
        if code not in allowed:
            errors[code] = _("You do not score this indicator.")
            continue
        if not value:
            clears.append(code)
            continue
        try:
            points(spec.get(code), value)
        except EngineError as exc:
            errors[code] = exc.message
            continue
        writes.append((code, value, comment))
    if errors:
        raise ScoreErrors(errors)
    mine = Score.objects.filter(target=target, rater=actor, group=group)
    existing = {s.code: s for s in mine.select_for_update()}
    changed = 0
    for code, value, comment in writes:
        score = existing.get(code)
        if score is None:
            Score.objects.create(
                target=target, code=code, rater=actor, group=group, value=value, comment=comment
            )
            changed += 1
        elif (score.value, score.comment) != (value, comment):
            score.value, score.comment, score.version = value, comment, score.version + 1
            score.save(update_fields=["value", "comment", "version", "updated_at"])
            changed += 1
    cleared = mine.filter(code__in=clears).delete()[0] if clears else 0
    if changed or cleared:
        audit.record(
            actor,
            audit.Action.UPDATE,
            target,
            {
                "scores": {code: value for code, value, _c in writes},
                "cleared": clears,
                "group": group,
            },
            office_id=target.office_id,
        )
    return changed + cleared


@transaction.atomic
def submit_self_assessment(actor, target, *, summary: str = "") -> RoundTarget:
    """The target hands in its self-assessment (every leaf scored)."""
    target = _locked_target(target)
    if not access.may_self_assess(actor, target):
        raise NotPermitted(_("You do not self-assess this target now."))
    if target.self_submitted_at:
        return target  # a repeated submission changes nothing
    spec = spec_for_target(target)
    scored = set(
        Score.objects.filter(target=target, group=RaterGroup.SELF).values_list("code", flat=True)
    )
    missing = [i.code for i in spec.leaves if i.code not in scored]
    if missing:
        raise DomainError(
            _("Score every indicator first; still open: %(codes)s.")
            % {"codes": "、".join(missing[:20]) + ("…" if len(missing) > 20 else "")}
        )
    before = audit.snapshot(target)
    target.self_submitted_at = timezone.now()
    target.self_submitted_by = actor
    target.self_summary = (summary or "").strip()
    target.version += 1
    target.save()
    audit.record_update(actor, target, before)
    return target


@transaction.atomic
def reopen_self_assessment(actor, target) -> RoundTarget:
    target = _locked_target(target)
    guards.require_office_admin(actor, target.office_id)
    _require_stage(target.round, Stage.SELF_ASSESSMENT)
    before = audit.snapshot(target)
    target.self_submitted_at, target.self_submitted_by = None, None
    target.version += 1
    target.save()
    audit.record_update(actor, target, before)
    return target


@transaction.atomic
def add_evidence(actor, target, code: str, uploaded_file) -> Evidence:
    """Attach a file to an indicator (佐证材料) during self-assessment; the same bytes again
    return the evidence already stored."""
    guards.require_person(actor)
    checked = uploads.check_upload(uploaded_file)  # before any lock: may read 20 MB
    target = _locked_target(target)
    if not access.may_self_assess(actor, target):
        raise NotPermitted(_("You do not self-assess this target now."))
    if code not in spec_for_target(target):
        raise DomainError(_("Unknown indicator code %(code)s.") % {"code": code}, field="code")
    existing = Evidence.objects.filter(target=target, code=code, sha256=checked.sha256).first()
    if existing:
        return existing
    evidence = uploads.store(Evidence(target=target, code=code), uploaded_file, actor, checked)
    audit.record(
        actor,
        audit.Action.CREATE,
        evidence,
        {"after": audit.snapshot(evidence)},
        office_id=target.office_id,
    )
    return evidence


@transaction.atomic
def delete_evidence(actor, evidence: Evidence) -> None:
    evidence = Evidence.objects.get(pk=evidence.pk)
    target = _locked_target(evidence.target_id)
    if not access.may_self_assess(actor, target):
        raise NotPermitted(_("You do not self-assess this target now."))
    audit.record(
        actor,
        audit.Action.DELETE,
        evidence,
        {"before": audit.snapshot(evidence)},
        office_id=target.office_id,
    )
    files = [evidence.file, evidence.preview]
    evidence.delete()
    uploads.delete_on_commit(*files)


# ---- results -------------------------------------------------------------------------------


def compute_results(round_: Round, targets=None) -> dict[int, TargetResult]:
    """Every target's result by the engine, from the scores as they stand: {target id:
    TargetResult}. Reads the scores in one query."""
    targets = list(
        targets
        if targets is not None
        else RoundTarget.objects.unscoped().filter(round=round_).order_by("position", "pk")
    )
    base = spec_of(round_.framework)
    extra = {}
    owns: dict[int, list[OwnIndicator]] = {}
    if round_.own_indicators:
        for row in OwnIndicator.objects.filter(target__in=targets).order_by("target", "position"):
            owns.setdefault(row.target_id, []).append(row)
        for target in targets:
            if target.pk in owns:
                extra[str(target.pk)] = own_spec(target, owns[target.pk])
    entries = [
        ScoreEntry(target=str(t), rater=str(r), group=g, code=c, value=v)
        for t, r, g, c, v in Score.objects.filter(target__in=targets)
        .order_by("target", "code", "group", "rater")
        .values_list("target_id", "rater_id", "group", "code", "value")
    ]
    weights = weights_of(round_)
    if weights is not None:
        # A group the office gave no weight is shown beside the others but counts for nothing
        # (weights "expert=1": the self-assessment is read, not scored).
        for group in {entry.group for entry in entries} - set(weights):
            weights[group] = Decimal(0)
    results = score_targets(
        base,
        entries,
        weights=weights,
        grades=grades_of(round_),
        targets=[str(t.pk) for t in targets],
        extra=extra or None,
        disagreement=Decimal(str(round_.disagreement)),
    )
    return {int(result.target): result for result in results}


def passes(round_: Round, result: TargetResult) -> bool:
    """At or above the round's pass grade (合格 by default: the lowest grade), not vetoed."""
    if result.vetoed or result.grade == FAIL_GRADE:
        return False
    if not round_.pass_grade:
        return True
    names = [name for name, _t in sorted(grades_of(round_), key=lambda g: -g[1])]
    return result.grade in names and names.index(result.grade) <= names.index(round_.pass_grade)


def store_results(round_: Round, actor) -> dict:
    """On publication (inside the round's transition): each target's result stored, and a
    finding in the rectification ledger for each school below the pass grade."""
    targets = list(
        RoundTarget.objects.unscoped()
        .filter(round=round_)
        .select_related("school")
        .order_by("position", "pk")
    )
    results = compute_results(round_, targets)
    failed = 0
    for target in targets:
        result = results[target.pk]
        target.total, target.max_total = result.total, result.max
        target.grade, target.vetoed = result.grade, result.vetoed
        target.passed = passes(round_, result)
        target.scores = {code: str(value) for code, value in result.indicators.items()}
        target.version += 1
        if not target.passed:
            failed += 1
            if target.school_id:
                _raise_finding(actor, round_, target, result)
    RoundTarget.objects.unscoped().bulk_update(
        targets, ["total", "max_total", "grade", "vetoed", "passed", "scores", "version"]
    )
    return {"targets": len(targets), "failed": failed}


def _raise_finding(actor, round_: Round, target: RoundTarget, result: TargetResult) -> None:
    spec = spec_for_target(target)
    weak = [
        f"{i.code} {i.title}（{result.indicators.get(i.code, 0)}/{i.max_score}）"
        for i in spec.leaves
        if i.max_score and result.indicators.get(i.code, Decimal(0)) < i.max_score * WEAK_SHARE
    ]
    lines = [
        _("Evaluation “%(round)s”: %(total)s of %(max)s points, grade %(grade)s.")
        % {"round": round_.title, "total": result.total, "max": result.max, "grade": result.grade}
    ]
    if result.vetoed_by:
        lines.append(
            _("Vetoed by: %(codes)s.")
            % {"codes": "、".join(f"{c} {spec.get(c).title}" for c in result.vetoed_by)}
        )
    if weak:
        lines.append(_("Indicators to rectify: %(list)s.") % {"list": "；".join(weak[:15])})
    kind = kind_of_school(target.school)
    rectification.create_finding(
        actor,
        school=target.school,
        area=FINDING_AREA[kind],
        description="\n".join(lines),
        deadline=timezone.localdate() + datetime.timedelta(days=FINDING_DEADLINE_DAYS),
        required_action=_("Rectify the indicators named and report the rectification."),
    )
