"""Drafts, publication and withdrawal (dudao.bulletins.services and workflow): numbers in the
order of publication per office, kind and year (清督通〔2026〕3号, 〔2026〕第12期), the
recipients fixed on publication, history and audit rows, idempotent creation, concurrency
of numbering on PostgreSQL."""

import datetime
import threading
import uuid

import pytest
from django.db import connection

from dudao.audit.models import AuditEntry
from dudao.bulletins import numbering, services
from dudao.bulletins.models import (
    Audience,
    Bulletin,
    BulletinEvent,
    BulletinRecipient,
    BulletinSequence,
    Kind,
)
from dudao.core.errors import DomainError, IllegalTransition, StaleObject
from dudao.notifications.models import Notification
from tests.clock import moment

from .conftest import publish, write


@pytest.fixture
def prefixed(world):
    world.office.document_prefix = "上督"
    world.office.save()
    return world


def test_numbers_follow_publication_per_kind_and_year(prefixed, clock):
    w = prefixed
    first_draft = write(w)
    second_draft = write(w)
    notice = publish(w, kind=Kind.NOTICE, title="关于开展“双减”专项督导的通知")
    # Published in the other order: numbers follow publication, not creation.
    second = publish(w, second_draft)
    first = publish(w, first_draft)
    assert (second.number, first.number) == ("上督通〔2026〕1号", "上督通〔2026〕2号")
    assert notice.number == "上督发〔2026〕1号"  # its own sequence
    briefing = publish(w, kind=Kind.BRIEFING, title="督导简报", topic="work")
    assert briefing.number == "〔2026〕第1期"
    assert (first.year, first.sequence) == (2026, 2)
    # A new year starts again at 1.
    clock.move_to(moment(2027, 1, 4))
    assert publish(w).number == "上督通〔2027〕1号"
    assert publish(w, kind=Kind.BRIEFING, title="督导简报", topic="work").number == "〔2027〕第1期"
    sequences = {
        (s.kind, s.year): s.last_number for s in BulletinSequence.objects.filter(office=w.office)
    }
    assert sequences == {
        ("bulletin", 2026): 2,
        ("notice", 2026): 1,
        ("briefing", 2026): 1,
        ("bulletin", 2027): 1,
        ("briefing", 2027): 1,
    }


def test_other_office_counts_on_its_own(world):
    publish(world)
    other = services.create_bulletin(
        world.other_admin, world.other_office, kind=Kind.BULLETIN, title="通报", body="正文"
    )
    other = services.publish_bulletin(world.other_admin, other)
    assert other.sequence == 1


def test_number_format_without_prefix(world):
    assert numbering.format_number(Kind.BULLETIN, "", 2026, 3) == "通〔2026〕3号"
    assert numbering.format_number(Kind.NOTICE, "清督", 2026, 12) == "清督发〔2026〕12号"
    assert numbering.format_number(Kind.BRIEFING, "清督", 2026, 12) == "〔2026〕第12期"


def test_a_failed_publication_gives_its_number_back(world):
    empty_zone = world.zone.__class__.all_objects.create(office=world.office, name="第九责任区")
    draft = write(world, audience=Audience.ZONE, zone=empty_zone)
    with pytest.raises(DomainError):
        services.publish_bulletin(world.admin, draft, expected_version=draft.version)
    assert publish(world).sequence == 1
    assert Bulletin.objects.unscoped().get(pk=draft.pk).status == Bulletin.Status.DRAFT


