"""Demo resource figures for balanced-development monitoring: three years for the demo county's
compulsory-education schools, plausible per-student values, about a fifth of the schools
clearly below the 2017 standards (so the screens have something to show) and a slow
improvement from year to year (the weak schools catch up faster).

Wired into `seed_demo` as a step by the demo generator:

    from dudao.monitoring import demo as monitoring_demo
    Step("monitoring", monitoring_demo.build_step, monitoring_demo.reset_step)
"""

import random
from decimal import Decimal

from django.db import transaction

from . import inputs
from .fields import NUMERIC_FIELDS
from .models import (
    DECIMAL_FIELDS,
    Evaluation,
    RuleSet,
    SchoolResources,
    SchoolResourcesHistory,
)
from .services import TYPE_FROM_SCHOOL, checking_rules

YEARS = (2023, 2024, 2025)

# Per-student levels of a typical school (2017 standards: floor 4.5/5.8 m², sports 7.5/10.2
# m², equipment 2000/2500 yuan, multimedia rooms 2.3/2.4 per 100 students).
# Per primary pupil; a secondary student counts 1.3 (JUNIOR_WEIGHT).
JUNIOR_WEIGHT = 1.3
PER_STUDENT = {
    "floor_area": 6.2,
    "sports_area": 10.5,
    "equipment_value": 3100.0,
    "computers": 0.16,
    "books": 32.0,
    "multimedia_rooms": 0.030,
}
STUDENTS_PER_TEACHER = {"primary": 17.0, "junior": 12.5}
PER_100 = {  # per 100 students, by level taught
    "qualified": {"primary": 5.9, "junior": 7.4},
    "backbone": {"primary": 1.5, "junior": 1.5},
    "pe_arts": {"primary": 1.25, "junior": 1.3},
}
SENIOR_TITLE_SHARE = 0.45


def _enrolment(school, level, rng, shrink):
    value = getattr(school, f"enrolment_{level}", 0) or 0
    if value <= 0:
        value = rng.randint(25, 60) if school.type == "teaching_point" else rng.randint(300, 900)
    return max(8, round(value * shrink))


RESOURCES = (
    "floor_area",
    "sports_area",
    "equipment_value",
    "multimedia_rooms",
    "computers",
    "books",
    "teachers",
    "backbone",
    "pe_arts",
    "qualified",
)


def _profile(rng: random.Random) -> dict:
    """A school's lasting position per resource (about ±20 % around a typical school)."""
    return {name: min(1.8, max(0.6, rng.lognormvariate(0, 0.17))) for name in RESOURCES}


def figures_for(
    school, rng: random.Random, weak: dict, year_index: int, n_years: int, profile=None
) -> dict:
    """One school's figures for one year. `profile` is the school's lasting position per
    resource; `weak` maps a resource to its shortfall factor (< 1) in the first year, which
    closes a little every year."""
    from .fields import SCHOOL_TYPES

    school_type = TYPE_FROM_SCHOOL[school.type]
    levels = SCHOOL_TYPES[school_type]
    profile = profile or {}
    behind = n_years - 1 - year_index  # 0 in the latest year
    shrink = 1 + 0.02 * behind * rng.uniform(-1, 1)
    enrol = {level: _enrolment(school, level, rng, shrink) for level in levels}
    students = sum(n * (1 if level == "primary" else JUNIOR_WEIGHT) for level, n in enrol.items())
    growth = 1 - 0.025 * behind  # everybody improves slowly

    def level_factor(resource):
        factor = profile.get(resource, 1.0) * growth * rng.uniform(0.97, 1.03)
        if resource in weak:
            factor *= min(1.0, weak[resource] + 0.05 * year_index)
        return factor

    out = {f.key: 0 for f in NUMERIC_FIELDS}
    for level in ("primary", "junior", "senior"):
        if level in enrol:
            out[f"enrol_{level}"] = enrol[level]
    for resource, per in PER_STUDENT.items():
        value = per * students * level_factor(resource)
        out[resource] = round(value, 2) if resource in DECIMAL_FIELDS else max(1, round(value))
    for level in ("primary", "junior"):
        if level not in enrol:
            continue
        p = enrol[level]
        teachers = max(2, round(p / STUDENTS_PER_TEACHER[level] * level_factor("teachers")))
        out[f"teachers_{level}"] = teachers
        for name, per in PER_100.items():
            count = round(per[level] * p / 100 * level_factor(name))
            out[f"{name}_{level}"] = min(teachers, max(0, count))
        senior = round(teachers * SENIOR_TITLE_SHARE * rng.uniform(0.75, 1.2))
        out[f"senior_title_{level}"] = min(teachers, senior)
    return out


