"""Large ledger exports are built in the background (issue 10): above
settings.EXPORT_INLINE_ROWS rows the download queues an ExportJob and sends the user to its
page; the task builds the file again as that user, through the same exporter; only that user
opens the job and its file; a failed build says why and changes nothing else."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dudao.accounts.models import Role
from dudao.audit.models import AuditEntry
from dudao.core.errors import NotPermitted
from dudao.notifications.models import Notification
from dudao.rectification.ledger import filtered_findings
from dudao.reports import exporter, services
from dudao.reports.models import ExportJob
from dudao.reports.tasks import delete_expired_exports_task
from tests.factories_supervision import FindingFactory

from .helpers import body

URL = reverse("reports:ledger_xlsx")


@pytest.fixture
def findings(world):
    """Four findings in county A (one at each of its schools, one more at `school`) and one
    in county B."""
    return [
        FindingFactory(school=world.school, inspector=world.inspector, description="甲"),
        FindingFactory(school=world.school, inspector=world.inspector, description="乙"),
        FindingFactory(school=world.zone_school, description="丙", severity="key"),
        FindingFactory(school=world.far_school, description="丁", severity="key"),
        FindingFactory(school=world.foreign_school, description="外县"),
    ]


@pytest.fixture
def threshold(settings):
    settings.EXPORT_INLINE_ROWS = 2
    return settings


def descriptions(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [row[4] for row in sheet.iter_rows(min_row=3, values_only=True)]


def data_rows(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def job_page(pk):
    return reverse("reports:export_job", args=[pk])


def job_file(pk):
    return reverse("reports:export_job_file", args=[pk])


def export_in_background(client, capture, query=""):
    """Ask for the ledger, run what the request left for after commit (the task, inline in
    tests), and return the response and the job."""
    with capture(execute=True):
        response = client.get(URL + query)
    assert response.status_code == 303
    job = ExportJob.all_objects.latest("pk")
    assert response["Location"] == job_page(job.pk)
    job.refresh_from_db()
    return response, job


def test_up_to_the_threshold_the_file_comes_at_once(world, client, findings, settings):
    settings.EXPORT_INLINE_ROWS = 4  # county A has 4 findings
    client.force_login(world.admin)
    response = client.get(URL)
    assert response.status_code == 200
    assert sorted(descriptions(body(response))) == ["丁", "丙", "乙", "甲"]
    assert not ExportJob.all_objects.exists()


def test_above_it_a_job_is_built_and_offered(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(URL)
    assert response.status_code == 303
    job = ExportJob.all_objects.get()
    assert (job.requested_by, job.office, job.report, job.format) == (
        world.admin,
        world.office,
        "ledger",
        "xlsx",
    )
    assert (job.status, job.row_count, job.params) == ("queued", 4, {})
    assert AuditEntry.objects.unscoped().filter(target_type="reports.ExportJob").count() == 1

    # Queued: the page says so and refreshes itself (htmx every 2 s, else a meta refresh).
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in page
    assert 'hx-trigger="every 2s"' in page
    assert '<meta http-equiv="refresh"' in page
    assert job_file(job.pk) not in page
    assert client.get(job_file(job.pk)).status_code == 404  # nothing to download yet

    for callback in callbacks:  # the commit: the task runs (inline in tests)
        callback()
    job.refresh_from_db()
    assert job.status == "done"
    assert job.row_count == 4
    assert job.filename.endswith(".xlsx") and world.office.name in job.filename
    assert job.finished_at is not None

    partial = client.get(job_page(job.pk), headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="done"' in partial
    assert "hx-trigger" not in partial  # finished: no more polling
    assert '<meta http-equiv="refresh"' not in client.get(job_page(job.pk)).content.decode()
    assert job_file(job.pk) in partial
    download = client.get(job_file(job.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == exporter.CONTENT_TYPES["xlsx"]
    assert "filename*=utf-8''" in download["Content-Disposition"].lower()
    assert sorted(descriptions(body(download))) == ["丁", "丙", "乙", "甲"]


def test_the_file_is_the_ledgers_rows_for_the_same_filter(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    """The same rows, in the same order and shape, as the file given at once."""
    query = f"?severity=general&school={world.school.pk}&page=3"
    client.force_login(world.admin)
    threshold.EXPORT_INLINE_ROWS = 1
    _response, job = export_in_background(client, django_capture_on_commit_callbacks, query)
    assert job.params == {"school": str(world.school.pk), "severity": "general"}  # no page
    background = body(client.get(job_file(job.pk)))

    threshold.EXPORT_INLINE_ROWS = 1000
    inline = body(client.get(URL + query))
    assert data_rows(background) == data_rows(inline)
    _form, ledger = filtered_findings(
        world.admin, {"severity": "general", "school": world.school.pk}
    )
    assert descriptions(background) == list(ledger.values_list("description", flat=True))
    assert sorted(descriptions(background)) == ["乙", "甲"]


@pytest.mark.parametrize("persona", ["viewer", "zone_leader"])
def test_the_task_builds_it_as_the_user_who_asked(
    world, client, findings, threshold, django_capture_on_commit_callbacks, persona
):
    """Each reader's scope: the zone leader's schools, the viewer's city; never county B."""
    user = world.personas()[persona]
    client.force_login(user)
    _response, job = export_in_background(client, django_capture_on_commit_callbacks)
    assert job.status == "done"
    _form, ledger = filtered_findings(user, {})
    got = descriptions(body(client.get(job_file(job.pk))))
    assert sorted(got) == sorted(ledger.values_list("description", flat=True))
    assert "外县" not in got
    assert job.office_id == user.office_id  # the viewer has none


