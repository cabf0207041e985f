"""Every write of the monitoring screens, and the bridge between the database rows and the
engine (`SchoolData`, `evaluate`, `Monitor`). Writes raise DomainError with a translated
message, record an audit row in the same transaction and change nothing when they refuse.

History: each change of a SchoolResources row writes a SchoolResourcesHistory row (version,
source, {field: [before, after]}) *and* an audit entry (record_create/record_update).

Who: every write is the office admin's, for its own office (dudao/core/guards.py), checked
before anything else; viewers and the superuser read monitoring but write nothing."""

import calendar
import copy
import datetime
import json
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, NotPermitted
from dudao.schools.models import School

from . import inputs
from .engine import Monitor, evaluate
from .fields import (
    FIELD_BY_HEADER,
    FIELD_BY_KEY,
    NUMERIC_FIELDS,
    OWNERSHIP_HEADER,
    SCHOOL_TYPES,
    SPONSOR_HEADER,
    SPONSORS,
)
from .models import (
    DECIMAL_FIELDS,
    NUMBER_FIELDS,
    Evaluation,
    MonthlyReturn,
    RuleSet,
    SchoolResources,
    SchoolResourcesHistory,
)
from .rules import BUILTIN, RuleSetError, builtin_path, validate

# The registry's school types (schools.SchoolType) and the engine's Chinese ones.
TYPE_FROM_SCHOOL = {
    "primary": "小学",
    "junior": "初中",
    "nine_year": "九年一贯制学校",
    "complete_secondary": "完全中学",
    "twelve_year": "十二年一贯制学校",
    "teaching_point": "教学点",
}
COMPULSORY_TYPES = tuple(TYPE_FROM_SCHOOL)


class ResourcesInvalid(DomainError):
    """The figures fail the engine's checks; `errors` = [(field key or None, message)]."""

    def __init__(self, errors):
        self.errors = errors
        field = errors[0][0]
        super().__init__("; ".join(m for _f, m in errors), field=field)


# --- rule sets ----------------------------------------------------------------------------


def ensure_national_rulesets() -> None:
    """Load the shipped rule sets (rulesets/*.json) into the database, once per version."""
    stored = dict(RuleSet.objects.filter(office__isnull=True).values_list("name", "version"))
    for name in BUILTIN:
        data = json.loads(builtin_path(name).read_text(encoding="utf-8"))
        if stored.get(name) == str(data["version"]):
            continue
        RuleSet.objects.update_or_create(
            office=None,
            name=name,
            defaults={
                "title": data.get("title", name),
                "version": str(data["version"]),
                "regime": data["regime"],
                "source": data.get("source", ""),
                "data": data,
            },
        )


def rulesets_for(office):
    """The rule sets an office may use: the national ones and its own copies."""
    ensure_national_rulesets()
    if office is None:
        return RuleSet.objects.filter(office__isnull=True)
    return RuleSet.objects.filter(Q(office__isnull=True) | Q(office=office))


def default_ruleset(office, regime: str) -> RuleSet:
    name = "basic-2012" if regime == "basic" else "quality-2017"
    return rulesets_for(office).get(office__isnull=True, name=name)


def _next_version(version: str) -> str:
    head, dot, tail = str(version).rpartition(".")
    if tail.isdigit():
        return f"{head}{dot}{int(tail) + 1}"
    return f"{version}.1"


@transaction.atomic
def copy_ruleset(actor, source: RuleSet, *, name: str, title: str = "") -> RuleSet:
    """A copy of `source` (a national rule set or one of the office's own) for the actor's
    office, to edit as a provincial variant."""
    guards.require_office_admin(actor, actor.office_id)
    guards.require_person(actor)
    if source.office_id is not None and source.office_id != actor.office_id:
        raise NotPermitted(_("This rule set belongs to another office."))
    office = actor.office
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the copy a name."), field="name")
    if RuleSet.objects.filter(office=office, name=name).exists() or name in BUILTIN:
        raise DomainError(_("A rule set with this name already exists."), field="name")
    data = copy.deepcopy(source.data)
    data["name"] = name
    data["version"] = "1"
    data["title"] = (title or "").strip() or source.title
    data.setdefault("notes", []).append(
        _("Copied from %(name)s version %(version)s.")
        % {"name": source.name, "version": source.version}
    )
    errors = validate(data)
    if errors:
        raise DomainError(" ".join(errors))
    ruleset = RuleSet.objects.create(
        office=office,
        name=name,
        title=data["title"],
        version="1",
        regime=data["regime"],
        source=data.get("source", ""),
        data=data,
        based_on=source,
        created_by=actor,
    )
    audit.record_create(actor, ruleset)
    return ruleset


