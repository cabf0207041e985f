"""Every write of the monitoring screens, and the bridge between the database rows and the
engine (`SchoolData`, `evaluate`, `Monitor`). Writes raise DomainError with a translated
message, record an audit row in the same transaction and change nothing when they refuse.

History: each change of a SchoolResources row writes a SchoolResourcesHistory row (version,
source, {field: [before, after]}) *and* an audit entry (record_create/record_update)."""

import copy
import json
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core.errors import DomainError
from dudao.schools.models import School

from . import inputs
from .engine import Monitor, evaluate
from .fields import FIELD_BY_HEADER, FIELD_BY_KEY, NUMERIC_FIELDS, SCHOOL_TYPES
from .models import (
    DECIMAL_FIELDS,
    NUMBER_FIELDS,
    Evaluation,
    ResourceImport,
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
    """A copy of `source` for the actor's office, to edit as a provincial variant."""
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
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.office_id is None or ruleset.office_id != actor.office_id:
        raise DomainError(_("The national rule sets cannot be edited: copy one first."))
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
def _checking_rules():
    from .rules import variant

    return variant(
        "basic-2012",
        {
            "exclusions": {"school_types": [], "min_enrolment": None},
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
        inputs.check_rows([(2, record)], _checking_rules())
    except inputs.InputRefused as refused:
        raise ResourcesInvalid([(_error_field(e), e.message) for e in refused.errors]) from None


def _store(resources: SchoolResources, figures: dict, school_type: str):
    resources.school_type = school_type
    for key in NUMBER_FIELDS:
        value = figures[key]
        if key in DECIMAL_FIELDS:
            value = Decimal(str(round(float(value), 2)))
        setattr(resources, key, value)


def _plain_figures(resources: SchoolResources) -> dict:
    data = resources.figures()
    data["school_type"] = resources.school_type
    return data


def save_resources(
    actor,
    school: School,
    year: int,
    figures: dict,
    *,
    school_type: str | None = None,
    expected_version=None,
    source=SchoolResourcesHistory.Source.EDIT,
) -> tuple[SchoolResources, bool]:
    """Create or update a school's figures for a year. `expected_version` (optimistic lock):
    the version the editor saw; a different stored version refuses. Returns (row, changed)."""
    school_type = school_type or TYPE_FROM_SCHOOL.get(school.type)
    if school_type not in SCHOOL_TYPES:
        raise DomainError(
            _("Balanced-development monitoring covers compulsory-education schools only."),
            field="school_type",
        )
    figures = clean_figures(figures)
    check_figures(school, school_type, figures)
    with transaction.atomic():
        resources = (
            SchoolResources.objects.select_for_update().filter(school=school, year=year).first()
        )
        if resources is None:
            if expected_version not in (None, "", 0, "0"):
                raise DomainError(
                    _("Someone else changed these figures meanwhile. Reload and try again.")
                )
            resources = SchoolResources(
                office_id=school.office_id, school=school, year=year, updated_by=actor
            )
            _store(resources, figures, school_type)
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
        _store(resources, figures, school_type)
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


def _office_schools(office) -> dict[str, School]:
    return {s.code: s for s in School.objects.filter(office=office)}


@transaction.atomic
def import_preview(actor, year: int, fileobj, filename: str) -> ResourceImport:
    """Read and check an uploaded template (XLSX or CSV) for the actor's office and `year`:
    the job holds the checked rows to apply, or every error with its row number."""
    office = actor.office
    job = ResourceImport(office=office, year=year, original_name=filename[:255], created_by=actor)
    errors = []
    rows = []
    try:
        raw_rows = inputs.read_input(fileobj, filename)
    except inputs.InputRefused as refused:
        errors = [e.to_dict() for e in refused.errors]
        raw_rows = []
    data = None
    if raw_rows:
        try:
            data = inputs.check_rows(raw_rows, _checking_rules())
        except inputs.InputRefused as refused:
            errors = [e.to_dict() for e in refused.errors]
    schools = _office_schools(office)
    existing = set(
        SchoolResources.objects.filter(office=office, year=year).values_list(
            "school__code", flat=True
        )
    )
    for number, record in raw_rows:
        code = inputs._cell_text(record.get("学校标识码"))
        if code and code not in schools:
            error = inputs.InputError(
                number,
                "学校标识码",
                _("No school with this code in your county's registry."),
                "unknown_school",
                code,
            )
            errors.append(error.to_dict())
    if data is not None and not errors:
        created = 0
        for i, code in enumerate(data.codes):
            figures = {
                key: float(v) for key, v in zip(inputs.FIELD_KEYS, data.values[i], strict=True)
            }
            rows.append(
                {
                    "row": data.rows[i],
                    "school_id": schools[code].pk,
                    "code": code,
                    "name": schools[code].name,
                    "school_type": data.types[i],
                    "figures": figures,
                    "exists": code in existing,
                }
            )
            created += code not in existing
        job.summary = {"rows": len(rows), "new": created, "existing": len(rows) - created}
    errors.sort(key=lambda e: (e["row"] or 0, e["column"] or ""))
    job.errors = errors
    job.rows = rows
    job.status = ResourceImport.Status.REFUSED if errors else ResourceImport.Status.PREVIEW
    if not raw_rows and not errors:
        job.errors = [{"row": None, "column": None, "text": _("The file has no data rows.")}]
        job.status = ResourceImport.Status.REFUSED
    job.save()
    audit.record(actor, audit.Action.CREATE, job, {"after": _job_summary(job)})
    return job


def _job_summary(job: ResourceImport) -> dict:
    """What the audit log keeps of an import (not its rows)."""
    return {
        "year": job.year,
        "file": job.original_name,
        "status": job.status,
        "errors": len(job.errors),
        **job.summary,
    }


def import_confirm(actor, job: ResourceImport) -> dict:
    """Apply every row of a previewed import in one transaction (all or nothing). Re-importing
    the same figures changes nothing (rows are matched by school code and year)."""
    with transaction.atomic():
        job = ResourceImport.objects.select_for_update().get(pk=job.pk)
        if job.office_id != actor.office_id:
            raise DomainError(_("This import belongs to another office."))
        if job.status != ResourceImport.Status.PREVIEW or job.errors:
            raise DomainError(_("Only a checked import without errors can be applied."))
        schools = School.objects.in_bulk([r["school_id"] for r in job.rows])
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row in job.rows:
            school = schools.get(row["school_id"])
            if school is None or school.office_id != job.office_id:
                raise DomainError(
                    _("Row %(row)s: the school no longer exists.") % {"row": row["row"]}
                )
            existed = SchoolResources.objects.filter(school=school, year=job.year).exists()
            try:
                _resources, changed = save_resources(
                    actor,
                    school,
                    job.year,
                    row["figures"],
                    school_type=row["school_type"],
                    source=SchoolResourcesHistory.Source.IMPORT,
                )
            except DomainError as error:
                raise DomainError(
                    _("Row %(row)s: %(error)s") % {"row": row["row"], "error": error}
                ) from None
            key = "unchanged" if not changed else ("updated" if existed else "created")
            counts[key] += 1
        before = _job_summary(job)
        job.status = ResourceImport.Status.APPLIED
        job.applied_at = timezone.now()
        job.summary = {**job.summary, **counts}
        job.save()
        audit.record(actor, audit.Action.UPDATE, job, audit.diff(before, _job_summary(job)))
    return counts


# --- computing from the database ------------------------------------------------------------


def years_with_data(office) -> list[int]:
    return sorted(set(SchoolResources.objects.filter(office=office).values_list("year", flat=True)))


def resource_rows(office, year):
    return (
        SchoolResources.objects.filter(office=office, year=year)
        .select_related("school")
        .order_by("school__code")
    )


def records(office, year) -> list[dict]:
    out = []
    for number, r in enumerate(resource_rows(office, year), start=1):
        record = {"code": r.school.code, "name": r.school.name, "school_type": r.school_type}
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