def test_the_user_is_notified_with_a_link_to_the_job(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    _response, job = export_in_background(client, django_capture_on_commit_callbacks)
    (note,) = Notification.objects.unscoped().filter(kind="export.ready")
    assert note.recipient == world.admin
    assert note.url == job_page(job.pk)
    assert note.params == {"report": job.filename.removesuffix(".xlsx")}
    assert job.filename.removesuffix(".xlsx") in note.title
    opened = client.post(reverse("notifications:open", args=[note.pk]))
    assert opened["Location"] == job_page(job.pk)
    assert client.get(note.url).status_code == 200


@pytest.mark.parametrize(
    "persona", ["zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]
)
def test_nobody_else_finds_the_job_or_its_file(
    world, client, findings, threshold, django_capture_on_commit_callbacks, persona
):
    client.force_login(world.admin)
    _response, job = export_in_background(client, django_capture_on_commit_callbacks)
    client.force_login(world.personas()[persona])
    assert client.get(job_page(job.pk)).status_code == 404
    assert client.get(job_file(job.pk)).status_code == 404
    client.logout()
    assert client.get(job_file(job.pk)).status_code == 302  # to the login page


def test_a_repeated_request_reuses_the_pending_job(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    threshold.EXPORT_INLINE_ROWS = 1  # each filter has 2 rows
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.get(URL + "?severity=key")
        again = client.get(URL + "?severity=key&page=2")  # the same filter
        other = client.get(URL + "?severity=general")
    assert first["Location"] == again["Location"] != other["Location"]
    assert ExportJob.all_objects.count() == 2
    assert len(callbacks) == 2  # one task each, not three
    audited = AuditEntry.objects.unscoped().filter(target_type="reports.ExportJob")
    assert audited.count() == 2

    client.force_login(world.zone_leader)  # someone else's identical request: its own job
    threshold.EXPORT_INLINE_ROWS = 0
    with django_capture_on_commit_callbacks():
        client.get(URL + "?severity=key")
    assert ExportJob.all_objects.count() == 3

    for callback in callbacks:
        callback()
    client.force_login(world.admin)  # done: a new request is a new export
    with django_capture_on_commit_callbacks(execute=True):
        later = client.get(URL + "?severity=key")
    assert later["Location"] not in (first["Location"], other["Location"])


def test_too_many_pending_exports_are_refused(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks():
        for query in ("?q=甲", "?q=乙", "?q=丙"):
            threshold.EXPORT_INLINE_ROWS = 0
            assert client.get(URL + query).status_code == 303
        refused = client.get(URL + "?q=丁", follow=False)
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("rectification:ledger"))
    assert "q=%E4%B8%81" in refused["Location"]
    assert ExportJob.all_objects.count() == services.MAX_PENDING


def test_a_failing_build_marks_the_job_failed_and_changes_nothing_else(
    world, client, findings, threshold, django_capture_on_commit_callbacks, monkeypatch, settings
):
    def broken(report):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exporter, "to_xlsx", broken)
    client.force_login(world.admin)
    _response, job = export_in_background(client, django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.error and "disk full" not in job.error  # a message for people, not a trace
    assert job.finished_at is not None
    assert not job.file and not job.filename
    assert not Notification.objects.unscoped().exists()
    exports = settings.MEDIA_ROOT / "exports"
    assert not exports.exists() or not any(p.is_file() for p in exports.rglob("*"))
    page = client.get(job_page(job.pk)).content.decode()
    assert 'data-status="failed"' in page and 'hx-trigger="every 2s"' not in page
    assert job.error in page
    assert f'href="{URL}"' in page  # export again
    assert client.get(job_file(job.pk)).status_code == 404


def test_a_user_who_lost_the_role_gets_no_file(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    """The task fetches the user again: a role taken away meanwhile is refused."""
    client.force_login(world.zone_leader)
    with django_capture_on_commit_callbacks() as callbacks:
        client.get(URL)
    world.zone_leader.role = Role.SCHOOL
    world.zone_leader.school = world.school
    world.zone_leader.save()
    for callback in callbacks:
        callback()
    job = ExportJob.all_objects.get()
    assert job.status == "failed" and job.error
    assert not job.file


def test_the_service_refuses_who_may_not_export(world, findings):
    for actor in (world.school_user, world.superuser, None):
        with pytest.raises(NotPermitted):
            services.request_export(actor, "ledger", "xlsx", {})
    assert not ExportJob.all_objects.exists()
    assert not AuditEntry.objects.unscoped().filter(target_type="reports.ExportJob").exists()


def test_the_superuser_narrows_the_filter_instead(world, client, findings, threshold):
    client.force_login(world.superuser)
    assert client.get(URL).status_code == 403
    assert client.get(URL + f"?school={world.school.pk}").status_code == 200  # 2 rows
    assert not ExportJob.all_objects.exists()


def test_a_retried_task_does_nothing(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    _response, job = export_in_background(client, django_capture_on_commit_callbacks)
    name = job.file.name
    assert services.run_export(job.pk).file.name == name
    assert Notification.objects.unscoped().count() == 1


def test_the_job_page_costs_the_same_whatever_the_export(
    world, client, findings, threshold, django_capture_on_commit_callbacks
):
    threshold.EXPORT_INLINE_ROWS = 0
    client.force_login(world.admin)
    _response, small = export_in_background(client, django_capture_on_commit_callbacks, "?q=甲")
    _response, large = export_in_background(client, django_capture_on_commit_callbacks)
    assert (small.row_count, large.row_count) == (1, 4)
    counts = []
    for job in (small, large):
        for headers in ({}, {"HX-Request": "true"}):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(job_page(job.pk), headers=headers).status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]
    assert max(counts) <= 8


def test_expired_exports_are_deleted_with_their_files(
    world, client, findings, threshold, django_capture_on_commit_callbacks, clock, settings
):
    settings.EXPORT_KEEP_DAYS = 7
    settings.EXPORT_INLINE_ROWS = 0
    client.force_login(world.admin)
    _response, old = export_in_background(client, django_capture_on_commit_callbacks)
    path = settings.MEDIA_ROOT / old.file.name
    assert path.is_file()
    assert "2026-11-30" in client.get(job_page(old.pk)).content.decode()  # kept until
    clock.shift(datetime.timedelta(days=6))
    client.force_login(world.admin)  # the session has expired meanwhile
    _response, fresh = export_in_background(client, django_capture_on_commit_callbacks, "?q=甲")
    clock.shift(datetime.timedelta(days=1, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired_exports_task.call() == 1
    assert not path.exists()
    assert list(ExportJob.all_objects.values_list("pk", flat=True)) == [fresh.pk]
    assert (settings.MEDIA_ROOT / fresh.file.name).is_file()
    client.force_login(world.admin)
    assert client.get(job_page(old.pk)).status_code == 404
