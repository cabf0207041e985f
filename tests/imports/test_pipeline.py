"""The one spreadsheet pipeline: the shared writer's layout, the importer registry and the job
model (every kind, progress during the apply, all or nothing, idempotent confirm)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import load_workbook

from dudao.audit.models import AuditEntry
from dudao.core import spreadsheets
from dudao.imports import services
from dudao.imports.importers import IMPORTERS
from dudao.imports.importers.schools import SchoolImporter
from dudao.imports.models import ImportJob
from dudao.monitoring.inputs import write_template
from dudao.monitoring.models import SchoolResources
from dudao.schools.models import School

from .helpers import school_row, schools_file

pytestmark = pytest.mark.django_db


def test_every_import_kind_is_registered():
    assert {"schools", "inspectors", "assignments", "resources"} <= set(IMPORTERS)
    assert "resources" not in services.listed_kinds()  # uploaded from the monitoring screens


def test_writer_drop_downs_instructions_and_print_setup(world):
    data = services.template_bytes("schools", world.office)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [c.header for c in SchoolImporter.columns]
    assert ws.freeze_panes == "A2"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1"
    assert ws.column_dimensions["B"].width == 28
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any("小学" in f for f in formulas)  # 学校类型
    assert '"是,否"' in formulas
    assert wb.sheetnames[1] == spreadsheets.HELP_SHEET
    help_ws = wb[spreadsheets.HELP_SHEET]
    texts = [row[0] for row in help_ws.iter_rows(values_only=True) if row]
    assert "学校标识码" in texts and any(t and "公式" in t for t in texts)
    assert help_ws.print_title_rows


def test_monitoring_template_uses_the_shared_writer(tmp_path):
    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    ws = wb.worksheets[0]
    assert ws.title == "学校资源数据" and ws.freeze_panes == "A2"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert any("九年一贯制学校" in dv.formula1 for dv in ws.data_validations.dataValidation)
    assert "填写说明" in wb.sheetnames


def test_reader_reads_dates_and_refuses_formulas_naming_the_cell():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "名称"])
    ws.append([timezone.localdate(), "甲"])
    out = io.BytesIO()
    wb.save(out)
    rows = spreadsheets.read_table(out.getvalue(), ["名称", "日期"], keys=["name", "day"])
    assert rows[0][0] == 2 and rows[0][1]["name"] == "甲"
    assert rows[0][1]["day"].date() == timezone.localdate()
    ws["B3"] = "=A2"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(spreadsheets.SheetError) as info:
        spreadsheets.read_table(out.getvalue(), ["名称", "日期"], formulas="refuse")
    assert info.value.code == "formula" and "B3" in info.value.message


def _upload(data, name="schools.xlsx"):
    return SimpleUploadedFile(name, data)


def _schools(n, start=1):
    return [school_row(f"33000{i:05d}", f"学校{i}") for i in range(start, start + n)]


def test_progress_moves_during_the_apply(world, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 5000
    job = services.create_job(
        world.admin, world.office, "schools", _upload(schools_file(_schools(1200)))
    )
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    seen = []

    def record(job_, done, total):
        seen.append(
            (job_.status, done, total, School.all_objects.filter(office=world.office).count())
        )

    services.PROGRESS_LISTENERS.append(record)
    try:
        services.confirm_job(world.admin, job)
    finally:
        services.PROGRESS_LISTENERS.remove(record)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.processed_rows == 1200
    during = [(done, written) for status, done, _total, written in seen if status == "applying"]
    # several steps while the rows are written, each after some rows are in the database
    steps = sorted({done for done, _written in during})
    assert len(steps) >= 3 and steps[0] == 0 and steps[-1] == 1200
    assert any(0 < done < 1200 and 0 < written < 1200 for done, written in during)


def test_a_row_refused_in_the_middle_of_the_apply_changes_nothing(world, monkeypatch, tmp_path):
    """The resources importer writes row by row through the service; the second row's school
    vanishes between the check and its write: the first row is rolled back too."""
    from dudao.imports.importers import resources
    from tests.monitoring.webdata import record, xlsx

    rows = [record(world.school), record(world.zone_school), record(world.far_school)]
    content, name = xlsx(rows, tmp_path)
    with translation.override("en"):
        job = services.create_job(
            world.admin, world.office, "resources", _upload(content, name), params={"year": 2025}
        )
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    original = resources.ResourcesImporter.apply_row
    calls = []

    def apply_row(self, item, actor):
        calls.append(item["row"])
        if item["row"] == 3:
            School.all_objects.filter(pk=item["school_id"]).update(
                office=world.foreign_school.office
            )
        return original(self, item, actor)

    monkeypatch.setattr(resources.ResourcesImporter, "apply_row", apply_row)
    with translation.override("en"):
        assert services.confirm_job(world.admin, job)
    job.refresh_from_db()
    assert calls == [2, 3]
    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [{"row": 3, "column": "", "message": "The school no longer exists."}]
    assert not SchoolResources.all_objects.exists()
    assert not AuditEntry.all_objects.filter(target_type="monitoring.SchoolResources").exists()
    world.zone_school.refresh_from_db()
    assert world.zone_school.office_id == world.office.pk  # the move was rolled back too


def test_confirm_is_idempotent_for_every_kind(world):
    schools = services.create_job(
        world.admin, world.office, "schools", _upload(schools_file(_schools(3)))
    )
    assert services.confirm_job(world.admin, schools) is True
    assert services.confirm_job(world.admin, schools) is False
    schools.refresh_from_db()
    assert schools.status == ImportJob.Status.DONE and schools.summary["created"] == 3
    assert School.all_objects.filter(code__startswith="33000").count() == 3
    assert AuditEntry.all_objects.filter(action="import", target_id=str(schools.pk)).count() == 1


def test_both_kinds_of_import_through_the_one_job_model(world, tmp_path):
    from tests.monitoring.webdata import record, xlsx

    people = services.create_job(
        world.admin, world.office, "schools", _upload(schools_file(_schools(2)))
    )
    content, name = xlsx([record(world.school)], tmp_path)
    figures = services.create_job(
        world.admin, world.office, "resources", _upload(content, name), params={"year": 2025}
    )
    for job in (people, figures):
        assert job.status == ImportJob.Status.PREVIEW, job.errors or job.file_error
        assert services.confirm_job(world.admin, job)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.processed_rows == job.total_rows
    assert set(ImportJob.all_objects.values_list("kind", flat=True)) == {"schools", "resources"}
    assert SchoolResources.all_objects.get().year == 2025
    assert figures.get_absolute_url() == f"/monitoring/import/{figures.pk}/"
    assert people.get_absolute_url() == f"/imports/jobs/{people.pk}/"