@transaction.atomic
def update_ruleset(actor, ruleset: RuleSet, data: dict, *, expected_version=None) -> RuleSet:
    """Replace an office rule set's parameters with `data` (the whole JSON document, as the
    form builds it), validated by rules.validate; the version goes up by one."""
    guards.require_role(actor, Role.OFFICE_ADMIN)
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.office_id is None:
        raise DomainError(_("The national rule sets cannot be edited: copy one first."))
    guards.require_office_admin(actor, ruleset.office_id)
    if expected_version is not None and str(expected_version) != ruleset.version:
        raise DomainError(
            _("Someone else changed this rule set meanwhile. Reload the page and try again.")
        )
    data = copy.deepcopy(data)
    data["name"] = ruleset.name
    version = _next_version(ruleset.version)
    data["version"] = version
    errors = validate(data)
    if errors:
        raise DomainError(" ".join(errors))
    before = audit.snapshot(ruleset)
    ruleset.data = data
    ruleset.version = version
    ruleset.title = data.get("title", ruleset.name)
    ruleset.source = data.get("source", "")
    ruleset.regime = data["regime"]
    ruleset.save()
    audit.record_update(actor, ruleset, before)
    return ruleset


# --- resource figures ---------------------------------------------------------------------


# Checking rule set: the shipped basic one without exclusions, refusing bad rows, so that every
# row (teaching points too) gets every check.
def checking_rules():
    """The rule set every stored or imported row is checked with."""
    from .rules import variant

    return variant(
        "basic-2012",
        {
            "exclusions": {
                "school_types": [],
                "min_enrolment": None,
                "ownership": [],
                "sponsors": [],
            },
            "on_bad_row": "refuse",
        },
    )


def _error_field(error) -> str | None:
    field = FIELD_BY_HEADER.get(error.column or "")
    return field.key if field else None


def clean_figures(figures: dict) -> dict:
    """Field key → int (counts) or float (areas, yuan); missing = 0."""
    out = {}
    for f in NUMERIC_FIELDS:
        value = figures.get(f.key) or 0
        out[f.key] = float(value) if not f.integer else int(value)
    return out


def check_figures(school: School, school_type: str, figures: dict) -> None:
    """The engine's checks for one school's figures; ResourcesInvalid lists the problems."""
    record = {"学校标识码": school.code, "学校名称": school.name, "学校类型": school_type}
    for f in NUMERIC_FIELDS:
        record[f.header] = figures.get(f.key, 0)
    try:
        inputs.check_rows([(2, record)], checking_rules())
    except inputs.InputRefused as refused:
        raise ResourcesInvalid([(_error_field(e), e.message) for e in refused.errors]) from None


def _store(resources: SchoolResources, figures: dict, school_type: str, sponsor=None):
    resources.school_type = school_type
    if sponsor is not None:
        resources.sponsor = sponsor
    for key in NUMBER_FIELDS:
        value = figures[key]
        if key in DECIMAL_FIELDS:
            value = Decimal(str(round(float(value), 2)))
        setattr(resources, key, value)


def _plain_figures(resources: SchoolResources) -> dict:
    data = resources.figures()
    data["school_type"] = resources.school_type
    data["sponsor"] = resources.sponsor
    return data


