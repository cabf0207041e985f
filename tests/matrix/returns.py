"""Periodic returns (报送): the office admin runs its county's returns; zone leaders,
inspectors, viewers (and the superuser) read those of the schools they see; a school fills in
its own reports only (another school's answers 404), and reads no office page (403)."""

from .common import ADMIN_ONLY, AS_GET, POST_ONLY_ADMIN, everyone, only, writes

READ_A = everyone(200) | {"school": 403, "other_admin": 404}
ADMIN_A = only({"admin": 200, "other_admin": 404})
ACTION_A = only({"admin": writes(302), "other_admin": 404})


def _checklist():
    from dudao.checklists.models import ChecklistTemplate
    from tests.returns.conftest import make_checklist

    found = ChecklistTemplate.all_objects.filter(key="sj-half", office=None).first()
    return found or make_checklist()


def _return(w, *, active=True, foreign=False):
    from dudao.returns import services

    key = ("foreign" if foreign else "a") + ("-active" if active else "-draft")
    cache = w.__dict__.setdefault("_returns", {})
    if key not in cache:
        admin = w.other_admin if foreign else w.admin
        item = services.create_return(
            admin,
            w.other_office if foreign else w.office,
            title="“双减”工作半月报",
            checklist=_checklist(),
            starts_on=_today().replace(day=1),
            schools=[w.foreign_school] if foreign else [w.school, w.zone_school, w.far_school],
        )
        if active:
            item = services.activate_return(admin, item)
        cache[key] = item
    return cache[key]


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _period(w, foreign=False):
    from dudao.returns.models import ReturnPeriod

    return (
        ReturnPeriod.objects.unscoped()
        .filter(periodic_return=_return(w, foreign=foreign), opens_on__lte=_today())
        .order_by("-due_on")
        .first()
    )


def _submission(w, school, foreign=False):
    from dudao.returns.models import ReturnSubmission

    return ReturnSubmission.objects.unscoped().get(period=_period(w, foreign), school=school)


def active(w):
    return [_return(w).pk]


def draft(w):
    return [_return(w, active=False).pk]


def period(w):
    return [_period(w).pk]


def own_submission(w):
    return [_submission(w, w.school).pk]


MATRIX = {
    "returns:list": (None, everyone(200) | {"school": 403}, AS_GET),
    # an empty form is re-rendered with its errors
    "returns:create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "returns:mine": (None, only({"school": 200, "superuser": 200}), AS_GET),
    "returns:detail": (active, READ_A, AS_GET),
    # an empty form is re-rendered with its errors
    "returns:edit": (active, ADMIN_A, ADMIN_A),
    "returns:activate": (draft, POST_ONLY_ADMIN, ACTION_A),
    "returns:close": (active, POST_ONLY_ADMIN, ACTION_A),
    "returns:figures": (active, READ_A, AS_GET),
    "returns:figures_xlsx": (active, READ_A, AS_GET),
    "returns:period": (period, READ_A, AS_GET),
    "returns:period_xlsx": (period, READ_A, AS_GET),
    # reminds the schools that have not reported (notifications, counts, history)
    "returns:period_remind": (period, POST_ONLY_ADMIN, ACTION_A),
    # read by everyone who sees the school; a POST is the school's alone (an empty one is
    # sent back with a message and writes nothing)
    "returns:submission": (
        own_submission,
        everyone(200) | {"other_admin": 404},
        everyone(403) | {"anon": 302, "school": 200, "other_admin": 404},
    ),
}

OUT_OF_SCOPE = [
    # another school's report: not found for a school, and for an inspector not assigned
    ("returns:submission", lambda w: [_submission(w, w.zone_school).pk], ["school"]),
    ("returns:submission", lambda w: [_submission(w, w.far_school).pk], ["inspector"]),
    # the other county's return, period and report
    (
        "returns:detail",
        lambda w: [_return(w, foreign=True).pk],
        ["admin", "zone_leader", "inspector", "viewer"],
    ),
    ("returns:period", lambda w: [_period(w, foreign=True).pk], ["admin", "inspector"]),
    ("returns:period_xlsx", lambda w: [_period(w, foreign=True).pk], ["admin"]),
    ("returns:figures_xlsx", lambda w: [_return(w, foreign=True).pk], ["admin"]),
    (
        "returns:submission",
        lambda w: [_submission(w, w.foreign_school, foreign=True).pk],
        ["admin", "school", "inspector"],
    ),
]

# Office-admin-only writes on county A's objects: every other role's POST is refused.
WRITES = {
    "returns:edit": active,
    "returns:activate": draft,
    "returns:close": active,
    "returns:period_remind": period,
}

__all__ = ["MATRIX", "OUT_OF_SCOPE", "WRITES"]
