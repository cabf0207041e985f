"""The checks at the school gate (issue 12 §4): `dudao.campaigns.checks` and its workflow."""

import pytest
from django.utils import translation

from dudao.audit.models import AuditEntry
from dudao.campaigns import checks
from dudao.campaigns.models import (
    Answer,
    AnswerEvidence,
    Campaign,
    CampaignTarget,
    CampaignTargetEvent,
)
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted, StaleObject
from dudao.core.guards import SYSTEM
from dudao.rectification.models import Finding

from .conftest import png_upload, set_status

Status = CampaignTarget.Status


def _answer(cw, code, value, note=None):
    given = {"value": value}
    if note is not None:
        given["note"] = note
    return {cw.items[code].pk: given}


def _full_answers(cw, **overrides):
    values = {"1.1": "yes", "1.2": "好", "1.3": "45", "2.1": "有人值守", "2.2": "正常"}
    values.update(overrides)
    return {cw.items[code].pk: {"value": value} for code, value in values.items()}


# --- values per type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "raw", "stored", "compliant"),
    [
        ("1.1", "yes", True, True),
        ("1.1", "否", False, False),
        ("1.1", True, True, True),
        ("1.2", "较好", "较好", True),
        ("1.2", "差", "差", False),
        ("1.3", "45.5", "45.5", True),
        ("1.3", "60", "60", True),
        ("1.3", "75", "75", False),
        ("2.1", "无人值守", "无人值守", False),
        ("2.2", "课后服务开展正常", "课后服务开展正常", None),
        ("1.1", "", None, None),
    ],
)
def test_valid_answers_are_stored_and_assessed(
    world, running_campaign, code, raw, stored, compliant
):
    cw = running_campaign
    target = cw.targets["school"]
    checks.save_answers(world.inspector_user, target, _answer(cw, code, raw))
    answer = Answer.objects.get(target=target, item=cw.items[code])
    assert answer.value == stored
    assert answer.compliant is compliant
    assert answer.answered_by == world.inspector_user


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("1.1", "maybe", "Answer yes or no."),
        ("1.2", "很好", "Choose one of the options."),
        ("2.1", "好", "Choose one of the options."),
        ("1.3", "forty", "Enter a number."),
        ("1.3", "NaN", "Enter a number."),
        ("2.2", "字" * 2001, "Write at most 2000 characters."),
    ],
)
def test_invalid_answers_are_refused_with_their_field(world, running_campaign, code, raw, message):
    cw = running_campaign
    item = cw.items[code]
    with translation.override("en"), pytest.raises(checks.AnswerErrors) as error:
        checks.save_answers(world.inspector_user, cw.targets["school"], _answer(cw, code, raw))
    assert error.value.field == f"item_{item.pk}"
    assert error.value.errors == {f"item_{item.pk}": f"{code}: {message}"}
    assert not Answer.objects.exists()
    assert cw.targets["school"].status == Status.PENDING


def test_every_refused_item_is_reported_at_once(world, running_campaign):
    cw = running_campaign
    answers = _answer(cw, "1.1", "maybe") | _answer(cw, "1.3", "x") | _answer(cw, "1.2", "好")
    with pytest.raises(checks.AnswerErrors) as error:
        checks.save_answers(world.inspector_user, cw.targets["school"], answers)
    assert set(error.value.errors) == {f"item_{cw.items['1.1'].pk}", f"item_{cw.items['1.3'].pk}"}
    assert not Answer.objects.exists()  # the valid one is not kept either


def test_item_of_another_school_type_is_not_asked(world, running_campaign):
    """2.3 applies to junior schools only: refused at a primary school, asked at far_school."""
    cw = running_campaign
    junior_only = cw.items["2.3"]
    with pytest.raises(checks.AnswerErrors) as error:
        checks.save_answers(world.inspector_user, cw.targets["school"], _answer(cw, "2.3", "yes"))
    assert f"item_{junior_only.pk}" in error.value.errors
    assert junior_only not in checks.applicable_items(cw.targets["school"])
    assert junior_only in checks.applicable_items(cw.targets["far_school"])


# --- autosave, then submit -----------------------------------------------------------------


def test_autosave_then_submit(world, running_campaign):
    cw = running_campaign
    target = cw.targets["school"]
    target = checks.save_answers(world.inspector_user, target, _answer(cw, "1.1", "yes"))
    assert target.status == Status.IN_PROGRESS
    version = target.version
    target = checks.save_answers(
        world.inspector_user,
        target,
        _answer(cw, "1.2", "一般", note="作业分层不够"),
        notes="亮点：课后服务丰富",
        expected_version=version,
    )
    assert target.notes == "亮点：课后服务丰富"
    assert Answer.objects.filter(target=target).count() == 2
    with pytest.raises(StaleObject):  # a second phone with the old page
        checks.save_answers(
            world.inspector_user, target, _answer(cw, "1.1", "no"), expected_version=version
        )
    checks.add_evidence(world.inspector_user, target, cw.items["2.1"], png_upload())
    target = checks.submit_target(
        world.inspector_user, target, _full_answers(cw, **{"1.2": "一般"})
    )
    assert target.status == Status.SUBMITTED
    assert target.submitted_by == world.inspector_user
    assert target.submitted_at is not None and target.visited_at is not None
    events = list(
        CampaignTargetEvent.objects.filter(target=target).values_list("action", "to_status")
    )
    assert events == [("start", Status.IN_PROGRESS), ("submit", Status.SUBMITTED)]
    assert Answer.objects.get(target=target, item=cw.items["1.2"]).note == "作业分层不够"
    assert AuditEntry.objects.unscoped().filter(target_type="campaigns.CampaignTarget").exists()


