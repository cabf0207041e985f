import io
import os

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dudao.audit.models import AuditEntry
from dudao.imports.models import ImportJob
from dudao.inspectors.models import Assignment, Inspector
from dudao.schools.models import School

from .helpers import headers, school_row, schools_file, upload, xlsx_bytes

TOWNSHIP = "上城区湖滨街道"


def counts():
    return (
        School.all_objects.count(),
        Inspector.all_objects.count(),
        Assignment.all_objects.count(),
        AuditEntry.all_objects.exclude(action__in=["login", "login_failed"]).count(),
    )


@pytest.mark.parametrize("kind", ["schools", "inspectors", "assignments"])
def test_template_download(world, login, kind):
    response = login(world.admin).get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == headers(kind)
    assert ws.freeze_panes == "A2"
    assert "填写说明" in wb.sheetnames
    if kind != "assignments":
        assert ws.data_validations.dataValidation  # drop-downs for the choice columns


def test_good_file_imports_with_audit(world, run_import, confirm):
    data = schools_file(
        [
            school_row("3300000001", "新建小学", township=TOWNSHIP, zone="第一责任区"),
            school_row("3300000002", "新建幼儿园", "幼儿园", 幼儿园在园人数=120, 小学在校生数=0),
            school_row("3300000003", "山里教学点", "教学点", 主校标识码="3300000001"),
            school_row(
                "3300000004", "九年一贯制", "nine_year", 初中在校生数=300
            ),  # value, not label
        ]
    )
    job = run_import("schools", data)
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    assert job.summary["created"] == 4 and job.summary["updated"] == 0
    assert not School.all_objects.filter(code="3300000001").exists()  # preview changes nothing
    job = confirm(job)
    assert job.status == ImportJob.Status.DONE
    assert job.summary == {"created": 4, "updated": 0, "unchanged": 0}
    school = School.all_objects.get(code="3300000001")
    assert school.office == world.office
    assert school.township.name == TOWNSHIP and school.zone == world.zone
    assert School.all_objects.get(code="3300000002").type == "kindergarten"
    assert School.all_objects.get(code="3300000003").host_school == school
    assert School.all_objects.get(code="3300000004").enrolment_junior == 300
    creates = AuditEntry.all_objects.filter(action="create", target_type="schools.School")
    assert creates.count() == 4
    entry = creates.get(target_id=str(school.pk))
    assert entry.actor == world.admin and entry.office == world.office
    assert entry.changes["after"]["name"] == "新建小学"
    summary = AuditEntry.all_objects.get(action="import")
    assert summary.changes["created"] == 4 and summary.target_id == str(job.pk)


def test_reimport_is_idempotent_and_updates_by_code(world, run_import, confirm):
    rows = [school_row("3300000001", "新建小学"), school_row("3300000002", "另一小学")]
    confirm(run_import("schools", schools_file(rows)))
    before = counts()
    again = run_import("schools", schools_file(rows))
    assert again.summary["unchanged"] == 2
    assert again.summary["created"] == again.summary["updated"] == 0
    assert confirm(again).status == ImportJob.Status.DONE
    assert counts()[:3] == before[:3]
    assert counts()[3] == before[3] + 1  # only the `import` summary row
    rows[0] = school_row("3300000001", "更名小学", 小学在校生数=650)
    job = run_import("schools", schools_file(rows))
    assert (job.summary["updated"], job.summary["unchanged"]) == (1, 1)
    confirm(job)
    school = School.all_objects.get(code="3300000001")
    assert (school.name, school.enrolment_primary) == ("更名小学", 650)
    update = AuditEntry.all_objects.get(action="update", target_id=str(school.pk))
    assert update.changes["name"] == ["新建小学", "更名小学"]
    assert update.changes["enrolment_primary"] == [500, 650]


def test_confirm_twice_does_nothing_more(world, run_import, confirm, login):
    job = run_import("schools", schools_file([school_row("3300000001")]))
    client = login(world.admin)
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 302
    after_first = counts()
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 302
    assert counts() == after_first
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert AuditEntry.all_objects.filter(action="import").count() == 1


def test_apply_revalidates(world, run_import, confirm):
    """Data changed between preview and confirm: the apply refuses and changes nothing."""
    job = run_import("schools", schools_file([school_row("3300000001", zone="第一责任区")]))
    assert job.status == ImportJob.Status.PREVIEW
    world.zone.schools.update(zone=None)
    Inspector.all_objects.filter(zone=world.zone).update(zone=None)
    world.zone.delete()
    before = counts()
    job = confirm(job)
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["column"] == "责任区"
    assert counts() == before