def save_resources(
    actor,
    school: School,
    year: int,
    figures: dict,
    *,
    school_type: str | None = None,
    sponsor: str | None = None,
    expected_version=None,
    source=SchoolResourcesHistory.Source.EDIT,
) -> tuple[SchoolResources, bool]:
    """Create or update a school's figures for a year. `expected_version` (optimistic lock):
    the version the editor saw; a different stored version refuses. `sponsor` (举办者: 县属,
    市属 or 省属): None keeps the stored one, and a new year's row takes the school's latest
    (the import has no such column). Returns (row, changed)."""
    guards.require_office_admin(actor, school.office_id)
    guards.require_person(actor)
    school_type = school_type or TYPE_FROM_SCHOOL.get(school.type)
    if school_type not in SCHOOL_TYPES:
        raise DomainError(
            _("Balanced-development monitoring covers compulsory-education schools only."),
            field="school_type",
        )
    if sponsor is not None and sponsor not in SPONSORS:
        raise DomainError(
            _("Choose who runs the school: %(choices)s.") % {"choices": "、".join(SPONSORS)},
            field="sponsor",
        )
    figures = clean_figures(figures)
    check_figures(school, school_type, figures)
    with transaction.atomic():
        resources = (
            SchoolResources.objects.unscoped()
            .select_for_update()
            .filter(school=school, year=year)
            .first()
        )
        if resources is None:
            if expected_version not in (None, "", 0, "0"):
                raise DomainError(
                    _("Someone else changed these figures meanwhile. Reload and try again.")
                )
            resources = SchoolResources(
                office_id=school.office_id, school=school, year=year, updated_by=actor
            )
            if sponsor is None:
                latest = (
                    SchoolResources.objects.unscoped()
                    .filter(school=school)
                    .order_by("-year")
                    .values_list("sponsor", flat=True)
                    .first()
                )
                sponsor = latest or SPONSORS[0]
            _store(resources, figures, school_type, sponsor)
            resources.save()
            SchoolResourcesHistory.objects.create(
                resources=resources,
                version=1,
                source=source,
                changes={k: [None, v] for k, v in _plain_figures(resources).items()},
                changed_by=actor,
            )
            audit.record_create(actor, resources)
            return resources, True
        if expected_version not in (None, "") and int(expected_version) != resources.version:
            raise DomainError(
                _("Someone else changed these figures meanwhile. Reload and try again.")
            )
        before_plain = _plain_figures(resources)
        before = audit.snapshot(resources)
        _store(resources, figures, school_type, sponsor)
        changes = audit.diff(before_plain, _plain_figures(resources))
        if not changes:
            return resources, False
        resources.version += 1
        resources.updated_by = actor
        resources.save()
        SchoolResourcesHistory.objects.create(
            resources=resources,
            version=resources.version,
            source=source,
            changes=changes,
            changed_by=actor,
        )
        audit.record_update(actor, resources, before)
        return resources, True


# --- import ---------------------------------------------------------------------------------
# The upload goes through the project's one import pipeline (dudao.imports: one job model with
# preview, confirm and progress); the importer is dudao.imports.importers.resources.


def import_preview(actor, year: int, fileobj, filename: str):
    """Store and check an uploaded template (XLSX or CSV) for the actor's office and `year`:
    the job (an imports.ImportJob of kind "resources") holds the preview or every error.
    `fileobj` is the request's upload (its size is checked before it is read) or any binary
    file object."""
    from django.core.files.base import ContentFile, File

    from dudao.core.spreadsheets import sheet_names
    from dudao.imports import services as imports

    guards.require_office_admin(actor, actor.office_id)
    if isinstance(fileobj, File):
        upload = fileobj
        upload.name = filename or upload.name or "import.xlsx"
    else:
        upload = ContentFile(fileobj.read(), name=filename or "import.xlsx")
    # One table per file (the template's first sheet; its second is 填写说明): the first sheet
    # is read and the preview names it and the sheets left unread.
    params = {"year": year, "sheets": sheet_names(upload)}
    upload.seek(0)
    return imports.create_job(actor, actor.office, "resources", upload, params=params)


