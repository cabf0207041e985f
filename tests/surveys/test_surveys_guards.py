"""Only the office admin of the questionnaire's or the survey's office writes it
(dudao/core/guards.py): every other role, the other county, the superuser and (for a person's
writes) the platform are refused, and nothing is written. The platform closes surveys (the
daily job) and publishes built-ins, nothing else of a person's."""

import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from dudao.core.errors import NotPermitted
from dudao.core.guards import SYSTEM
from dudao.surveys import questionnaire_services as qs
from dudao.surveys import services, shipped
from dudao.surveys.models import Questionnaire

from .helpers import make_questionnaire, make_survey

OTHERS = ["zone_leader", "inspector", "school", "viewer", "superuser"]
# What a survey service could write: its own app's tables, the audit log, one-time keys.
TABLES = [
    *apps.get_app_config("surveys").get_models(),
    apps.get_model("audit", "AuditEntry"),
    apps.get_model("core", "RequestKey"),
]


def state() -> dict:
    return {m._meta.label: list(m._base_manager.order_by("pk").values_list()) for m in TABLES}


def assert_refused(call, actor):
    """`call(actor)` raises NotPermitted and leaves every table it could write as it was
    (tests/core/test_guards.assert_refused, over the tables a survey service touches)."""
    before = state()
    with pytest.raises(NotPermitted):
        call(actor)
    assert state() == before


@pytest.fixture
def objects(world):
    shipped.ensure_builtin_questionnaires()
    builtin = Questionnaire.objects.unscoped().get(office__isnull=True, key=shipped.YOUZHI_PARENTS)
    published = make_questionnaire(world.admin)
    draft = make_questionnaire(world.admin, publish=False, title="草稿问卷")
    survey_draft = make_survey(world, published, open_it=False)
    survey_open = make_survey(world, published)
    return {
        "builtin": builtin,
        "published": published,
        "draft": draft,
        "section": draft.sections.first(),
        "question": draft.questions.first(),
        "survey_draft": survey_draft,
        "survey_open": survey_open,
    }


def calls(world, o):
    today = timezone.localdate()
    survey_values = {
        "questionnaire": o["published"],
        "title": "x",
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=3),
        "school_rule": "all",
    }
    return {
        "create_questionnaire": lambda a: qs.create_questionnaire(a, title="x"),
        "update_questionnaire": lambda a: qs.update_questionnaire(
            a, o["draft"], expected_version=None, title="x", audience="parents"
        ),
        "copy_own": lambda a: qs.copy_questionnaire(a, o["published"]),
        "copy_builtin": lambda a: qs.copy_questionnaire(a, o["builtin"]),
        "new_revision": lambda a: qs.new_revision(a, o["published"]),
        "delete_draft": lambda a: qs.delete_draft(a, o["draft"]),
        "publish": lambda a: qs.publish(a, o["draft"]),
        "retire": lambda a: qs.retire(a, o["published"]),
        "add_section": lambda a: qs.add_section(a, o["draft"], title="x"),
        "update_section": lambda a: qs.update_section(a, o["section"], title="x"),
        "delete_section": lambda a: qs.delete_section(a, o["section"]),
        "move_section": lambda a: qs.move_section(a, o["section"], up=False),
        "add_question": lambda a: qs.add_question(a, o["section"], text="x", type="text"),
        "update_question": lambda a: qs.update_question(a, o["question"], text="x", type="text"),
        "delete_question": lambda a: qs.delete_question(a, o["question"]),
        "move_question": lambda a: qs.move_question(a, o["question"], up=False),
        "create_survey": lambda a: services.create_survey(a, **survey_values),
        "update_survey": lambda a: services.update_survey(
            a, o["survey_draft"], expected_version=None, **survey_values
        ),
        "delete_survey": lambda a: services.delete_survey(a, o["survey_draft"]),
        "open_survey": lambda a: services.open_survey(a, o["survey_draft"]),
        "close_survey": lambda a: services.close_survey(a, o["survey_open"]),
    }


SERVICES = list(calls(None, dict.fromkeys(("published", "draft"))))
# Writes on county A's own objects: the other county's admin is refused too.
OWN = [s for s in SERVICES if s not in ("create_questionnaire", "copy_builtin", "create_survey")]


PLATFORM_REFUSED = {
    "create_questionnaire",
    "copy_own",
    "copy_builtin",
    "new_revision",
    "create_survey",
    "open_survey",
}


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_office_admin_writes(world, objects, service):
    """Every other role, the other county (for county A's objects) and, for a person's
    writes, the platform: refused, nothing written (one set of objects per service)."""
    call = calls(world, objects)[service]
    refused = [world.personas()[p] for p in OTHERS]
    if service in OWN:
        refused.append(world.other_admin)
    if service in PLATFORM_REFUSED:
        refused.append(SYSTEM)
    for actor in refused:
        assert_refused(call, actor)


def test_the_other_county_copies_builtins(world, objects):
    copy = qs.copy_questionnaire(world.other_admin, objects["builtin"])
    assert copy.office_id == world.other_office.pk


def test_the_other_county_cannot_run_our_questionnaire(world, objects):
    today = timezone.localdate()
    with pytest.raises(Exception, match=r"questionnaire of your office|本督导室的问卷"):
        services.create_survey(
            world.other_admin,
            questionnaire=objects["published"],
            title="x",
            opens_on=today,
            closes_on=today,
        )


def test_the_platform_closes_surveys(world, objects):
    survey = services.close_survey(SYSTEM, objects["survey_open"])
    assert survey.status == "closed"
