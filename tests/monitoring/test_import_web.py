"""Importing school figures: preview with row errors, all-or-nothing confirmation,
idempotent re-import."""

import io

import pytest

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.imports.models import ImportJob
from dudao.monitoring import services
from dudao.monitoring.models import SchoolResources
from tests.factories import SchoolFactory

from .webdata import junior_record, record, xlsx

pytestmark = pytest.mark.django_db


def preview(world, rows, tmp_path, year=2025):
    content, name = xlsx(rows, tmp_path)
    return services.import_preview(world.admin, year, io.BytesIO(content), name)


def good_rows(world):
    return [
        record(world.school),
        record(world.zone_school, floor_area=2500),
        junior_record(world.far_school),
    ]


def test_preview_then_confirm_then_reimport_changes_nothing(world, tmp_path):
    job = preview(world, good_rows(world), tmp_path)
    assert job.status == ImportJob.Status.PREVIEW and not job.errors
    assert job.kind == "resources" and job.year == 2025
    assert {k: job.summary[k] for k in ("created", "updated", "unchanged")} == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert not SchoolResources.all_objects.exists()  # a preview saves nothing

    counts = services.import_confirm(world.admin, job)
    assert counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert SchoolResources.all_objects.filter(year=2025).count() == 3
    far = SchoolResources.all_objects.get(school=world.far_school)
    assert far.school_type == "初中" and far.enrol_junior == 800 and far.version == 1

    again = preview(world, good_rows(world), tmp_path)
    assert again.summary["unchanged"] == 3
    assert services.import_confirm(world.admin, again) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
    }
    assert set(SchoolResources.all_objects.values_list("version", flat=True)) == {1}

    changed = good_rows(world)
    changed[1] = record(world.zone_school, floor_area=2600)
    third = preview(world, changed, tmp_path)
    assert services.import_confirm(world.admin, third) == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
    }
    row = SchoolResources.all_objects.get(school=world.zone_school)
    assert row.version == 2 and float(row.floor_area) == 2600
    assert row.history.first().source == "import"
    # a confirmed job cannot be applied twice
    with pytest.raises(DomainError):
        services.import_confirm(world.admin, third)


def test_bad_rows_are_listed_with_row_numbers_and_nothing_is_saved(world, tmp_path):
    rows = good_rows(world)
    rows[1] = record(world.zone_school, floor_area=-5)  # file row 3
    rows.append(record(SchoolFactory.build(code="9999999999", name="外县小学")))  # row 5
    job = preview(world, rows, tmp_path)
    assert job.status == ImportJob.Status.INVALID
    by_row = {(e["row"], e["column"]) for e in job.errors}
    assert (3, "教学及辅助用房面积") in by_row
    assert (5, "学校标识码") in by_row
    assert any(e["code"] == "unknown_school" for e in job.errors)
    assert all(e["message"] for e in job.errors)
    with pytest.raises(DomainError):
        services.import_confirm(world.admin, job)
    assert not SchoolResources.all_objects.exists()


def test_foreign_school_code_is_an_unknown_school(world, tmp_path):
    job = preview(world, [record(world.foreign_school)], tmp_path)
    assert job.errors[0]["row"] == 2 and job.errors[0]["code"] == "unknown_school"


def test_confirm_is_all_or_nothing(world, tmp_path):
    job = preview(world, good_rows(world), tmp_path)
    # the last row turns bad after the preview (its school left the county): the apply checks
    # the file again and the whole import refuses
    world.far_school.office = world.foreign_school.office
    world.far_school.save()
    with pytest.raises(DomainError) as info:
        services.import_confirm(world.admin, job)
    assert "4" in str(info.value)  # the file row
    assert not SchoolResources.all_objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID


def test_wrong_headers_refuse_the_file(world):
    job = services.import_preview(
        world.admin, 2025, io.BytesIO("学校,人数\n1,2\n".encode()), "bad.csv"
    )
    assert job.status == ImportJob.Status.INVALID and job.file_error
    assert "学校标识码" in job.file_error


def test_other_office_cannot_confirm(world, tmp_path):
    job = preview(world, good_rows(world), tmp_path)
    with pytest.raises(DomainError):
        services.import_confirm(world.other_admin, job)
    assert not SchoolResources.all_objects.exists()


def test_upload_preview_confirm_views(world, client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    content, name = xlsx(good_rows(world), tmp_path)
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post("/monitoring/import/", {"year": 2025, "file": upload})
    assert response.status_code == 302
    job = ImportJob.all_objects.get()
    page = client.get(response.url)
    assert page.status_code == 200 and world.far_school.name in page.content.decode()
    response = client.post(f"/monitoring/import/{job.pk}/confirm/")
    assert response.status_code == 302
    assert SchoolResources.all_objects.count() == 3
    assert (
        AuditEntry.all_objects.filter(target_type="imports.ImportJob", action="import").count() == 1
    )


def test_refused_upload_shows_the_rows(world, client, tmp_path):
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    rows = good_rows(world)
    rows[0] = record(world.school, enrol_primary="很多")
    content, name = xlsx(rows, tmp_path)
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post("/monitoring/import/", {"year": 2025, "file": upload}, follow=True)
    text = response.content.decode()
    assert "nothing was imported" in text and "小学在校生数" in text
    assert not SchoolResources.all_objects.exists()