def import_confirm(actor, job) -> dict | None:
    """Apply every row of a previewed import in one transaction (all or nothing); the counts.
    Re-importing the same figures changes nothing (rows are matched by school code and year).
    DomainError when the job cannot be applied (another office's, refused, already applied)
    or a row is refused now."""
    from dudao.imports import services as imports

    guards.require_role(actor, Role.OFFICE_ADMIN)
    guards.require_office_admin(
        actor, job.office_id, message=_("This import belongs to another office.")
    )
    if not imports.confirm_job(actor, job):
        raise DomainError(_("Only a checked import without errors can be applied."))
    job.refresh_from_db()
    if job.status == job.Status.APPLYING:
        return None  # a large file: applied in the background, the page shows the progress
    if job.status != job.Status.DONE:
        problems = job.errors[:3]
        raise DomainError(
            "; ".join(
                _("Row %(row)s: %(error)s") % {"row": e["row"], "error": e["message"]}
                for e in problems
            )
            or job.file_error
            or _("Only a checked import without errors can be applied.")
        )
    return {key: job.summary.get(key, 0) for key in ("created", "updated", "unchanged")}


# --- computing from the database ------------------------------------------------------------


def years_with_data(office) -> list[int]:
    return sorted(
        set(SchoolResources.objects.unscoped().filter(office=office).values_list("year", flat=True))
    )


def resource_rows(office, year):
    return (
        SchoolResources.objects.unscoped()
        .filter(office=office, year=year)
        .select_related("school")
        .order_by("school__code")
    )


def records(office, year) -> list[dict]:
    out = []
    for number, r in enumerate(resource_rows(office, year), start=1):
        record = {
            "code": r.school.code,
            "name": r.school.name,
            "school_type": r.school_type,
            # who runs it, for the rule sets' exclusions (docs/rules.md §17)
            OWNERSHIP_HEADER: "民办" if r.school.ownership == "private" else "公办",
            SPONSOR_HEADER: r.sponsor,
        }
        record.update(r.figures())
        record["_row"] = number
        out.append(record)
    return out


def school_data(office, year, rules):
    """The office's figures for `year` as the engine's SchoolData (InputRefused if a stored
    row fails the rule set's checks)."""
    return inputs.SchoolData.from_records(records(office, year), rules)


def evaluate_year(office, year, ruleset: RuleSet):
    rules = ruleset.rules()
    return evaluate(school_data(office, year, rules), rules, year)


def monitor(office, year, ruleset: RuleSet) -> Monitor:
    rules = ruleset.rules()
    return Monitor(school_data(office, year, rules), rules, year)


@transaction.atomic
def record_evaluation(actor, office, year, ruleset: RuleSet) -> Evaluation:
    """Compute and keep one year's result with the rule set's name, version and JSON."""
    guards.require_office_admin(actor, office)
    guards.require_person(actor)
    if ruleset.office_id is not None and ruleset.office_id != getattr(office, "pk", office):
        raise NotPermitted(_("This rule set belongs to another office."))
    try:
        result = evaluate_year(office, year, ruleset)
    except (inputs.InputRefused, RuleSetError) as refused:
        raise DomainError(str(refused)) from None
    evaluation = Evaluation.objects.create(
        office=office,
        year=year,
        ruleset=ruleset,
        ruleset_name=ruleset.name,
        ruleset_version=ruleset.version,
        ruleset_data=ruleset.data,
        result=result.to_dict(),
        passed=result.passed,
        created_by=actor,
    )
    audit.record_create(actor, evaluation)
    return evaluation


def field_label(key: str) -> str:
    return FIELD_BY_KEY[key].header


