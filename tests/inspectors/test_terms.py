"""Inspectors' terms (任期) and certificates (docs/rules.md §31): the services' rules, the
scans, what each reader sees, and the daily reminders before a term or certificate ends."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.inspectors import services, term_services
from dudao.inspectors.models import Certificate, CertificateFile, Inspector, Term
from dudao.notifications.models import Notification
from tests.factories import InspectorFactory

DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"x" * 200


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name="资格证.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def term(world, start, end, inspector=None, **extra):
    return term_services.create_term(
        world.admin,
        inspector or world.inspector,
        start_date=start,
        end_date=end,
        letter_number="上督〔2024〕3号",
        **extra,
    )


def certificate(world, issued, expires=None, inspector=None, **extra):
    return term_services.create_certificate(
        world.admin,
        inspector or world.inspector,
        kind=Certificate.Kind.QUALIFICATION,
        name="督学岗位资格认定培训合格证",
        issued_on=issued,
        expires_on=expires,
        **extra,
    )


# ---- terms ----------------------------------------------------------------------------------


def test_a_term_is_recorded_with_its_letter_and_audited(world, today):
    made = term(world, today - 400 * DAY, today + 700 * DAY, appointed_by="区教育督导委员会")
    assert made.office == world.office
    assert made.letter_number == "上督〔2024〕3号"
    assert made.is_current_on(today)
    assert (
        AuditEntry.objects.unscoped()
        .filter(target_type="inspectors.Term", target_id=str(made.pk), action="create")
        .exists()
    )


def test_terms_of_one_inspector_never_overlap(world, today):
    term(world, today - 400 * DAY, today + 700 * DAY)
    with pytest.raises(DomainError, match=r"overlaps|重叠") as refused:
        term(world, today + 600 * DAY, today + 1500 * DAY)
    assert refused.value.field == "start_date"
    # The next term may start the day after; another inspector's terms are theirs.
    term(world, today + 701 * DAY, today + 1800 * DAY)
    term(world, today - 400 * DAY, today + 700 * DAY, inspector=world.other_inspector)
    assert Term.objects.unscoped().count() == 3


def test_a_term_cannot_end_before_it_starts(world, today):
    with pytest.raises(DomainError) as refused:
        term(world, today, today - DAY)
    assert refused.value.field == "end_date"
    assert not Term.objects.unscoped().exists()


def test_a_term_is_edited_and_deleted_with_audit(world, today):
    made = term(world, today - 10 * DAY, today + 10 * DAY)
    term_services.update_term(world.admin, made, end_date=today + 20 * DAY)
    made.refresh_from_db()
    assert made.end_date == today + 20 * DAY
    term_services.delete_term(world.admin, made)
    assert not Term.objects.unscoped().exists()
    actions = set(
        AuditEntry.objects.unscoped()
        .filter(target_type="inspectors.Term")
        .values_list("action", flat=True)
    )
    assert actions == {"create", "update", "delete"}


# ---- certificates ---------------------------------------------------------------------------


def test_a_certificate_keeps_its_scan(world, today):
    made = certificate(world, today - 100 * DAY, today + 1000 * DAY, upload=pdf())
    stored = made.files.get()
    assert stored.original_name == "资格证.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)
    # The same scan again is the same file; another one is added beside it.
    term_services.update_certificate(world.admin, made, upload=pdf("again.pdf"))
    assert made.files.count() == 1
    term_services.update_certificate(
        world.admin, made, number="DX2026001", upload=pdf("back.pdf", PDF + b"2")
    )
    assert made.files.count() == 2
    made.refresh_from_db()
    assert made.number == "DX2026001"


def test_a_disguised_file_is_refused_and_nothing_is_written(world, today):
    fake = SimpleUploadedFile(
        "证书.pdf", b"#!/bin/sh\necho hi\n" * 10, content_type="application/pdf"
    )
    with pytest.raises(DomainError):
        certificate(world, today - DAY, upload=fake)
    assert not Certificate.objects.unscoped().exists()
    assert not CertificateFile.objects.exists()


def test_a_certificate_cannot_expire_before_it_was_issued(world, today):
    with pytest.raises(DomainError) as refused:
        certificate(world, today, today - DAY)
    assert refused.value.field == "expires_on"


def test_deleting_a_certificate_deletes_its_files(world, today, django_capture_on_commit_callbacks):
    made = certificate(world, today - DAY, upload=pdf())
    stored = made.files.get()
    storage, name = stored.file.storage, stored.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        term_services.delete_certificate(world.admin, made)
    assert not storage.exists(name)
    assert not CertificateFile.objects.exists()


# ---- pages ----------------------------------------------------------------------------------


def test_the_inspector_sees_their_own_terms_and_scans(world, today, login):
    term(world, today - 10 * DAY, today + 10 * DAY)
    made = certificate(world, today - DAY, upload=pdf())
    stored = made.files.get()
    client = login(world.inspector_user)
    page = client.get(reverse("inspectors:detail", args=[world.inspector.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "上督〔2024〕3号" in text and "督学岗位资格认定培训合格证" in text
    assert reverse("inspectors:term_add", args=[world.inspector.pk]) not in text
    scan = client.get(reverse("inspectors:certificate_file", args=[stored.pk]))
    assert scan.status_code == 200
    assert b"".join(scan.streaming_content) == PDF


def test_another_inspector_gets_404_for_the_scan(world, today, login):
    stored = certificate(world, today - DAY, upload=pdf()).files.get()
    for user in (world.other_admin, world.school_user):
        response = login(user).get(reverse("inspectors:certificate_file", args=[stored.pk]))
        assert response.status_code in (403, 404)
    other = InspectorFactory(office=world.office, name="周督学")
    from tests.factories import UserFactory

    user = UserFactory(username="zhou", role="inspector", office=world.office, inspector=other)
    assert (
        login(user).get(reverse("inspectors:certificate_file", args=[stored.pk])).status_code == 404
    )


def test_the_office_admin_records_a_term_and_a_certificate_on_the_page(world, today, login):
    client = login(world.admin)
    page = client.get(reverse("inspectors:detail", args=[world.inspector.pk]))
    assert reverse("inspectors:term_add", args=[world.inspector.pk]) in page.content.decode()
    response = client.post(
        reverse("inspectors:term_add", args=[world.inspector.pk]),
        {
            "start_date": (today - DAY).isoformat(),
            "end_date": (today + 1000 * DAY).isoformat(),
            "letter_number": "上督〔2026〕9号",
        },
    )
    assert response.status_code == 302
    assert Term.objects.unscoped().get().letter_number == "上督〔2026〕9号"
    response = client.post(
        reverse("inspectors:certificate_add", args=[world.inspector.pk]),
        {
            "kind": "training",
            "name": "责任督学培训结业证书",
            "issued_on": today.isoformat(),
            "upload": pdf(),
        },
    )
    assert response.status_code == 302
    assert Certificate.objects.unscoped().get().files.count() == 1
    # An overlapping term comes back as the form with its error, nothing written.
    response = client.post(
        reverse("inspectors:term_add", args=[world.inspector.pk]),
        {
            "start_date": today.isoformat(),
            "end_date": (today + 10 * DAY).isoformat(),
            "letter_number": "x",
        },
    )
    assert response.status_code == 200
    assert Term.objects.unscoped().count() == 1


# ---- kinds (docs/rules.md §31) ----------------------------------------------------------------


@pytest.mark.parametrize("kind", [Inspector.Kind.PARENT, Inspector.Kind.INVITED])
def test_parent_and_invited_inspectors_hold_no_school_and_lead_no_zone(world, today, kind):
    person = InspectorFactory(office=world.office, name="家长代表", kind=kind)
    with pytest.raises(DomainError):
        services.assign_inspector(world.admin, world.far_school, person, today)
    with pytest.raises(DomainError) as refused:
        services.update_zone(world.admin, world.zone, name=world.zone.name, leader=person)
    assert refused.value.field == "leader"
    world.zone.refresh_from_db()
    assert world.zone.leader == world.leader


def test_a_principal_inspector_may_lead_a_zone(world):
    person = InspectorFactory(office=world.office, name="王校长", kind=Inspector.Kind.PRINCIPAL)
    services.update_zone(world.admin, world.zone, name=world.zone.name, leader=person)
    world.zone.refresh_from_db()
    assert world.zone.leader == person


# ---- reminders ------------------------------------------------------------------------------


def _notes(kind):
    return Notification.objects.unscoped().filter(kind=kind)


@pytest.mark.any_day
def test_a_term_is_reminded_of_once_within_the_reminder_days(world, today):
    soon = term(world, today - 1000 * DAY, today + 60 * DAY)  # the default: 60 days
    later = term(world, today - 1000 * DAY, today + 61 * DAY, inspector=world.other_inspector)
    assert term_services.send_reminders(today) == {"terms": 1, "certificates": 0}
    notes = _notes("inspector.term_ending")
    assert {n.recipient for n in notes} == {world.admin, world.inspector_user}
    assert all(n.params["date"] == soon.end_date.isoformat() for n in notes)
    assert notes.first().url == reverse("inspectors:detail", args=[world.inspector.pk])
    # Idempotent: the same day again, and the next day, send nothing more for that end.
    assert term_services.send_reminders(today) == {"terms": 0, "certificates": 0}
    assert term_services.send_reminders(today + DAY) == {"terms": 1, "certificates": 0}
    assert {n.params["inspector"] for n in _notes("inspector.term_ending")} == {
        world.inspector.name,
        world.other_inspector.name,
    }
    later.refresh_from_db()
    assert later.reminded_for == later.end_date


@pytest.mark.any_day
def test_a_changed_end_date_is_reminded_of_again(world, today):
    made = term(world, today - 1000 * DAY, today + 5 * DAY)
    term_services.send_reminders(today)
    term_services.update_term(world.admin, made, end_date=today + 30 * DAY)
    assert term_services.send_reminders(today)["terms"] == 1
    assert _notes("inspector.term_ending").filter(recipient=world.admin).count() == 2


@pytest.mark.any_day
def test_no_reminder_for_ended_renewed_or_inactive(world, today):
    term(world, today - 1000 * DAY, today - DAY)  # ended yesterday
    term(world, today - 1000 * DAY, today + 10 * DAY, inspector=world.other_inspector)
    term(world, today + 11 * DAY, today + 1000 * DAY, inspector=world.other_inspector)  # renewed
    term(world, today - 1000 * DAY, today + 10 * DAY, inspector=world.leader)
    Inspector.all_objects.filter(pk=world.leader.pk).update(is_active=False)
    assert term_services.send_reminders(today) == {"terms": 0, "certificates": 0}
    assert not _notes("inspector.term_ending").exists()


@pytest.mark.any_day
def test_a_certificate_is_reminded_of_by_the_office_days(world, today):
    term_services.save_reminder_days(
        world.admin, world.office, term_reminder_days=60, certificate_reminder_days=10
    )
    certificate(world, today - 900 * DAY, today + 10 * DAY)
    certificate(world, today - 900 * DAY, today + 11 * DAY, inspector=world.other_inspector)
    certificate(world, today - 900 * DAY, None, inspector=world.leader)  # never expires
    assert term_services.send_reminders(today) == {"terms": 0, "certificates": 1}
    note = _notes("inspector.certificate_expiring").get(recipient=world.inspector_user)
    assert note.params["certificate"] == "督学岗位资格认定培训合格证"
    assert term_services.send_reminders(today)["certificates"] == 0


def test_the_reminder_days_are_checked(world):
    with pytest.raises(DomainError) as refused:
        term_services.save_reminder_days(
            world.admin, world.office, term_reminder_days=0, certificate_reminder_days=10
        )
    assert refused.value.field == "term_reminder_days"


def test_the_daily_job_is_scheduled():
    from dudao.core.schedule import JOBS

    job = next(j for j in JOBS if j.name == "inspector_term_reminders")
    assert job.task() is not None