def _bad_workbook_with_formula():
    wb = Workbook()
    ws = wb.active
    ws.append(headers("schools"))
    ws.append(school_row("3300000001"))
    ws.append(school_row("3300000002"))
    ws["C3"] = '=IF(1,"小学","")'
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FILE_ERRORS = {
    "wrong headers": (
        lambda: xlsx_bytes(["学校标识码", "名称", *headers("schools")[2:]], [["3300000001"]]),
        ["missing: 学校名称", "unknown: 名称"],
    ),
    "empty sheet": (lambda: xlsx_bytes(headers("schools"), []), ["no data rows"]),
    "blank workbook": (lambda: xlsx_bytes([], []), ["missing: 学校标识码"]),
    "text renamed": (lambda: "学校标识码,学校名称\n1,2\n".encode(), ["not an Excel .xlsx file"]),
    "zip but not xlsx": (None, ["could not be read as an Excel workbook"]),
    "formula": (_bad_workbook_with_formula, ["Cell C3 holds a formula", "paste"]),
}


def _zip_not_xlsx():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(FILE_ERRORS))
def test_file_level_errors_change_nothing(world, run_import, case):
    make, expected = FILE_ERRORS[case]
    data = make() if make else _zip_not_xlsx()
    before = counts()
    job = run_import("schools", data)
    assert job.status == ImportJob.Status.INVALID
    for text in expected:
        assert text in job.file_error, job.file_error
    assert job.errors == []
    assert counts() == before


def test_twenty_megabyte_file_is_refused_before_reading(world, run_import, login):
    data = os.urandom(20 * 1024 * 1024)
    before = counts()
    job = run_import("schools", data)
    assert job.status == ImportJob.Status.INVALID
    assert "20.0 MB" in job.file_error and "10 MB" in job.file_error
    assert not job.file  # not even stored
    assert counts() == before
    # Through the web form too.
    response = login(world.admin).post(
        reverse("imports:upload", args=["schools"]), {"file": upload(data, "big.xlsx")}
    )
    assert response.status_code == 302
    assert counts() == before


ROW_ERRORS = {
    "duplicate code": (
        [school_row("3300000001"), school_row("3300000001", "重复")],
        (3, "学校标识码", "also appears on row 3"),
    ),
    "bad code": ([school_row("33000001")], (2, "学校标识码", "exactly 10 digits")),
    "code of another office": (
        [school_row("FOREIGN")],  # replaced by the foreign school's code below
        (2, "学校标识码", "another office"),
    ),
    "missing name": ([school_row("3300000001", "")], (2, "学校名称", "required")),
    "missing type": ([school_row("3300000001", type_=None)], (2, "学校类型", "required")),
    "unknown township": (
        [school_row("3300000001", township="火星街道")],
        (2, "乡镇（街道）", "Unknown township"),
    ),
    "unknown zone": ([school_row("3300000001", zone="第九责任区")], (2, "责任区", "Unknown zone")),
    "unknown type": ([school_row("3300000001", type_="大学")], (2, "学校类型", "Unknown value")),
    "invalid phone": (
        [school_row("3300000001", 联系电话="12345")],
        (2, "联系电话", "valid phone number"),
    ),
    "negative number": (
        [school_row("3300000001", 小学在校生数=-5)],
        (2, "小学在校生数", "zero or more"),
    ),
    "text number": (
        [school_row("3300000001", 小学在校生数="五百")],
        (2, "小学在校生数", "not a number"),
    ),
    "decimal number": (
        [school_row("3300000001", 小学在校生数=500.5)],
        (2, "小学在校生数", "not a decimal"),
    ),
    "level the type lacks": (
        [school_row("3300000001", type_="初级中学", 初中在校生数=300)],
        (2, "小学在校生数", "has no primary enrolment"),
    ),
    "unknown host": (
        [school_row("3300000001", type_="教学点", 主校标识码="3300009999")],
        (2, "主校标识码", "Unknown host school"),
    ),
    "teaching point without host": (
        [school_row("3300000001", type_="教学点")],
        (2, "主校标识码", "needs a host school"),
    ),
    "bad active flag": ([school_row("3300000001", 是否在用="也许")], (2, "是否在用", "是")),
}


@pytest.mark.parametrize("case", sorted(ROW_ERRORS))
def test_row_errors_change_nothing(world, run_import, case):
    rows, (row, column, text) = ROW_ERRORS[case]
    rows = [list(r) for r in rows]
    if case == "code of another office":
        rows[0][0] = world.foreign_school.code
    good = school_row("3300000100", "好学校")
    before = counts()
    job = run_import("schools", schools_file([good, *rows]))
    assert job.status == ImportJob.Status.INVALID
    wanted = {"row": row + 1, "column": column}
    matching = [e for e in job.errors if {"row": e["row"], "column": e["column"]} == wanted]
    assert matching, job.errors
    assert text in matching[0]["message"], matching[0]["message"]
    assert counts() == before


def test_error_page_shows_rows(world, login, run_import):
    job = run_import("schools", schools_file([school_row("3300000001", township="火星街道")]))
    body = login(world.admin).get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "火星街道" in body and "乡镇（街道）" in body
