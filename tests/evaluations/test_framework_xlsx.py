"""The framework spreadsheet: an export imports again unchanged (export → import → the same
tree), the command line reads the export as it is, an import replaces a draft's indicators
all or nothing, and every problem names its row and column."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.core.errors import DomainError
from dudao.core.spreadsheets import build_workbook, workbook_bytes
from dudao.evaluations import framework_importer as importer
from dudao.evaluations import framework_services as services
from dudao.evaluations import shipped
from dudao.evaluations.engine import read_framework_file
from dudao.evaluations.models import Framework
from dudao.imports.models import ImportJob
from tests.evaluations.test_framework_services import make_draft

HEADERS = [c.header for c in importer.COLUMNS]


def upload(content: bytes, name="指标体系.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def rows_of(framework):
    """The stored tree as the file's rows (every column), depth first."""
    return services.spec_of(fresh(framework)).to_rows()


def fresh(framework):
    return Framework.objects.unscoped().get(pk=framework.pk)


def builtin(key):
    return Framework.objects.unscoped().filter(office__isnull=True, key=key).latest("revision")


def sheet(*rows, headers=HEADERS):
    columns = [c for c in importer.COLUMNS if c.header in headers]
    return workbook_bytes(build_workbook(columns, rows))


@pytest.fixture
def target(world):
    return services.create_framework(world.admin, title="空体系")


@pytest.mark.parametrize("key", shipped.BUILTIN_KEYS)
def test_every_builtin_round_trips(world, target, key):
    source = builtin(key)
    job = services.import_preview(world.admin, target, upload(importer.framework_xlsx(source)))
    assert job.status == ImportJob.Status.PREVIEW, job.errors or job.file_error
    assert job.summary["created"] == source.indicators.count()
    counts = services.import_confirm(world.admin, job)
    assert counts["created"] == source.indicators.count()
    assert rows_of(target) == rows_of(source)
    assert fresh(target).total_max == source.total_max
    services.publish(world.admin, target)


def test_an_edited_draft_round_trips(world, target):
    source = make_draft(world.admin, title="自建")
    services.add_indicator(
        world.admin,
        source,
        code="A3",
        title="师生比",
        max_score="2.5",
        method="formula",
        formula="min(1, teachers / (pupils / 19)) * 2.5",
        guide="按公式计算",
        evidence="花名册",
    )
    job = services.import_preview(world.admin, target, upload(importer.framework_xlsx(source)))
    services.import_confirm(world.admin, job)
    assert rows_of(target) == rows_of(source)
    assert fresh(target).total_max == 32.5


@pytest.mark.django_db
def test_the_command_line_reads_the_export(tmp_path):
    source = builtin(shipped.SCHOOL_1000)
    path = tmp_path / "framework.xlsx"
    path.write_bytes(importer.framework_xlsx(source))
    spec = read_framework_file(path)
    assert spec.to_rows() == rows_of(source)
    assert spec.total_max == 1000


@pytest.mark.django_db
def test_the_export_has_the_command_s_columns_and_the_instructions():
    from openpyxl import load_workbook

    source = builtin(shipped.COMPULSORY_QUALITY)
    wb = load_workbook(io.BytesIO(importer.framework_xlsx(source)))
    assert wb.sheetnames[:2] == ["指标", "填写说明"]
    ws = wb["指标"]
    assert [c.value for c in ws[1]] == [
        "code",
        "parent",
        "title",
        "max_score",
        "method",
        "levels",
        "guide",
        "evidence",
        "formula",
    ]
    assert ws.max_row >= source.indicators.count() + 1
    assert [c.value for c in ws[2]][:5] == ["A1", None, "办学方向", 20, None]
    assert [c.value for c in ws[4]][:6] == [
        "C1",
        "B1",
        "坚持党的全面领导",
        3,
        "levels",
        "A:1,B:0.8,C:0.6,D:0",
    ]


def test_a_csv_file_as_the_command_reads_it(world, target):
    path = shipped.BUILTIN_DIR / f"{shipped.TOWNSHIP_TARGETS}.csv"
    job = services.import_preview(world.admin, target, upload(path.read_bytes(), "乡镇.csv"))
    assert job.status == ImportJob.Status.PREVIEW, job.errors or job.file_error
    services.import_confirm(world.admin, job)
    assert rows_of(target) == rows_of(builtin(shipped.TOWNSHIP_TARGETS))