def test_publication_fixes_the_recipients_and_notifies_them(
    world, zone_school_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = publish(world, audience=Audience.ZONE, zone=world.zone)
    schools = set(
        BulletinRecipient.objects.unscoped()
        .filter(bulletin=bulletin)
        .values_list("school__name", flat=True)
    )
    assert schools == {"湖滨小学", "西湖小学"}
    # Later moves do not change who received it.
    world.far_school.zone = world.zone
    world.far_school.save()
    assert BulletinRecipient.objects.unscoped().filter(bulletin=bulletin).count() == 2
    notes = Notification.objects.unscoped().filter(kind="bulletin.published")
    assert set(notes.values_list("recipient__username", flat=True)) == {"school", "zone_school"}
    assert notes.first().url == f"/bulletins/{bulletin.pk}/"
    assert notes.first().params == {"number": bulletin.number, "title": bulletin.title}


def test_history_and_audit(world):
    bulletin = write(world)
    bulletin = services.update_bulletin(
        world.admin,
        bulletin,
        kind=Kind.BULLETIN,
        topic="criticism",
        title="关于某校作业管理问题的通报",
        body="正文。",
        expected_version=bulletin.version,
    )
    bulletin = publish(world, bulletin)
    bulletin = services.withdraw_bulletin(
        world.admin, bulletin, note="内容有误", expected_version=bulletin.version
    )
    actions = list(
        BulletinEvent.objects.filter(bulletin=bulletin)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "edited", "publish", "withdraw"]
    withdraw = BulletinEvent.objects.get(bulletin=bulletin, action="withdraw")
    assert (withdraw.from_status, withdraw.to_status, withdraw.note) == (
        "published",
        "withdrawn",
        "内容有误",
    )
    assert bulletin.withdrawn_at is not None and bulletin.number  # the number stays
    audited = AuditEntry.objects.unscoped().filter(
        target_type="bulletins.Bulletin", target_id=str(bulletin.pk)
    )
    assert audited.count() >= 4


def test_published_documents_are_not_edited(world, to_schools):
    with pytest.raises(DomainError):
        services.update_bulletin(world.admin, to_schools, kind=Kind.BULLETIN, title="改", body="改")
    with pytest.raises(IllegalTransition):
        services.publish_bulletin(world.admin, to_schools)


def test_stale_version_is_refused(world):
    bulletin = write(world)
    services.update_bulletin(world.admin, bulletin, kind=Kind.BULLETIN, title="一", body="一")
    with pytest.raises(StaleObject):
        services.publish_bulletin(world.admin, bulletin, expected_version=bulletin.version)


def test_withdrawal_needs_a_reason(world, to_schools):
    with pytest.raises(DomainError):
        services.withdraw_bulletin(world.admin, to_schools, note="  ")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"body": "\n \n"}, "body"),
        ({"title": "题" * 201}, "title"),
        ({"kind": "memo"}, "kind"),
        ({"topic": "training"}, "topic"),  # a 通报 is not about a training
        ({"audience": "zone"}, "zone"),
        ({"audience": "schools"}, "schools"),
        ({"audience": "everyone"}, "audience"),
    ],
)
def test_drafts_are_checked(world, fields, field):
    values = {"kind": Kind.BULLETIN, "title": "通报", "body": "正文"} | fields
    with pytest.raises(DomainError) as refused:
        services.create_bulletin(world.admin, world.office, **values)
    assert refused.value.field == field
    assert not Bulletin.objects.unscoped().exists()


def test_other_county_zone_and_schools_are_refused(world):
    from dudao.inspectors.models import Zone

    foreign_zone = Zone.all_objects.create(office=world.other_office, name="玄武一区")
    with pytest.raises(DomainError):
        write(world, audience=Audience.ZONE, zone=foreign_zone)
    with pytest.raises(DomainError):
        write(world, audience=Audience.SCHOOLS, schools=[world.school, world.foreign_school])


def test_a_form_sent_twice_makes_one_draft(world):
    key = uuid.uuid4()
    first = write(world, request_key=key)
    second = write(world, request_key=key)
    assert first.pk == second.pk and Bulletin.objects.unscoped().count() == 1


def test_public_switch(world, to_schools):
    shown = services.set_public(world.admin, to_schools, True, expected_version=to_schools.version)
    assert shown.publish_on_public_page and shown.version == to_schools.version + 1
    with pytest.raises(StaleObject):
        services.set_public(world.admin, shown, False, expected_version=to_schools.version)
    withdrawn = services.withdraw_bulletin(world.admin, shown, note="撤回")
    with pytest.raises(DomainError):
        services.set_public(world.admin, withdrawn, True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_take_different_numbers(world):
    """Four documents published at once (PostgreSQL: real concurrency; each waits on the
    office's sequence row, and the first year's row is made once)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent path needs PostgreSQL")
    drafts = [write(world, title=f"通报{n}") for n in range(4)]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def run(draft):
        try:
            barrier.wait()
            services.publish_bulletin(world.admin, draft)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(Bulletin.objects.unscoped().values_list("sequence", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert BulletinSequence.objects.get(office=world.office, kind=Kind.BULLETIN).last_number == 4


def test_briefing_numbers_run_through_the_year(world, clock):
    numbers = []
    for week in range(3):
        clock.move_to(moment(2026, 11, 23) + datetime.timedelta(days=7 * week))
        numbers.append(publish(world, kind=Kind.BRIEFING, title="督导简报", topic="work").number)
    assert numbers == ["〔2026〕第1期", "〔2026〕第2期", "〔2026〕第3期"]