def test_submit_requires_every_item_and_the_evidence(world, running_campaign):
    cw = running_campaign
    target = cw.targets["school"]
    with translation.override("en"), pytest.raises(checks.AnswerErrors) as error:
        checks.submit_target(world.inspector_user, target, _answer(cw, "1.1", "yes"))
    errors = error.value.errors
    assert errors[f"item_{cw.items['2.1'].pk}"] == "2.1: Attach the evidence."
    assert errors[f"item_{cw.items['1.2'].pk}"] == "1.2: Answer this item."
    assert f"item_{cw.items['2.3'].pk}" not in errors  # not a junior school
    assert f"item_{cw.items['1.1'].pk}" not in errors
    target.refresh_from_db()
    assert target.status == Status.PENDING
    assert not Answer.objects.exists()  # the whole submission is rolled back
    # all answered but the evidence of 2.1
    with pytest.raises(checks.AnswerErrors) as error:
        checks.submit_target(world.inspector_user, target, _full_answers(cw))
    assert list(error.value.errors) == [f"item_{cw.items['2.1'].pk}"]


def test_junior_school_must_answer_its_own_item(world, running_campaign):
    cw = running_campaign
    target = cw.targets["far_school"]
    checks.add_evidence(world.inspector_user, target, cw.items["2.1"], png_upload())
    with pytest.raises(checks.AnswerErrors) as error:
        checks.submit_target(world.inspector_user, target, _full_answers(cw))
    assert list(error.value.errors) == [f"item_{cw.items['2.3'].pk}"]
    target = checks.submit_target(world.inspector_user, target, _full_answers(cw, **{"2.3": "no"}))
    assert target.status == Status.SUBMITTED


def test_submitting_again_is_idempotent(world, running_campaign):
    cw = running_campaign
    target = cw.targets["school"]
    checks.add_evidence(world.inspector_user, target, cw.items["2.1"], png_upload())
    first = checks.submit_target(world.inspector_user, target, _full_answers(cw))
    counts = (
        Answer.objects.count(),
        CampaignTargetEvent.objects.count(),
        AuditEntry.objects.unscoped().count(),
    )
    again = checks.submit_target(world.inspector_user, target, _full_answers(cw, **{"1.1": "no"}))
    assert (again.pk, again.version, again.status) == (first.pk, first.version, first.status)
    assert counts == (
        Answer.objects.count(),
        CampaignTargetEvent.objects.count(),
        AuditEntry.objects.unscoped().count(),
    )
    assert Answer.objects.get(target=target, item=cw.items["1.1"]).value is True
    with pytest.raises(DomainError):  # a submitted check is no longer a draft
        checks.save_answers(world.inspector_user, target, _answer(cw, "1.1", "no"))


def test_evidence_is_idempotent_by_content(world, running_campaign):
    cw = running_campaign
    target = cw.targets["school"]
    first = checks.add_evidence(world.inspector_user, target, cw.items["2.1"], png_upload())
    again = checks.add_evidence(
        world.inspector_user, target, cw.items["2.1"], png_upload("再传.png")
    )
    other = checks.add_evidence(
        world.inspector_user, target, cw.items["2.1"], png_upload(color=(1, 2, 3))
    )
    assert first.pk == again.pk != other.pk
    assert AnswerEvidence.objects.count() == 2
    target.refresh_from_db()
    assert target.status == Status.IN_PROGRESS


def test_evidence_refuses_a_bad_file(world, running_campaign):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cw = running_campaign
    with pytest.raises(DomainError):
        checks.add_evidence(
            world.inspector_user,
            cw.targets["school"],
            cw.items["2.1"],
            SimpleUploadedFile("x.png", b"#!/bin/sh\n", content_type="image/png"),
        )
    assert not AnswerEvidence.objects.exists()


def test_mark_visited_keeps_the_first_time(world, running_campaign):
    target = running_campaign.targets["school"]
    first = checks.mark_visited(world.inspector_user, target).visited_at
    assert first is not None
    assert checks.mark_visited(world.inspector_user, target).visited_at == first


# --- who and when ----------------------------------------------------------------------------


