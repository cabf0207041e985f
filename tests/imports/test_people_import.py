"""Inspectors and assignments imports, exports round trip, background jobs and access."""

import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from dudao.audit.models import AuditEntry
from dudao.imports.models import ImportJob
from dudao.inspectors.models import Assignment, Conflict, Inspector
from tests.factories import InspectorFactory, RecusalGroundFactory

from .helpers import headers, school_row, schools_file, upload, xlsx_bytes

START = datetime.date(2026, 9, 1)


def counts():
    from dudao.schools.models import School

    return School.all_objects.count(), Inspector.all_objects.count(), Assignment.all_objects.count()


def inspector_row(name, phone, **extra):
    values = dict.fromkeys(headers("inspectors"))
    values.update(
        {"姓名": name, "手机号": phone, "性别": "女", "专兼职": "兼职", "督学类别": "责任督学"}
    )
    values.update(extra)
    return [values[h] for h in headers("inspectors")]


def assignment_row(school, inspector, start="2026-09-01", end=None):
    return [school.code, inspector.name, inspector.phone, start, end]


def test_inspectors_create_and_update_by_phone(world, run_import, confirm):
    data = xlsx_bytes(
        headers("inspectors"),
        [
            inspector_row("孙督学", "13900001111", 责任区="第一责任区", 专兼职="专职"),
            inspector_row(
                world.inspector.name,
                world.inspector.phone,
                工作单位学校标识码=world.far_school.code,
            ),
        ],
    )
    job = run_import("inspectors", data)
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    assert (job.summary["created"], job.summary["updated"]) == (1, 1)
    confirm(job)
    new = Inspector.all_objects.get(phone="13900001111")
    assert (new.zone, new.employment, new.gender) == (world.zone, "full_time", "female")
    world.inspector.refresh_from_db()
    assert world.inspector.employer_school == world.far_school
    assert AuditEntry.all_objects.filter(
        target_type="inspectors.Inspector", action="update"
    ).exists()


def test_inspector_invalid_phone_and_duplicate(world, run_import):
    before = counts()
    data = xlsx_bytes(
        headers("inspectors"),
        [
            inspector_row("孙督学", "1390000"),
            inspector_row("周督学", "13900002222"),
            inspector_row("吴督学", "13900002222"),
            inspector_row("", "13900003333"),
        ],
    )
    job = run_import("inspectors", data)
    assert job.status == ImportJob.Status.INVALID
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {(2, "手机号"), (4, "手机号"), (5, "姓名")} <= found
    assert counts() == before


def test_deactivating_an_inspector_ends_current_assignments(world, run_import, confirm):
    row = inspector_row(world.inspector.name, world.inspector.phone, 是否在用="否")
    confirm(run_import("inspectors", xlsx_bytes(headers("inspectors"), [row])))
    world.assignment.refresh_from_db()
    assert world.assignment.end_date is not None


def test_assignments_import_reassigns_and_keeps_history(world, run_import, confirm):
    newcomer = InspectorFactory(office=world.office, name="新督学")
    data = xlsx_bytes(
        headers("assignments"),
        [
            assignment_row(world.school, newcomer, "2026-10-01"),
            assignment_row(world.far_school, world.other_inspector, "2025-09-01", "2026-06-30"),
        ],
    )
    job = run_import("assignments", data)
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    assert (job.summary["created"], job.summary["updated"]) == (2, 1)
    confirm(job)
    world.assignment.refresh_from_db()
    assert world.assignment.end_date == datetime.date(2026, 9, 30)
    assert world.school.assignments.get(end_date__isnull=True).inspector == newcomer
    # the same file again: nothing to do
    again = run_import("assignments", data)
    assert again.summary == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "preview": again.summary["preview"],
    }


