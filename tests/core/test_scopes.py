"""Scopes the code cannot forget (dudao/core/scopes.py): a query on a scoped model that has
not chosen a scope fails loudly; `visible_to(user)` equals the scoping rule; app code never
reaches for the unscoped managers."""

import ast
import datetime
from pathlib import Path

import pytest
from django.http import Http404
from django.utils import timezone

from dudao.accounts import scoping
from dudao.core.scopes import ScopedManager, ScopeNotChosen, scoped_models
from dudao.monitoring.models import Evaluation, MonthlyReturn
from dudao.rectification.models import Finding
from dudao.schools.models import School
from dudao.visits.models import FocusPoint
from tests.factories_supervision import FindingFactory

DUDAO = Path(__file__).resolve().parents[2] / "dudao"

# Every model that belongs to an office, a zone, a school or a person.
MUST_BE_SCOPED = {
    "api.ApiToken",
    "webhooks.Robot",
    "webhooks.Delivery",
    "schools.School",
    "inspectors.Inspector",
    "inspectors.Zone",
    "inspectors.Assignment",
    "inspectors.Conflict",
    "inspectors.Term",
    "inspectors.Certificate",
    "training.Session",
    "training.Attendance",
    "visits.Visit",
    "rectification.Finding",
    "rectification.Notice",
    "rectification.AccountabilityCase",
    "audit.AuditEntry",
    "imports.ImportJob",
    "monitoring.SchoolResources",
    "signboards.SignboardBatch",
    "notifications.Notification",
    "visits.FocusPoint",
    "monitoring.Evaluation",
    "monitoring.MonthlyReturn",
    "reports.MonthlyReportText",
    "summaries.SummaryText",
    "reports.ExportJob",
    "checklists.ChecklistTemplate",
    "campaigns.Campaign",
    "campaigns.CampaignTarget",
    "returns.PeriodicReturn",
    "returns.ReturnPeriod",
    "returns.ReturnSubmission",
    "organisations.GovernmentUnit",
    "evaluations.Framework",
    "evaluations.Round",
    "evaluations.RoundTarget",
    "bulletins.Bulletin",
    "bulletins.BulletinRecipient",
    "bulletins.BulletinRead",
    "complaints.Complaint",
    "surveys.Questionnaire",
    "surveys.Survey",
    "surveys.SurveySchool",
    "surveys.Response",
    "surveys.Answer",
    "rollup.OfficeMonth",
    "rollup.SchoolMonth",
}


def test_the_models_that_belong_to_someone_are_scoped():
    labels = {model._meta.label for model in scoped_models()}
    assert labels >= MUST_BE_SCOPED
    for model in scoped_models():
        assert model._default_manager.name == "all_objects", model
        assert isinstance(model.objects, ScopedManager)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "run",
    [
        list,
        len,
        bool,
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: qs.get(pk=1),
        lambda qs: qs.values_list("pk", flat=True)[:1].get(),
        lambda qs: qs.aggregate(n=__import__("django.db.models").db.models.Count("pk")),
        lambda qs: qs.update(description="x"),
        lambda qs: qs.delete(),
        lambda qs: list(qs.iterator()),
        lambda qs: qs.in_bulk([1]),
    ],
)
def test_a_forgotten_scope_fails_loudly(world, run):
    FindingFactory(school=world.school)
    with pytest.raises(ScopeNotChosen, match="without a scope"):
        run(Finding.objects.filter(school=world.school))
    assert Finding.objects.unscoped().count() == 1  # nothing was changed


@pytest.mark.django_db
def test_building_a_query_is_free_and_subqueries_run_in_their_outer_scope(world):
    inner = School.objects.filter(zone=world.zone)  # not run: no error
    FindingFactory(school=world.school)
    outer = Finding.objects.visible_to(world.admin).filter(school__in=inner)
    assert outer.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["admin", "zone_leader", "inspector", "school", "viewer", "other_admin"]
)
def test_visible_to_is_the_scoping_rule(world, persona):
    user = world.personas()[persona]
    FindingFactory(school=world.school)
    FindingFactory(school=world.far_school)
    FindingFactory(school=world.foreign_school)
    assert set(Finding.objects.visible_to(user)) == set(scoping.findings_for(user))
    assert set(School.objects.visible_to(user)) == set(scoping.schools_for(user))


def monitoring_rows(office):
    """One recorded evaluation and one monthly return of `office`."""
    evaluation = Evaluation.objects.create(
        office=office,
        year=2025,
        ruleset_name="basic-2012",
        ruleset_version="1",
        ruleset_data={},
        result={},
    )
    monthly = MonthlyReturn.objects.create(
        office=office,
        month=datetime.date(2026, 10, 1),
        year=2025,
        figures={},
        taken_at=timezone.now(),
    )
    return evaluation, monthly


@pytest.mark.django_db
def test_monitoring_results_and_returns_are_scoped_to_the_office_and_its_viewers(world):
    """Recorded results and the monthly returns to the city: the office admin its office's, a
    viewer those under its city, nobody else; a query without a scope fails."""
    mine = monitoring_rows(world.office)
    theirs = monitoring_rows(world.other_office)
    expected = {
        "admin": mine,
        "viewer": mine,
        "other_admin": theirs,
        "zone_leader": (),
        "inspector": (),
        "school": (),
    }
    for persona, rows in expected.items():
        user = world.personas()[persona]
        for model in (Evaluation, MonthlyReturn):
            wanted = {row for row in rows if isinstance(row, model)}
            assert set(model.objects.visible_to(user)) == wanted, (persona, model)
    assert set(scoping.evaluations_for(world.admin)) == {mine[0]}
    assert set(scoping.monthly_returns_for(world.viewer)) == {mine[1]}
    assert scoping.get_monthly_return_for(world.admin, mine[1].pk) == mine[1]
    with pytest.raises(Http404):
        scoping.get_evaluation_for(world.admin, theirs[0].pk)
    for model in (Evaluation, MonthlyReturn, FocusPoint):
        with pytest.raises(ScopeNotChosen):
            model.objects.filter(office=world.office).exists()


ALLOWED = {"core/scopes.py", "accounts/scoping.py"}
UNSCOPED_MANAGERS = {"all_objects", "_default_manager", "_base_manager"}


def test_app_code_never_names_the_unscoped_managers():
    offenders = []
    for path in sorted(DUDAO.rglob("*.py")):
        relative = path.relative_to(DUDAO).as_posix()
        if "/migrations/" in relative or relative in ALLOWED or relative.endswith("admin.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in UNSCOPED_MANAGERS:
                offenders.append(f"{relative}:{node.lineno} .{node.attr}")
    assert not offenders, "\n".join(offenders)
