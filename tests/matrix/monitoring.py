"""Balanced-development monitoring: the office admin does everything for its county; viewers
(and the superuser) read any office in their scope; zone leaders, inspectors and schools get
403."""

from .common import ADMIN_A_ACTION, ADMIN_ONLY, AS_GET, POST_ONLY_ADMIN, everyone, only, writes

READ = only({"admin": 200, "viewer": 200, "superuser": 200, "other_admin": 200})
# a year with data of county A: the other county's admin has none (404)
READ_A = only({"admin": 200, "viewer": 200, "superuser": 200, "other_admin": 404})
EDIT_A = only({"admin": 200, "other_admin": 404})
POST_A = only({"admin": 405, "other_admin": 405})


def seeded(w):
    from dudao.monitoring.models import SchoolResources
    from tests.monitoring.webdata import seed

    if not SchoolResources.all_objects.filter(office=w.office).exists():
        seed(w)
    return w


def national(w, regime="basic"):
    from dudao.monitoring import services

    return services.default_ruleset(w.office, regime)


def office_copy(w):
    """County A's own rule set (made without an audit row, so WRITES can count them)."""
    from dudao.monitoring.models import RuleSet

    base = national(w, "quality")
    copy, _created = RuleSet.objects.get_or_create(
        office=w.office,
        name="zj-2017",
        defaults={
            "title": "浙江",
            "version": "1",
            "regime": "quality",
            "data": {**base.data, "name": "zj-2017", "version": "1"},
            "based_on": base,
        },
    )
    return copy


def national_rules(w):
    """No arguments; the national rule sets are loaded on first use, so load them before the
    matrix takes its fingerprint (a page that loads them is not a write)."""
    national(w)


def year_rules(w):
    return [2025, national(seeded(w)).pk]


def import_job(w):
    from dudao.imports.models import ImportJob

    return ImportJob.all_objects.create(
        office=w.office, kind="resources", params={"year": 2025}, created_by=w.admin
    ).pk


def evaluation(w):
    from dudao.monitoring.models import Evaluation

    ruleset = national(w)
    return Evaluation.objects.create(
        office=w.office,
        year=2025,
        ruleset=ruleset,
        ruleset_name=ruleset.name,
        ruleset_version=ruleset.version,
        ruleset_data=ruleset.data,
        result={},
    ).pk


def monthly_return(w):
    """County A's return for this month, taken by the platform (the month-end job's way)."""
    from dudao.core.guards import SYSTEM
    from dudao.monitoring import services

    item, _outcome = services.take_monthly_return(SYSTEM, seeded(w).office)
    return item.pk


MATRIX = {
    "monitoring:returns": (None, READ, AS_GET),
    "monitoring:return_take": (
        lambda w: seeded(w) and [],
        POST_ONLY_ADMIN,
        only({"admin": writes(302), "other_admin": writes(302)}),
    ),
    "monitoring:return_xlsx": (lambda w: [monthly_return(w)], READ_A, AS_GET),
    "monitoring:index": (national_rules, READ, AS_GET),
    "monitoring:evaluation": (year_rules, READ_A, AS_GET),
    "monitoring:what_if": (year_rules, READ_A, AS_GET),
    "monitoring:export_xlsx": (year_rules, READ_A, AS_GET),
    "monitoring:report_docx": (year_rules, READ_A, AS_GET),
    "monitoring:save_evaluation": (
        year_rules,
        POST_ONLY_ADMIN,
        only({"admin": writes(302), "other_admin": 404}),
    ),
    "monitoring:evaluation_json": (lambda w: [evaluation(w)], READ_A, AS_GET),
    "monitoring:resources": (lambda w: [seeded(w) and 2025], READ, AS_GET),
    "monitoring:resources_edit": (lambda w: [2025, seeded(w).school.pk], EDIT_A, EDIT_A),
    "monitoring:template": (None, ADMIN_ONLY, AS_GET),
    "monitoring:import_upload": (None, ADMIN_ONLY, ADMIN_ONLY),
    "monitoring:import_preview": (lambda w: [import_job(w)], EDIT_A, AS_GET),
    "monitoring:import_confirm": (lambda w: [import_job(w)], POST_A, ADMIN_A_ACTION),
    "monitoring:rulesets": (national_rules, READ, AS_GET),
    "monitoring:ruleset_detail": (lambda w: [office_copy(w).pk], READ_A, AS_GET),
    "monitoring:ruleset_copy": (lambda w: [office_copy(w).pk], POST_A, ADMIN_A_ACTION),
    "monitoring:ruleset_edit": (lambda w: [office_copy(w).pk], EDIT_A, EDIT_A),
}

OUT_OF_SCOPE = [
    # another county's return: not found, whatever the method
    ("monitoring:return_xlsx", lambda w: [monthly_return(w)], ["other_admin"]),
]

# Office-admin-only writes on county A's objects: every other role's POST is refused.
WRITES = {
    "monitoring:save_evaluation": year_rules,
    "monitoring:resources_edit": lambda w: [2025, seeded(w).school.pk],
    "monitoring:import_confirm": lambda w: [import_job(w)],
    "monitoring:ruleset_copy": lambda w: [office_copy(w).pk],
    "monitoring:ruleset_edit": lambda w: [office_copy(w).pk],
}

__all__ = ["MATRIX", "OUT_OF_SCOPE", "WRITES", "everyone"]