def test_unknown_inspector_in_assignments(world, run_import):
    before = counts()
    stranger = Inspector(name="陌生人", phone="13712345678")
    wrong_name = Inspector(name="错名字", phone=world.inspector.phone)
    data = xlsx_bytes(
        headers("assignments"),
        [
            assignment_row(world.far_school, stranger),
            assignment_row(world.far_school, wrong_name),
            assignment_row(world.far_school, world.inspector, "2026-13-01"),
            assignment_row(world.far_school, world.inspector, "2026-09-01", "2026-08-01"),
        ],
    )
    job = run_import("assignments", data)
    assert job.status == ImportJob.Status.INVALID
    errors = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "Unknown inspector" in errors[(2, "督学手机号")]
    assert world.inspector.name in errors[(3, "督学姓名")]
    assert "not a date" in errors[(4, "开始日期")]
    assert "before the start date" in errors[(5, "结束日期")]
    assert counts() == before


def test_recusal_is_a_row_error(world, run_import):
    employee = InspectorFactory(
        office=world.office, name="本校督学", employer_school=world.far_school
    )
    conflicted = InspectorFactory(office=world.office, name="亲属督学")
    ground = RecusalGroundFactory(office=world.office)
    Conflict.all_objects.create(inspector=conflicted, school=world.far_school, ground=ground)
    before = counts()
    data = xlsx_bytes(
        headers("assignments"),
        [
            assignment_row(world.far_school, employee),
            assignment_row(world.far_school, conflicted, "2026-10-01"),
        ],
    )
    job = run_import("assignments", data)
    assert job.status == ImportJob.Status.INVALID
    messages = {e["row"]: e["message"] for e in job.errors}
    assert "must recuse" in messages[2]
    assert ground.name in messages[3]
    assert counts() == before


@pytest.mark.parametrize("kind", ["schools", "inspectors", "assignments"])
def test_export_round_trip_is_unchanged(world, login, run_import, kind):
    # an ended assignment in the history too
    Assignment.all_objects.create(
        inspector=world.other_inspector,
        school=world.far_school,
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2026, 6, 30),
    )
    url = reverse("imports:export", args=[kind]) + ("?active=all" if kind != "assignments" else "")
    response = login(world.admin).get(url)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == headers(kind)
    body = list(wb.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert body and all(world.foreign_school.code not in map(str, r) for r in body)
    job = run_import(kind, response.content)
    assert job.status == ImportJob.Status.PREVIEW, job.errors or job.file_error
    assert job.summary["created"] == job.summary["updated"] == 0
    assert job.summary["unchanged"] == len(body)


@override_settings(IMPORT_INLINE_MAX_ROWS=1)
def test_large_file_runs_as_tasks_with_progress(world, login, django_capture_on_commit_callbacks):
    client = login(world.admin)
    data = schools_file([school_row(f"33000001{n:02d}", f"学校{n}") for n in range(5)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("imports:upload", args=["schools"]),
            {"file": upload(data)},
        )
    job = ImportJob.all_objects.get()
    assert job.status == ImportJob.Status.VALIDATING
    page = client.get(response.url).content.decode()
    assert reverse("imports:job_progress", args=[job.pk]) in page and "every 1s" in page
    for callback in callbacks:
        callback()  # the worker runs the task (immediate backend)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW and job.processed_rows == 5
    fragment = client.get(reverse("imports:job_progress", args=[job.pk]))
    assert fragment["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.summary["created"] == 5


def test_other_office_cannot_see_a_job(world, login, run_import):
    job = run_import("schools", schools_file([school_row("3300000001")]))
    client = login(world.other_admin)
    for name in ("imports:job", "imports:job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    listing = client.get(reverse("imports:list")).content.decode()
    assert reverse("imports:job", args=[job.pk]) not in listing


STATUSES = {
    "imports:list": (None, 200, 200),
    "imports:template": (["schools"], 200, 200),
    "imports:export": (["schools"], 200, 200),
    "imports:upload": (["schools"], 405, 405),
    "imports:job": ("job", 200, 404),
    "imports:job_progress": ("job", 200, 404),
    "imports:confirm": ("job", 405, 405),
}


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_only_office_admins(world, client, run_import, name):
    args, admin_status, other_status = STATUSES[name]
    if args == "job":
        args = [run_import("schools", schools_file([school_row("3300000001")])).pk]
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302
    for role, user in world.personas().items():
        client.force_login(user)
        expected = {"admin": admin_status, "other_admin": other_status}.get(role, 403)
        assert client.get(url).status_code == expected, role