def test_the_optional_columns_may_be_left_out(world, target):
    headers = ["code", "parent", "title", "max_score", "method", "levels"]
    data = sheet(
        ["A1", "", "领导职责", 10, "", ""],
        ["B1", "A1", "研究教育工作", 6, "points", ""],
        ["B2", "A1", "责任书", 4, "levels", "A:1,B:0.5"],
        headers=headers,
    )
    job = services.import_preview(world.admin, target, upload(data))
    services.import_confirm(world.admin, job)
    assert [r["code"] for r in rows_of(target)] == ["A1", "B1", "B2"]
    assert fresh(target).total_max == 10


def test_an_import_replaces_the_draft_s_indicators(world):
    draft = make_draft(world.admin)
    data = sheet(["X1", "", "唯一指标", 5, "yesno", "", "", "", ""])
    job = services.import_preview(world.admin, draft, upload(data))
    services.import_confirm(world.admin, job)
    assert [r["code"] for r in rows_of(draft)] == ["X1"]
    assert fresh(draft).total_max == 5


def errors_of(world, draft, *rows):
    job = services.import_preview(world.admin, draft, upload(sheet(*rows)))
    assert job.status == ImportJob.Status.INVALID
    return {(e["row"], e["column"]) for e in job.errors}, job


def test_errors_name_the_row_and_the_column_and_nothing_changes(world):
    draft = make_draft(world.admin)
    before = rows_of(draft)
    found, job = errors_of(
        world,
        draft,
        ["A1", "", "办学方向", 20, "", "", "", "", ""],  # row 2: B1 + B2 = 15, not 20
        ["B1", "A1", "党建", 10, "points", "", "", "", ""],
        ["B2", "A1", "德育", 5, "levels", "A:1,B:2", "", "", ""],  # row 4: a share above 1
        ["B1", "A1", "重复", 5, "points", "", "", "", ""],  # row 5: the code again
        ["B3", "A9", "孤儿", 5, "points", "", "", "", ""],  # row 6: unknown parent
        ["C1", "B1", "无方式", 5, "", "", "", "", ""],  # row 7: a leaf without a method
        ["V1", "", "否决", 3, "veto", "", "", "", ""],  # row 8: a veto item's maximum
        ["A2", "", "分值", "十", "points", "", "", "", ""],  # row 9: not a number
    )
    assert {
        (2, "max_score"),
        (4, "levels"),
        (5, "code"),
        (6, "parent"),
        (7, "method"),
        (8, "max_score"),
        (9, "max_score"),
    } <= found
    assert all(e["message"] for e in job.errors)
    assert rows_of(draft) == before  # nothing imported
    with pytest.raises(DomainError):
        services.import_confirm(world.admin, job)
    assert rows_of(draft) == before


def test_a_cycle_is_reported(world, target):
    found, _job = errors_of(
        world,
        target,
        ["A1", "", "根", 10, "points", "", "", "", ""],
        ["B1", "C1", "甲", 5, "", "", "", "", ""],
        ["C1", "B1", "乙", 5, "points", "", "", "", ""],
    )
    assert (3, "parent") in found


def test_messages_are_in_the_user_s_language(world, target):
    from django.utils import translation

    with translation.override("en"):
        _found, job = errors_of(world, target, ["A1", "A9", "根", 10, "points", "", "", "", ""])
    assert "Unknown parent A9" in job.errors[0]["message"]


def test_a_file_without_the_command_s_columns_is_refused(world, target):
    from dudao.checklists import importer as checklists

    data = workbook_bytes(build_workbook(checklists.COLUMNS, [["一", "1.1", "问"]]))
    job = services.import_preview(world.admin, target, upload(data))
    assert job.status == ImportJob.Status.INVALID and job.file_error
    assert not target.indicators.exists()


def test_a_published_framework_takes_no_import(world):
    draft = make_draft(world.admin)
    services.publish(world.admin, draft)
    with pytest.raises(DomainError):
        services.import_preview(world.admin, draft, upload(sheet(["A1", "", "x", 1, "points"])))


def test_a_draft_published_before_the_confirm_is_left_alone(world):
    draft = make_draft(world.admin)
    source = builtin(shipped.COUNTY_GOVERNMENT)
    job = services.import_preview(world.admin, draft, upload(importer.framework_xlsx(source)))
    services.publish(world.admin, draft)
    with pytest.raises(DomainError):
        services.import_confirm(world.admin, job)
    assert draft.indicators.count() == 6


def test_another_office_confirms_nothing(world, target):
    source = builtin(shipped.COUNTY_GOVERNMENT)
    job = services.import_preview(world.admin, target, upload(importer.framework_xlsx(source)))
    with pytest.raises(DomainError):
        services.import_confirm(world.other_admin, job)
    assert not target.indicators.exists()