# --- the monthly return to the city -----------------------------------------------------------
# docs/rules.md §19: each month the county reports its monitoring figures to the city (每月按时
# 上报监测情况到市督导室). One MonthlyReturn per office and month: while the month is open a new
# run replaces it (the month-end job, on the last day, gives the month's final figures); once
# the month has ended the return is kept as it was sent, and a month that has ended without one
# cannot be taken afterwards (today's figures are not that month's).


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def is_last_day_of_month(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def return_year(office, month: datetime.date) -> int | None:
    """The year of figures a month's return reports: the latest with data, not after it."""
    years = [y for y in years_with_data(office) if y <= month.year]
    return years[-1] if years else None


def result_summary(result) -> dict:
    """What the city reads of one result: per level the indicators' means, CVs, limits and
    standards and the conclusions (no per-school values), and the excluded schools."""
    data = result.to_dict()
    for level in data["levels"].values():
        level.pop("schools", None)
    data["excluded"] = [
        {k: v for k, v in e.items() if k != "errors"} for e in data.get("excluded", [])
    ]
    data["exclusion_summary"] = inputs.exclusion_summary(result.excluded)
    data.pop("parameters", None)
    return data


def monthly_figures(office, year: int) -> dict:
    """The figures a return keeps: the school rows used and both national rule sets' results
    (a refused computation is kept as its error text)."""
    schools = []
    for record in records(office, year):
        record = dict(record)
        record.pop("_row", None)
        schools.append(record)
    results = {}
    for regime in ("basic", "quality"):
        ruleset = default_ruleset(office, regime)
        try:
            results[regime] = result_summary(evaluate_year(office, year, ruleset))
        except (inputs.InputRefused, RuleSetError) as refused:
            results[regime] = {
                "rule_set": {"name": ruleset.name, "title": ruleset.title},
                "error": str(refused),
            }
    return {"year": year, "schools": schools, "results": results}


@transaction.atomic
def take_monthly_return(
    actor, office, *, today: datetime.date | None = None, source=MonthlyReturn.Source.MANUAL
) -> tuple[MonthlyReturn, str]:
    """Take (or retake) the office's return for the current month (Beijing): "created",
    "replaced", "unchanged" (same figures: nothing written). Refused without figures."""
    guards.require_office_admin(actor, office)
    today = today or timezone.localdate()
    month = month_start(today)
    year = return_year(office, month)
    if year is None:
        raise DomainError(_("There are no school figures to report yet."))
    figures = monthly_figures(office, year)
    fields = {
        "year": year,
        "figures": figures,
        "school_count": len(figures["schools"]),
        "excluded_count": len(figures["results"]["basic"].get("excluded", [])),
        "passed_basic": figures["results"]["basic"].get("passed"),
        "passed_quality": figures["results"]["quality"].get("passed"),
    }
    taken_by = actor if getattr(actor, "pk", None) else None
    stored = (
        MonthlyReturn.objects.unscoped()
        .select_for_update()
        .filter(office=office, month=month)
        .first()
    )
    summary = {
        "month": month.isoformat(),
        "year": year,
        "schools": fields["school_count"],
        "excluded": fields["excluded_count"],
    }
    if stored is None:
        stored = MonthlyReturn.objects.create(
            office=office,
            month=month,
            source=source,
            taken_by=taken_by,
            taken_at=timezone.now(),
            **fields,
        )
        audit.record(actor, audit.Action.CREATE, stored, {"after": summary})
        return stored, "created"
    if stored.year == year and stored.figures == json.loads(json.dumps(figures)):
        return stored, "unchanged"
    for key, value in fields.items():
        setattr(stored, key, value)
    stored.source, stored.taken_by, stored.taken_at = source, taken_by, timezone.now()
    stored.version += 1
    stored.save()
    audit.record(actor, audit.Action.UPDATE, stored, {"after": summary})
    return stored, "replaced"


def take_month_end_returns(today: datetime.date | None = None) -> dict:
    """The scheduled job (dudao/core/schedule.py, every day; it acts on the last day of the
    month, Beijing): each office with monitoring figures takes its return. Idempotent: a
    second run the same day changes nothing unless the figures changed meanwhile."""
    today = today or timezone.localdate()
    counts = {"created": 0, "replaced": 0, "unchanged": 0, "refused": 0}
    if not is_last_day_of_month(today):
        return counts
    from dudao.organisations.models import Office

    office_ids = SchoolResources.objects.unscoped().values_list("office_id", flat=True).distinct()
    for office in Office.objects.filter(pk__in=office_ids).order_by("pk"):
        try:
            _item, outcome = take_monthly_return(
                guards.SYSTEM, office, today=today, source=MonthlyReturn.Source.SCHEDULE
            )
        except DomainError:
            outcome = "refused"
        counts[outcome] += 1
    return counts
