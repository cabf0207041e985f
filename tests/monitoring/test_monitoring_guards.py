"""Monitoring's write services check the acting user (dudao/core/guards.py): the office admin
copies and edits its rule sets, saves its schools' figures, imports and records evaluations;
everyone else (the superuser and viewers, who read monitoring, too) gets NotPermitted and
nothing changes."""

import io

import pytest

from dudao.core.guards import SYSTEM
from dudao.imports.models import ImportJob
from dudao.monitoring import services
from dudao.monitoring.models import RuleSet
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused

from .webdata import figures, record, seed, xlsx

SERVICES = [
    "copy_ruleset",
    "update_ruleset",
    "save_resources",
    "import_preview",
    "import_confirm",
    "record_evaluation",
]


@pytest.fixture
def setup(world, tmp_path):
    seed(world)
    national = services.default_ruleset(world.office, "quality")
    own = services.copy_ruleset(world.admin, national, name="zj-2017")
    content, name = xlsx([record(world.school)], tmp_path)
    job = services.import_preview(world.admin, 2026, io.BytesIO(content), name)
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    return {"national": national, "own": own, "file": (content, name), "job": job}


def _calls(world, setup):
    content, name = setup["file"]
    own = setup["own"]
    return {
        "copy_ruleset": lambda actor: services.copy_ruleset(
            actor, setup["national"], name="another"
        ),
        "update_ruleset": lambda actor: services.update_ruleset(
            actor, own, dict(own.data, weighted_cv=False), expected_version=own.version
        ),
        "save_resources": lambda actor: services.save_resources(
            actor, world.school, 2027, figures()
        ),
        "import_preview": lambda actor: services.import_preview(
            actor, 2026, io.BytesIO(content), name
        ),
        "import_confirm": lambda actor: services.import_confirm(actor, setup["job"]),
        "record_evaluation": lambda actor: services.record_evaluation(
            actor, world.office, 2025, own
        ),
    }


# Copying a rule set and uploading figures act for the actor's own office: another county's
# admin does that in its own county (below).
OWN_OFFICE = {"copy_ruleset", "import_preview"}
REFUSED = [
    (service, persona)
    for service in SERVICES
    for persona in NOT_THE_ADMIN
    if not (persona == "other_admin" and service in OWN_OFFICE)
]


@pytest.mark.parametrize(("service", "persona"), REFUSED)
def test_only_the_office_admin(world, setup, service, persona):
    assert_refused(_calls(world, setup)[service], world.personas()[persona])


def test_another_countys_admin_copies_and_uploads_for_its_own_county(world, setup):
    calls = _calls(world, setup)
    assert calls["copy_ruleset"](world.other_admin).office == world.other_office
    assert calls["import_preview"](world.other_admin).office == world.other_office


@pytest.mark.parametrize("service", SERVICES)
def test_the_office_admin_succeeds(world, setup, service):
    assert _calls(world, setup)[service](world.admin) is not None


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "update_ruleset"])
def test_the_system_does_not_act_in_monitoring(world, setup, service):
    """These writes record a person (created_by, updated_by, the import's confirmer) or act
    for the actor's own office: the system actor has neither."""
    assert_refused(_calls(world, setup)[service], SYSTEM)


def test_the_system_may_edit_an_offices_rule_set(world, setup):
    """As an office admin of every office (dudao/core/guards.py)."""
    assert _calls(world, setup)["update_ruleset"](SYSTEM).version == "2"


def test_another_offices_rule_set_cannot_be_copied(world, setup):
    services.ensure_national_rulesets()
    assert_refused(
        lambda actor: services.copy_ruleset(actor, setup["own"], name="theirs"), world.other_admin
    )
    assert not RuleSet.objects.filter(name="theirs").exists()


def test_another_offices_evaluation_cannot_be_recorded_with_an_own_rule_set(world, setup):
    assert_refused(
        lambda actor: services.record_evaluation(actor, world.other_office, 2025, setup["own"]),
        world.other_admin,
    )