def test_only_the_team_or_the_office(world, running_campaign, other_inspector_user):
    cw = running_campaign
    target = cw.targets["school"]  # team 1: inspector
    for actor in (
        other_inspector_user,  # team 2
        world.zone_leader,  # the zone's leader, on no team
        world.school_user,
        world.viewer,
        world.other_admin,
        world.superuser,
        SYSTEM,
    ):
        with pytest.raises(NotPermitted):
            checks.save_answers(actor, target, _answer(cw, "1.1", "yes"))
        with pytest.raises(NotPermitted):
            checks.submit_target(actor, target)
    assert not Answer.objects.exists()
    target.refresh_from_db()
    assert target.status == Status.PENDING
    # the office admin checks any school of the campaign; team 2 its own
    checks.save_answers(world.admin, target, _answer(cw, "1.1", "yes"))
    checks.save_answers(other_inspector_user, cw.targets["zone_school"], _answer(cw, "1.1", "no"))
    assert Answer.objects.count() == 2


@pytest.mark.parametrize(
    "status", [Campaign.Status.DRAFT, Campaign.Status.CLOSED, Campaign.Status.PUBLISHED]
)
def test_not_outside_the_running_campaign(world, running_campaign, status):
    cw = running_campaign
    set_status(cw.campaign, status)
    target = cw.targets["school"]
    with pytest.raises(IllegalTransition):
        checks.save_answers(world.inspector_user, target, _answer(cw, "1.1", "yes"))
    with pytest.raises(IllegalTransition):
        checks.add_evidence(world.inspector_user, target, cw.items["2.1"], png_upload())
    with pytest.raises(IllegalTransition):
        checks.submit_target(world.inspector_user, target)
    assert not Answer.objects.exists()
    assert not AnswerEvidence.objects.exists()


# --- findings in one tap ---------------------------------------------------------------------


def test_raise_finding_from_a_non_compliant_answer(world, running_campaign):
    cw = running_campaign
    target = cw.targets["school"]
    checks.save_answers(
        world.inspector_user, target, _answer(cw, "2.1", "无人值守", note="上午9点门卫不在岗")
    )
    answer = Answer.objects.get(target=target, item=cw.items["2.1"])
    finding = checks.raise_finding(world.inspector_user, answer)
    assert finding.school == world.school
    assert finding.area == 6  # the item's supervision item
    assert "双减专项督导" in finding.description
    assert "门卫值守情况" in finding.description
    assert "无人值守" in finding.description
    assert "上午9点门卫不在岗" in finding.description
    assert finding.deadline_kind == Finding.DeadlineKind.BY_DATE
    answer.refresh_from_db()
    assert answer.finding == finding
    again = checks.raise_finding(world.inspector_user, answer)
    assert again.pk == finding.pk
    assert Finding.objects.unscoped().count() == 1


def test_no_finding_from_a_compliant_or_unassessed_answer(world, running_campaign):
    cw = running_campaign
    target = cw.targets["school"]
    checks.save_answers(
        world.inspector_user, target, _answer(cw, "1.1", "yes") | _answer(cw, "2.2", "正常")
    )
    for code in ("1.1", "2.2"):
        answer = Answer.objects.get(target=target, item=cw.items[code])
        with pytest.raises(DomainError):
            checks.raise_finding(world.inspector_user, answer)
    assert not Finding.objects.unscoped().exists()


def test_finding_refused_to_other_teams(world, running_campaign, other_inspector_user):
    cw = running_campaign
    target = cw.targets["school"]
    checks.save_answers(world.inspector_user, target, _answer(cw, "1.1", "no"))
    answer = Answer.objects.get(target=target, item=cw.items["1.1"])
    for actor in (other_inspector_user, world.other_admin, world.school_user, world.superuser):
        with pytest.raises(NotPermitted):
            checks.raise_finding(actor, answer)
    assert not Finding.objects.unscoped().exists()
    # the office raises it, also once the campaign is closed
    set_status(cw.campaign, Campaign.Status.CLOSED)
    assert checks.raise_finding(world.admin, answer).area == 4


def test_finding_area_fits_the_school_type(running_campaign):
    """Schools' findings take the eight items, kindergartens' the kindergarten areas (9–13)."""
    item = running_campaign.items["1.1"]
    item.supervision_item = 10  # 安全卫生, a kindergarten area
    assert checks.finding_area(item, "primary") == checks.DEFAULT_AREA
    assert checks.finding_area(item, "kindergarten") == 10
    item.supervision_item = 4
    assert checks.finding_area(item, "primary") == 4
    assert checks.finding_area(item, "kindergarten") == 9
    item.supervision_item = None
    assert checks.finding_area(item, "primary") == checks.DEFAULT_AREA
    assert checks.finding_area(item, "kindergarten") == 9


def test_team_member_who_is_not_the_responsible_inspector_raises_a_finding(world, running_campaign):
    """far_school is on team 1 (inspector) but assigned to nobody."""
    cw = running_campaign
    target = cw.targets["far_school"]
    checks.save_answers(world.inspector_user, target, _answer(cw, "1.1", "no"))
    answer = Answer.objects.get(target=target, item=cw.items["1.1"])
    assert checks.raise_finding(world.inspector_user, answer).school == world.far_school
