"""A school's answers: validated per item type, complete before reporting, idempotent by the
form's key, revisable until the end of the due date."""

import datetime
import uuid

import pytest

from dudao.checklists.models import AnswerType, ChecklistItem
from dudao.core.errors import DomainError, StaleObject
from dudao.returns import services
from dudao.returns.models import ReturnAnswer, ReturnSubmission, SubmissionEvent
from tests.clock import SHANGHAI

from .conftest import answers, new_return

pytestmark = pytest.mark.django_db
S = ReturnSubmission.Status


@pytest.fixture
def submission(world, checklist, today):
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    return ReturnSubmission.objects.unscoped().get(
        period__periodic_return=item, school=world.school
    )


@pytest.mark.parametrize(
    ("code", "raw", "value"),
    [
        ("1", "45", 45),
        ("1", " 1,200 ", 1200),
        ("1", "37.5", 37.5),
        ("1", 12, 12),
        ("1", "", None),
        ("2", "yes", True),
        ("2", "no", False),
        ("2", True, True),
        ("2", "否", False),
        ("3", "较好", "较好"),
        ("4", "  按时公示  ", "按时公示"),
    ],
)
def test_clean_answer_per_type(items, code, raw, value):
    assert services.clean_answer(items[code], raw) == value


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        ("1", "forty"),
        ("1", "NaN"),
        ("1", "Infinity"),
        ("1", "1e20"),
        ("2", "maybe"),
        ("3", "优秀"),
        ("4", "字" * 2001),
    ],
)
def test_bad_answers_are_refused_on_their_field(items, code, raw):
    with pytest.raises(DomainError) as refused:
        services.clean_answer(items[code], raw)
    assert refused.value.field == f"item-{items[code].pk}"


def test_compliance_is_assessed_per_item(world, items, submission):
    services.submit(world.school_user, submission, answers(items, minutes=75, service="差"))
    stored = {a.item.code: a for a in ReturnAnswer.objects.filter(submission=submission)}
    assert stored["1"].value == 75 and stored["1"].compliant is False
    assert stored["2"].value is True and stored["2"].compliant is True
    assert stored["3"].compliant is False
    assert "4" not in stored  # an empty free text is not stored


def test_a_report_needs_every_required_answer(world, items, submission):
    with pytest.raises(services.AnswersInvalid) as refused:
        services.submit(world.school_user, submission, {items["1"].pk: "30"})
    assert set(refused.value.errors) == {f"item-{items['2'].pk}", f"item-{items['3'].pk}"}
    submission.refresh_from_db()
    assert submission.status == S.PENDING
    assert not ReturnAnswer.objects.filter(submission=submission).exists()


def test_a_draft_may_be_partial_and_every_error_is_given_at_once(world, items, submission):
    draft = services.save_draft(world.school_user, submission, {items["1"].pk: "30"})
    assert draft.status == S.DRAFT
    with pytest.raises(services.AnswersInvalid) as refused:
        services.save_draft(world.school_user, draft, {items["1"].pk: "x", items["3"].pk: "优秀"})
    assert len(refused.value.errors) == 2


def test_items_for_other_school_types_are_not_asked(world, checklist, items, submission):
    item = items["3"]
    ChecklistItem.objects.filter(pk=item.pk).update(school_types=["junior"])
    given = answers(items)
    del given[item.pk]
    reported = services.submit(world.school_user, submission, given)  # a primary school
    assert reported.status == S.SUBMITTED


def test_a_repeated_form_finds_the_same_report(world, items, submission):
    key = submission.client_uuid
    first = services.submit(world.school_user, submission, answers(items), client_uuid=key)
    assert first.client_uuid != key  # the key turns after every save
    again = services.submit(world.school_user, first, answers(items, minutes=10), client_uuid=key)
    assert again.version == first.version
    assert ReturnAnswer.objects.get(submission=submission, item=items["1"]).value == 45
    assert SubmissionEvent.objects.filter(submission=submission, action="submit").count() == 1


def test_an_old_draft_form_is_stale(world, items, submission):
    key = submission.client_uuid
    services.save_draft(world.school_user, submission, {items["1"].pk: 1}, client_uuid=key)
    with pytest.raises(StaleObject):
        services.save_draft(world.school_user, submission, {items["1"].pk: 2}, client_uuid=key)
    with pytest.raises(StaleObject):
        services.save_draft(
            world.school_user, submission, {items["1"].pk: 2}, client_uuid=uuid.uuid4()
        )


def test_a_report_is_revised_until_the_end_of_its_due_date(world, items, submission, clock):
    reported = services.submit(world.school_user, submission, answers(items))
    first_at = reported.submitted_at
    revised = services.submit(world.school_user, reported, answers(items, minutes=20))
    assert revised.submitted_at == first_at and not revised.is_late
    assert ReturnAnswer.objects.get(submission=submission, item=items["1"]).value == 20
    assert SubmissionEvent.objects.filter(submission=submission, action="revise").count() == 1
    due = submission.period.due_on
    clock.move_to(
        datetime.datetime.combine(
            due + datetime.timedelta(days=1), datetime.time(0, 5), tzinfo=SHANGHAI
        )
    )
    with pytest.raises(DomainError):
        services.submit(world.school_user, revised, answers(items, minutes=30))


def test_nothing_is_written_before_the_period_opens(world, checklist, items, today):
    item = services.activate_return(
        world.admin, new_return(world, checklist, starts_on=today + datetime.timedelta(days=3))
    )
    assert not item.periods.exists()  # nothing has opened yet
    assert services.open_due_periods(today) == {"periods": 0, "rows": 0}


@pytest.mark.parametrize("kind", [AnswerType.PHOTO, AnswerType.TEXT])
def test_photos_and_texts_are_not_required(items, kind):
    item = items["4"]
    item.answer_type = kind
    assert services.clean_answer(item, "") is None
