"""Attendance in and out of Excel (docs/rules.md §29) through the one import pipeline: a
preview, then all rows or none; row errors name the row and the column."""

import decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.core.spreadsheets import build_workbook, workbook_bytes
from dudao.imports import services as imports
from dudao.imports.importers.training import TrainingAttendanceImporter
from dudao.imports.models import ImportJob
from dudao.inspectors.models import Inspector
from dudao.training import services
from dudao.training.models import Attendance

KIND = "training_attendance"
D = decimal.Decimal


def sheet(rows) -> SimpleUploadedFile:
    data = workbook_bytes(build_workbook(TrainingAttendanceImporter.columns, rows))
    return SimpleUploadedFile("签到表.xlsx", data)


def job_for(world, session, rows):
    return imports.create_job(
        world.admin, world.office, KIND, sheet(rows), params={"session": session.pk}
    )


def good_rows(world):
    return [
        [world.inspector.name, world.inspector.phone, "参加", None, ""],
        [world.other_inspector.name, world.other_inspector.phone, "参加", 3, "中途离会"],
        [world.leader.name, world.leader.phone, "请假", None, "因公请假"],
    ]


def test_a_sheet_is_previewed_then_applied(world, session):
    job = job_for(world, session, good_rows(world))
    assert job.status == ImportJob.Status.PREVIEW, job.errors or job.file_error
    assert job.summary["created"] == 3
    assert not Attendance.objects.unscoped().exists()  # nothing before the confirm
    assert imports.confirm_job(world.admin, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    got = {
        a.inspector_id: (a.presence, a.hours, a.note)
        for a in Attendance.objects.unscoped().filter(session=session)
    }
    assert got == {
        world.inspector.pk: ("attended", D("6.0"), ""),
        world.other_inspector.pk: ("attended", D("3.0"), "中途离会"),
        world.leader.pk: ("excused", D("0.0"), "因公请假"),
    }
    assert AuditEntry.objects.unscoped().filter(target_type="training.Attendance").count() == 3


def test_row_errors_refuse_the_whole_file(world, session):
    rows = [
        *good_rows(world),
        ["无名", "13999999999", "参加", None, ""],  # unknown phone
        [world.inspector.name, world.inspector.phone, "参加", None, ""],  # twice
        [world.foreign_inspector.name, world.foreign_inspector.phone, "参加", None, ""],
        ["x", world.zone_leader.phone or "13800000009", "迟到", None, ""],  # unknown word
    ]
    rows[1][3] = 7  # more than the session's 6 hours
    job = job_for(world, session, rows)
    assert job.status == ImportJob.Status.INVALID
    by_row = {(e["row"], e["column"]) for e in job.errors}
    assert (3, "认定学时") in by_row
    assert (5, "手机号") in by_row and (6, "手机号") in by_row and (7, "手机号") in by_row
    assert (8, "出勤情况") in by_row
    assert not Attendance.objects.unscoped().exists()


def test_a_row_that_became_wrong_before_the_confirm_changes_nothing(world, session):
    job = job_for(world, session, good_rows(world))
    assert job.status == ImportJob.Status.PREVIEW
    Inspector.all_objects.filter(pk=world.leader.pk).update(is_active=False)
    imports.confirm_job(world.admin, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["row"] == 4
    assert not Attendance.objects.unscoped().exists()


def test_the_export_imports_again_unchanged(world, session, login):
    services.record_attendance(world.admin, session, world.inspector, presence="attended")
    services.record_attendance(
        world.admin, session, world.other_inspector, presence="absent", note="未请假"
    )
    client = login(world.admin)
    response = client.get(reverse("training:attendance_export", args=[session.pk]))
    assert response.status_code == 200
    job = imports.create_job(
        world.admin,
        world.office,
        KIND,
        SimpleUploadedFile("导出.xlsx", response.content),
        params={"session": session.pk},
    )
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    assert job.summary == {**job.summary, "created": 0, "updated": 0, "unchanged": 2}


def test_the_page_uploads_to_the_pipeline(world, session, login):
    client = login(world.admin)
    template = client.get(reverse("training:attendance_template", args=[session.pk]))
    assert template.status_code == 200
    assert template["Content-Disposition"].startswith("attachment")
    response = client.post(
        reverse("training:attendance_import", args=[session.pk]), {"file": sheet(good_rows(world))}
    )
    job = ImportJob.objects.unscoped().get()
    assert response.status_code == 302 and response.url == reverse("imports:job", args=[job.pk])
    assert job.kind == KIND and job.params == {"session": session.pk}


def test_the_importer_is_registered_and_not_listed():
    assert KIND in imports.KINDS
    assert KIND not in imports.listed_kinds()


@pytest.fixture
def other_session(world, today):
    from .conftest import make_session

    return make_session(world, today, office=world.other_office, admin=world.other_admin)


def test_a_job_names_only_its_own_offices_session(world, other_session):
    job = job_for(world, other_session, good_rows(world))
    assert job.status == ImportJob.Status.INVALID
    assert not Attendance.objects.unscoped().exists()
