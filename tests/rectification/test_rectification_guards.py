"""Findings and accountability cases check the acting user: plain role and office checks
through the guards (dudao/core/guards.py), status changes through the workflow engine's role
rules. A refused actor gets NotPermitted and nothing changes; the superuser acts through no
service."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dudao.core.guards import SYSTEM
from dudao.rectification import services
from dudao.rectification.models import AccountabilityCase, Finding
from tests.core.test_guards import assert_refused

from .conftest import in_a_week

STRANGERS = ["other_admin", "zone_leader", "school", "viewer", "superuser"]


def record(world, **kwargs):
    """Record a finding about the world's school without a visit."""
    fields = {
        "school": world.school,
        "area": 2,
        "description": "违规收费",
        "deadline_kind": "by_date",
        "deadline": in_a_week(),
    }
    fields.update(kwargs)
    return lambda actor: services.create_finding(actor, **fields)


@pytest.mark.parametrize("persona", STRANGERS)
def test_a_finding_is_recorded_by_the_schools_inspector_or_the_office(world, persona):
    assert_refused(record(world), world.personas()[persona])


@pytest.mark.parametrize("persona", STRANGERS)
def test_a_finding_of_a_visit_is_recorded_by_its_inspector_or_the_office(world, visit, persona):
    assert_refused(record(world, visit=visit), world.personas()[persona])


@pytest.mark.parametrize("persona", ["admin", "inspector"])
def test_recorders(world, visit, persona):
    assert record(world)(world.personas()[persona]).office == world.office
    assert record(world, visit=visit)(world.personas()[persona]).visit == visit


def test_the_system_records_no_finding(world):
    assert_refused(record(world), SYSTEM)


# ---- changes outside the transition table: the workflow's role rules -----------------------------


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("现场.png", out.getvalue(), content_type="image/png")


def edit_calls(finding):
    def version():
        return Finding.all_objects.get(pk=finding.pk).version

    return {
        "change_deadline": lambda actor: services.change_deadline(
            actor, finding, expected_version=version(), deadline=in_a_week()
        ),
        "set_severity": lambda actor: services.set_severity(
            actor, finding, expected_version=version(), severity="key"
        ),
        "add_finding_file": lambda actor: services.add_finding_file(actor, finding, png()),
    }


@pytest.mark.parametrize("service", ["change_deadline", "set_severity", "add_finding_file"])
@pytest.mark.parametrize("persona", STRANGERS)
def test_edits_are_refused_to_strangers(world, finding, service, persona):
    assert_refused(edit_calls(finding)[service], world.personas()[persona])


@pytest.mark.parametrize("service", ["change_deadline", "set_severity", "add_finding_file"])
def test_edits_by_the_office_admin(world, finding, service):
    assert edit_calls(finding)[service](world.admin) is not None


@pytest.mark.parametrize("persona", ["inspector", "school"])
def test_only_the_office_regrades(world, finding, persona):
    assert_refused(edit_calls(finding)["set_severity"], world.personas()[persona])


# ---- transitions: a sample through the engine, the whole table in test_transition_table ----------


@pytest.mark.parametrize("persona", [*STRANGERS, "school"])
def test_a_transition_by_a_stranger_changes_nothing(world, finding, persona):
    assert_refused(
        lambda actor: services.withdraw(
            actor, finding, expected_version=finding.version, note="误录"
        ),
        world.personas()[persona],
    )


def test_the_system_takes_no_transition(world, finding):
    assert_refused(
        lambda actor: services.withdraw(
            actor, finding, expected_version=finding.version, note="误录"
        ),
        SYSTEM,
    )


# ---- accountability cases: the office admin of the case's office ---------------------------------


@pytest.fixture
def case(world, finding):
    return services.open_accountability_case(
        world.admin,
        office=world.office,
        finding=finding,
        target_kind="unit",
        target_name="湖滨小学",
        measures=["admonitory_talk"],
    )


def case_calls(world, finding, case):
    return {
        "open_accountability_case": lambda actor: services.open_accountability_case(
            actor,
            office=world.office,
            finding=finding,
            target_kind="individual",
            target_name="张某",
        ),
        "update_accountability_case": lambda actor: services.update_accountability_case(
            actor, case, notes="补充"
        ),
        "close_accountability_case": lambda actor: services.close_accountability_case(
            actor, case, notes="结案"
        ),
    }


CASES = ["open_accountability_case", "update_accountability_case", "close_accountability_case"]


@pytest.mark.parametrize("service", CASES)
@pytest.mark.parametrize("persona", [*STRANGERS, "inspector"])
def test_only_the_office_admin_handles_cases(world, finding, case, service, persona):
    assert_refused(case_calls(world, finding, case)[service], world.personas()[persona])


@pytest.mark.parametrize("service", CASES)
def test_the_office_admin_handles_cases(world, finding, case, service):
    assert isinstance(case_calls(world, finding, case)[service](world.admin), AccountabilityCase)


@pytest.mark.parametrize("service", CASES)
def test_the_system_handles_no_case(world, finding, case, service):
    assert_refused(case_calls(world, finding, case)[service], SYSTEM)


def test_a_superuser_with_an_office_admin_role_is_still_refused(world, finding):
    """The superuser rule holds in the workflow's role rules too."""
    root = world.superuser
    root.role, root.office = "office_admin", world.office
    root.save()
    assert_refused(
        lambda actor: services.withdraw(
            actor, finding, expected_version=finding.version, note="误录"
        ),
        root,
    )
    assert_refused(record(world), root)
