import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from dudao.rectification.ledger import filtered_findings
from dudao.rectification.models import Escalation, Finding, FollowUp, Response
from dudao.reports import builders
from tests.factories_supervision import FindingFactory, at

from .helpers import body

URL = reverse("reports:ledger_xlsx")


def workbook(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return response, load_workbook(io.BytesIO(body(response))).active


def data_rows(sheet):
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def columns():
    with translation.override("zh-hans"):
        return builders.ledger_columns()


@pytest.fixture
def findings(world):
    today = timezone.localdate()
    mine = FindingFactory(
        school=world.school,
        inspector=world.inspector,
        description="食堂留样记录不全",
        area=7,
        severity="key",
        required_action="补齐留样记录",
        found_on=today - datetime.timedelta(days=20),
        deadline=today - datetime.timedelta(days=5),
        is_overdue=True,
        urge_count=2,
        escalated_to=Escalation.COUNTY,
        status="urged",
    )
    for days, text in ((12, "已补齐"), (4, "已建立留样台账，专人负责")):
        Response.objects.create(finding=mine, text=text)
        Response.objects.filter(finding=mine, text=text).update(
            submitted_at=at(today - datetime.timedelta(days=days))
        )
    FollowUp.objects.create(
        finding=mine, checked_at=at(today - datetime.timedelta(days=9)), result="rejected"
    )
    FollowUp.objects.create(
        finding=mine, checked_at=at(today - datetime.timedelta(days=3)), result="rejected"
    )
    spot = FindingFactory(
        school=world.zone_school,
        inspector=world.other_inspector,
        description="走廊灭火器过期",
        deadline_kind=Finding.DeadlineKind.ON_THE_SPOT,
        deadline=today,
        needs_other_department=True,
    )
    far = FindingFactory(school=world.far_school, description="围墙破损")
    foreign = FindingFactory(school=world.foreign_school, description="外县问题")
    return {"mine": mine, "spot": spot, "far": far, "foreign": foreign}


def test_layout_and_columns(world, client, findings):
    client.force_login(world.admin)
    response, sheet = workbook(client)
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(".xlsx")
    assert world.office.name in sheet["A1"].value
    header = [cell.value for cell in sheet[2]]
    assert header == columns()
    assert header == [
        "序号",
        "学校",
        "责任督学",
        "督导事项",
        "问题描述",
        "问题等级",
        "发现日期",
        "整改期限",
        "整改要求",
        "整改措施",
        "整改状态",
        "复查日期",
        header[12],  # "Closing date": 销号日期 (in the catalogue from the lead's make messages)
        "备注",
    ]
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.column_dimensions["E"].width >= 30


def test_row_contents(world, client, findings):
    client.force_login(world.admin)
    _response, sheet = workbook(client)
    rows = {row[4]: row for row in data_rows(sheet)}
    assert set(rows) == {"食堂留样记录不全", "走廊灭火器过期", "围墙破损"}
    mine = rows["食堂留样记录不全"]
    today = timezone.localdate()
    assert mine[1] == "湖滨小学"
    assert mine[2] == "张督学"
    assert mine[3] == "食堂、食品、饮水及宿舍卫生"  # 督导事项
    assert mine[5] == "重点问题"  # 问题等级
    assert mine[6].date() == today - datetime.timedelta(days=20)
    assert mine[7].date() == today - datetime.timedelta(days=5)
    assert mine[8] == "补齐留样记录"  # 整改要求: the inspector's
    assert mine[9] == "已建立留样台账，专人负责"  # 整改措施: the school's latest response
    with translation.override("zh-hans"):
        assert mine[10] == builders.status_text(findings["mine"])
        assert _("Fix on the spot") in rows["走廊灭火器过期"][7]
        assert _("Needs another department") in rows["走廊灭火器过期"][13]
    assert mine[11].date() == today - datetime.timedelta(days=3)  # the latest follow-up
    assert mine[12] is None  # not closed
    assert "2" in mine[13]  # urged twice
    assert rows["围墙破损"][9] is None  # no response yet
    assert [row[0] for row in data_rows(sheet)] == [1, 2, 3]


def test_closed_on_the_spot_has_its_closing_date_as_follow_up_date(world, client, findings):
    """立行立改: no follow-up check; 复查日期 and 销号日期 are the closing date (Beijing)."""
    today = timezone.localdate()
    closed = at(today, 0) + datetime.timedelta(minutes=5)  # 00:05 Beijing: yesterday in UTC
    FindingFactory(
        school=world.school,
        inspector=world.inspector,
        description="楼道灯不亮",
        deadline_kind=Finding.DeadlineKind.ON_THE_SPOT,
        deadline=today,
        status="closed",
        closed_at=closed,
    )
    client.force_login(world.admin)
    _response, sheet = workbook(client)
    row = {row[4]: row for row in data_rows(sheet)}["楼道灯不亮"]
    assert row[11].date() == today and row[12].date() == today


def test_rows_equal_the_ledgers_for_the_same_filter(world, client, findings):
    client.force_login(world.admin)
    for query in ["", f"?school={world.school.pk}", "?overdue=yes", f"?zone={world.zone.pk}"]:
        _response, sheet = workbook(client, query)
        params = dict(p.split("=") for p in query[1:].split("&")) if query else {}
        _form, expected = filtered_findings(world.admin, params)
        assert [row[4] for row in data_rows(sheet)] == [f.description for f in expected], query


def test_scope(world, client, findings):
    client.force_login(world.inspector_user)
    _response, sheet = workbook(client)
    assert [row[4] for row in data_rows(sheet)] == ["食堂留样记录不全"]
    client.force_login(world.viewer)
    _response, sheet = workbook(client)
    assert "外县问题" not in [row[4] for row in data_rows(sheet)]
    client.force_login(world.school_user)
    assert client.get(URL).status_code == 403


def test_invalid_filter_exports_nothing(world, client, findings):
    client.force_login(world.admin)
    _response, sheet = workbook(client, "?found_from=2026-10-10&found_to=2026-10-01")
    assert data_rows(sheet) == []


def test_query_count_does_not_grow_with_rows(world, client, findings):
    client.force_login(world.admin)
    client.get(URL)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for _n in range(12):
        finding = FindingFactory(school=world.zone_school, inspector=world.other_inspector)
        FollowUp.objects.create(finding=finding, checked_at=timezone.now(), result="rejected")
    with CaptureQueriesContext(connection) as many:
        _response, sheet = workbook(client)
    assert len(data_rows(sheet)) == 15
    assert len(many) == len(few)


def test_every_body_cell_is_styled_and_only_formula_like_texts_are_quoted(world, client, findings):
    """The body's styles are built once and copied (exporter.to_xlsx): every cell keeps the
    border, wrapping and date format, and the quote prefix stays on the cell that needs it."""
    Finding.all_objects.filter(pk=findings["spot"].pk).update(description="=1+1 看似公式")
    client.force_login(world.admin)
    _, sheet = workbook(client)
    body_cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row]
    assert len(body_cells) >= 3 * len(columns())
    assert all(cell.border.left.style == "thin" for cell in body_cells)
    assert all(cell.alignment.wrap_text for cell in body_cells)
    quoted = [cell for cell in body_cells if cell.quotePrefix]
    assert [cell.value for cell in quoted] == ["=1+1 看似公式"]
    dates = [cell for cell in body_cells if isinstance(cell.value, datetime.datetime)]
    assert dates and all(cell.number_format == "yyyy-mm-dd" for cell in dates)