def _weakness(rng: random.Random) -> dict:
    """A weak school: two or three resources at 50-75 % of a typical school's."""
    resources = [r for r in RESOURCES if r not in ("books", "teachers")]
    return {name: rng.uniform(0.5, 0.75) for name in rng.sample(resources, rng.randint(2, 3))}


@transaction.atomic
def build(office, schools, rng: random.Random, years=YEARS) -> int:
    """Create SchoolResources (and a 'demo' history row each) for every active
    compulsory-education school of `office` in `schools`, for each year. Returns the number of
    rows. The rows pass the engine's checks (verified before saving)."""
    chosen = [
        s
        for s in schools
        if s.office_id == office.pk and s.is_active and s.type in TYPE_FROM_SCHOOL
    ]
    chosen.sort(key=lambda s: s.code)
    weak = {s.pk: (_weakness(rng) if rng.random() < 0.2 else {}) for s in chosen}
    profiles = {s.pk: _profile(rng) for s in chosen}
    rows = []
    check = []
    for index, year in enumerate(years):
        for number, school in enumerate(chosen, start=2):
            figures = figures_for(
                school, rng, weak[school.pk], index, len(years), profiles[school.pk]
            )
            school_type = TYPE_FROM_SCHOOL[school.type]
            record = {"学校标识码": school.code, "学校名称": school.name, "学校类型": school_type}
            record.update({f.header: figures[f.key] for f in NUMERIC_FIELDS})
            check.append((number, record))
            row = SchoolResources(office=office, school=school, year=year, school_type=school_type)
            for key, value in figures.items():
                if key in DECIMAL_FIELDS:
                    value = Decimal(str(value))
                setattr(row, key, value)
            rows.append(row)
        inputs.check_rows(check, checking_rules())  # raises on a generator bug
        check = []
    SchoolResources.objects.unscoped().bulk_create(rows, batch_size=500)
    saved = SchoolResources.objects.unscoped().filter(office=office, year__in=years)
    SchoolResourcesHistory.objects.bulk_create(
        [SchoolResourcesHistory(resources=r, version=1, source="demo", changes={}) for r in saved],
        batch_size=500,
    )
    return len(rows)


def reset(office_ids=None) -> None:
    """Delete the monitoring rows (of these offices, or all): evaluations, imports, figures
    (their history goes with them) and the offices' own rule sets."""
    for qs in (Evaluation.objects.unscoped(), SchoolResources.objects.unscoped()):
        if office_ids is not None:
            qs = qs.filter(office__in=office_ids)
        qs.delete()
    qs = RuleSet.objects.filter(office__isnull=False)
    if office_ids is not None:
        qs = qs.filter(office__in=office_ids)
    qs.delete()


# --- adapters for dudao.demo.generator's Step(name, build(ctx), reset(scope)) -----------------


def build_step(ctx) -> None:
    county = ctx.main
    # An own random stream, so adding this step changes nothing in the other steps' data.
    rng = random.Random(ctx.seed * 1009 + 4)  # noqa: S311 (demo data)
    count = build(county.office, county.schools, rng)
    ctx.log(f"monitoring: {count} school-year resource rows")


def reset_step(scope) -> None:
    reset(scope.office_ids)
