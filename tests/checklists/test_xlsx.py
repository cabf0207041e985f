"""The checklist spreadsheet: an export imports again unchanged (export → import → equal), an
import replaces a draft's items all or nothing, and every problem names its row and column."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.checklists import importer, services, shipped
from dudao.checklists.models import ChecklistTemplate
from dudao.core.errors import DomainError
from dudao.core.spreadsheets import build_workbook, workbook_bytes
from dudao.imports.models import ImportJob


def upload(content: bytes, name="检查表.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def content(checklist):
    data = shipped.canonical_rows(checklist)
    return data["sections"]


def imported(world, target, data: bytes):
    job = services.import_preview(world.admin, target, upload(data))
    return job


def test_export_import_round_trip(world, builtin):
    target = services.create_checklist(world.admin, title="空表")
    job = imported(world, target, importer.checklist_xlsx(builtin))
    assert job.status == ImportJob.Status.PREVIEW, job.errors or job.file_error
    assert job.summary["created"] == builtin.items.count()
    counts = services.import_confirm(world.admin, job)
    assert counts["created"] == builtin.items.count()
    target = ChecklistTemplate.objects.unscoped().get(pk=target.pk)
    assert content(target) == content(builtin)
    assert services.publish_problems(target) == []


@pytest.mark.parametrize("key", shipped.BUILTIN_KEYS)
def test_every_builtin_round_trips(world, key):
    shipped.ensure_builtin_checklists()
    source = (
        ChecklistTemplate.objects.unscoped().filter(office__isnull=True, key=key).latest("revision")
    )
    target = services.create_checklist(world.admin, title="空表")
    job = imported(world, target, importer.checklist_xlsx(source))
    services.import_confirm(world.admin, job)
    assert content(ChecklistTemplate.objects.unscoped().get(pk=target.pk)) == content(source)


def test_an_import_replaces_the_draft_s_items(world, draft, builtin):
    job = imported(world, draft, importer.checklist_xlsx(builtin))
    services.import_confirm(world.admin, job)
    assert draft.items.count() == builtin.items.count()
    assert not draft.items.filter(question="课后服务质量").exists()
    assert content(draft) == content(builtin)


def sheet(*rows):
    return workbook_bytes(build_workbook(importer.COLUMNS, rows))


ROW = ["一、作业", "1.1", "作业公示", "是否", "", "是", "", None, None, "否", "", "", ""]


def row(**changes):
    keys = [c.key for c in importer.COLUMNS]
    values = list(ROW)
    for key, value in changes.items():
        values[keys.index(key)] = value
    return values


def errors_of(world, draft, *rows):
    job = imported(world, draft, sheet(*rows))
    assert job.status == ImportJob.Status.INVALID
    return {(e["row"], e["column"]) for e in job.errors}, job


def test_errors_name_the_row_and_the_column(world, draft):
    before = content(draft)
    found, job = errors_of(
        world,
        draft,
        row(),
        row(code="1.2", answer_type="数值", standard_min=90, standard_max=60, compliant=""),
        row(code="1.3", answer_type="等级", choices="", compliant="好"),
        row(code="1.1"),
        row(code="1.5", answer_type="问答"),
        row(code="1.6", school_types="小学、大学"),
        row(code="1.7", supervision_item="99"),
        row(code="1.8", compliant="也许"),
        row(code="1.9", question=""),
        row(code="2.0", standard_max="很多", answer_type="数值", compliant=""),
    )
    assert found == {
        (3, "最大值"),
        (4, "选项"),
        (4, "达标答案"),
        (5, "编号"),
        (6, "答案类型"),
        (7, "适用学校类型"),
        (8, "督导事项"),
        (9, "达标答案"),
        (10, "检查内容"),
        (11, "最大值"),
    }
    assert all(e["message"] for e in job.errors)
    assert content(draft) == before  # nothing imported


def test_messages_are_in_the_user_s_language(world, draft):
    from django.utils import translation

    with translation.override("en"):
        _found, job = errors_of(world, draft, row(answer_type="问答"))
    assert "Unknown value" in job.errors[0]["message"]


def test_a_published_checklist_takes_no_import(world, draft):
    services.publish(world.admin, draft)
    with pytest.raises(DomainError):
        imported(world, draft, sheet(row()))


def test_a_draft_published_before_the_confirm_is_left_alone(world, draft, builtin):
    job = imported(world, draft, importer.checklist_xlsx(builtin))
    services.publish(world.admin, draft)
    with pytest.raises(DomainError):
        services.import_confirm(world.admin, job)
    assert draft.items.count() == 3


def test_the_export_has_the_instructions(builtin):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(importer.checklist_xlsx(builtin)))
    assert wb.sheetnames[:2] == ["检查项", "填写说明"]
    ws = wb["检查项"]
    assert [c.value for c in ws[1]] == [c.header for c in importer.COLUMNS]
    assert ws.max_row >= builtin.items.count() + 1
