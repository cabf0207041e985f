"""Dashboard figures: exact values on hand-built data, and every findings figure equal to
the same filter counted in the ledger (`filtered_findings`)."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from dudao.dashboards import figures
from dudao.rectification.ledger import filtered_findings
from dudao.visits.models import SixMinimum
from dudao.visits.queries import schools_not_visited, six_minimums_progress

# Figures are about dates (this month, days since, semesters): every pinned day.
pytestmark = pytest.mark.any_day

ROLES = ["admin", "zone_leader", "inspector", "viewer", "other_admin", "superuser"]


def build(user, office=None, zone=None, today=None):
    today = today or timezone.localdate()
    scope = figures.scope_for(user, office=office, zone=zone)
    return scope, figures.dashboard(scope, today.year, today.month, today)


def test_county_figures_are_exact(figures_world):
    w = figures_world.world
    _scope, data = build(w.admin)
    assert data["level"] == figures.Level.ZONE
    cov = data["coverage"]
    assert (cov["visited"], cov["total"], cov["unvisited_total"]) == (2, 3, 1)
    assert [s["name"] for s in cov["unvisited"]] == ["城东中学"]  # the draft does not count
    groups = {g["id"]: (g["visited"], g["total"]) for g in cov["groups"]}
    assert groups == {w.zone.pk: (2, 2), None: (0, 1)}

    found = data["findings"]
    assert (found["open"], found["overdue"], found["escalated"]) == (4, 2, 1)
    assert [b["count"] for b in found["by_age"]] == [1, 1, 1, 1]
    by_area = {a["area"]: a["count"] for a in found["by_area"]}
    assert by_area == {1: 1, 2: 0, 3: 1, 4: 0, 5: 0, 6: 2, 7: 0, 8: 0}
    # F5 closed 23:00 Beijing on its deadline = on time; F6 closed 00:00 the next day = late,
    # although in UTC both are the deadline's date. F2 and F3, still open after their
    # deadlines (yesterday, 5 days ago), are late too when those days are in this month
    # (docs/rules.md §10); F1, F4 are not due yet, F7 is withdrawn.
    today, first = figures_world.today, figures_world.first
    open_late = sum(1 for n in (1, 5) if today - datetime.timedelta(days=n) >= first)
    month = found["on_time"]["month"]
    assert (month["on_time"], month["due"]) == (1, 2 + open_late)
    assert (month["closed_late"], month["open_late"]) == (1, open_late)
    assert month["rate"] == round(1 / (2 + open_late), 4)

    inspectors = {
        r["name"]: (r["visits"], r["schools"], r["days"]) for r in data["inspectors"]["rows"]
    }
    zhao_days = 1 if today == first else 2
    assert inspectors == {"张督学": (1, 1, 1), "赵督学": (2, 1, zhao_days), "李组长": (0, 0, 0)}

    # Six minimums: 湖滨 all six, 西湖 two (forum twice + class attended), 城东 none this
    # semester unless last month is still in it.
    assert data["six_minimums"]["distribution"][6] == 1
    assert data["six_minimums"]["distribution"][2] == 1
    assert sum(data["six_minimums"]["distribution"]) == 3

    rows = {r["id"]: r for r in data["rows"]}
    assert rows[w.zone.pk]["visits_this_month"] == 3
    assert rows[w.zone.pk]["open"] == 3 and rows[w.zone.pk]["overdue"] == 2
    assert rows[w.zone.pk]["inspectors"] == 2  # 张督学, 赵督学 (the leader has no zone)
    assert rows[None]["open"] == 1 and rows[None]["visits"][-1] == 0
    assert rows[None]["visits"][-2] == 1  # last month's visit to 城东中学


@pytest.mark.parametrize("role", ROLES)
def test_findings_figures_equal_ledger_counts(figures_world, role):
    user = figures_world.world.personas()[role]
    _scope, data = build(user)
    found = data["findings"]

    def ledger(**params):
        return filtered_findings(user, params)[1].count()

    assert found["open"] == ledger(status="active")
    assert found["overdue"] == ledger(status="active", overdue="yes")
    assert found["escalated"] == ledger(status="active", escalated="any")
    for item in found["by_area"]:
        assert item["count"] == ledger(status="active", area=str(item["area"])), item
    for bucket in found["by_age"]:
        assert bucket["count"] == ledger(
            status="active", found_from=bucket["found_from"], found_to=bucket["found_to"]
        ), bucket
    assert sum(b["count"] for b in found["by_age"]) + found["age_unknown"] == found["open"]

    # On-time rate, recounted by hand from the ledger's rows (docs/rules.md §10): due = closed,
    # or still open after the deadline; on time = closed on or before the deadline.
    today = timezone.localdate()
    for period in found["on_time"].values():
        first = datetime.date.fromisoformat(period["from"])
        last = datetime.date.fromisoformat(period["to"])
        rows = [f for f in filtered_findings(user, {})[1] if first <= f.deadline <= last]
        closed = [f for f in rows if f.status == "closed"]
        late_open = [f for f in rows if f.is_active and f.deadline < today]
        on_time = [f for f in closed if timezone.localdate(f.closed_at) <= f.deadline]
        assert (period["due"], period["on_time"], period["open_late"]) == (
            len(closed) + len(late_open),
            len(on_time),
            len(late_open),
        )

    # The breakdown rows never count more than the total.
    assert sum(r["overdue"] for r in data["rows"]) <= found["overdue"]


@pytest.mark.parametrize("role", ["admin", "zone_leader", "viewer", "superuser"])
def test_zone_filtered_figures_equal_ledger_counts(figures_world, role):
    w = figures_world.world
    user = w.personas()[role]
    office = w.office if role in ("viewer", "superuser") else None
    _scope, data = build(user, office=office, zone=w.zone)
    assert data["level"] == figures.Level.SCHOOL
    found = data["findings"]
    zone = str(w.zone.pk)
    assert found["open"] == filtered_findings(user, {"zone": zone, "status": "active"})[1].count()
    assert found["overdue"] == 2
    assert (
        found["overdue"]
        == filtered_findings(user, {"zone": zone, "status": "active", "overdue": "yes"})[1].count()
    )
    for item in found["by_area"]:
        params = {"zone": zone, "status": "active", "area": str(item["area"])}
        assert item["count"] == filtered_findings(user, params)[1].count()
    assert {r["name"] for r in data["rows"]} == {"湖滨小学", "西湖小学"}


@pytest.mark.parametrize("role", ROLES)
def test_coverage_equals_visit_queries(figures_world, role):
    user = figures_world.world.personas()[role]
    scope, data = build(user)
    schools = scope.schools
    assert data["coverage"]["total"] == schools.filter(is_active=True).count()
    assert data["coverage"]["unvisited_total"] == schools_not_visited(schools).count()
    assert {s["id"] for s in data["coverage"]["unvisited"]} == set(
        schools_not_visited(schools).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("role", ["admin", "viewer", "superuser", "other_admin"])
def test_six_minimums_distribution_matches_per_school_progress(figures_world, role):
    """The aggregate path (large scopes) and six_minimums_progress agree."""
    w = figures_world.world
    # A visit listing a minimum twice and one with an unrelated method still count once.
    from tests.dashboards.conftest import visit

    visit(
        w,
        w.far_school,
        figures_world.today,
        w.leader,
        minimums=["forum", "forum", "homework_check"],
    )
    user = w.personas()[role]
    scope, data = build(user)
    progress = six_minimums_progress(scope.schools.filter(is_active=True), figures_world.today)
    expected = Counter(
        sum(1 for k in SixMinimum.values if counts[k]) for counts in progress.values()
    )
    assert data["six_minimums"]["distribution"] == [expected.get(i, 0) for i in range(7)]


def test_zone_leader_rows_are_schools_with_six_minimums(figures_world):
    w = figures_world.world
    _scope, data = build(w.zone_leader)
    rows = {r["name"]: r for r in data["rows"]}
    assert set(rows) == {"湖滨小学", "西湖小学"}
    assert rows["湖滨小学"]["six_done"] == 6 and rows["湖滨小学"]["six_missing"] == []
    assert rows["西湖小学"]["six_done"] == 2 and len(rows["西湖小学"]["six_missing"]) == 4
    assert rows["湖滨小学"]["open"] == 2 and rows["湖滨小学"]["overdue"] == 1
    assert rows["西湖小学"]["visits"][-1] == 2 and rows["西湖小学"]["visited"]
    assert data["inspectors"]["visits"] == 3


def test_inactive_school_is_not_in_coverage(figures_world):
    w = figures_world.world
    w.far_school.is_active = False
    w.far_school.save()
    _scope, data = build(w.admin)
    assert (data["coverage"]["visited"], data["coverage"]["total"]) == (2, 2)
    assert data["coverage"]["unvisited"] == []


def test_past_month(figures_world):
    w = figures_world.world
    last_month = figures_world.first - datetime.timedelta(days=1)
    scope = figures.scope_for(w.admin)
    data = figures.dashboard(scope, last_month.year, last_month.month, figures_world.today)
    assert data["month"] == f"{last_month:%Y-%m}"
    assert data["coverage"]["visited"] == 1  # 城东中学, visited by the leader
    assert {s["name"] for s in data["coverage"]["unvisited"]} == {"湖滨小学", "西湖小学"}


def test_last_months():
    assert figures.last_months(2026, 2, 3) == [(2025, 12), (2026, 1), (2026, 2)]
    assert len(figures.last_months(2026, 11)) == 6
