"""Building test workbooks in memory."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dudao.imports.importers import IMPORTERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers(kind):
    return [c.header for c in IMPORTERS[kind].columns]


def xlsx_bytes(header_row, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(header_row)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data, name="data.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def school_row(code, name="新建小学", type_="小学", township="", zone="", **extra):
    """A schools-template row as a list, with enrolment at the primary level by default."""
    values = {
        "学校标识码": code,
        "学校名称": name,
        "学校类型": type_,
        "办学性质": "公办",
        "城乡": "城镇",
        "乡镇（街道）": township,
        "责任区": zone,
        "地址": "解放路1号",
        "校长": "王校长",
        "联系电话": "0571-88880001",
        "幼儿园在园人数": 0,
        "小学在校生数": 500,
        "初中在校生数": 0,
        "高中在校生数": 0,
        "主校标识码": None,
        "是否在用": "是",
    }
    values.update(extra)
    return [values[h] for h in headers("schools")]


def schools_file(rows):
    return xlsx_bytes(headers("schools"), rows)
