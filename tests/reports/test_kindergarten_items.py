"""The counts per supervision item in the monthly reports cover every item of the catalogue
(docs/rules.md §4): the eight items and the kindergarten areas (9–13), one row per item with
problems in the month, so an office without kindergartens has no empty kindergarten rows."""

import datetime
from collections import Counter

from django.urls import reverse
from django.utils import timezone, translation

from dudao.reports import builders, exporter
from tests.factories import SchoolFactory
from tests.factories_supervision import FindingFactory

from .helpers import body, docx_tables


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_area_rows_list_the_items_that_occur_in_catalogue_order():
    with translation.override("zh-hans"):
        assert builders.area_rows(Counter({10: 1, 6: 2, 13: 3})) == [
            [6, "校园及周边安全、学生交通安全", 2],
            [10, "安全卫生", 1],
            [13, "内部管理", 3],
        ]
        assert builders.area_rows(Counter({6: 1})) == [[6, "校园及周边安全、学生交通安全", 1]]
        assert builders.area_text(11) == "保育教育"


def test_monthly_reports_count_the_kindergarten_areas(world, client):
    kg = SchoolFactory(
        office=world.office,
        zone=world.zone,
        name="湖滨幼儿园",
        type="kindergarten",
        enrolment_primary=0,
        enrolment_kindergarten=200,
    )
    first = last_month()
    mine = {"inspector": world.inspector, "found_on": first.replace(day=10)}
    FindingFactory(school=world.school, area=6, description="消防通道堆放杂物", **mine)
    FindingFactory(school=kg, area=10, description="午睡室通风不良", **mine)
    FindingFactory(school=kg, area=10, description="晨检记录不全", **mine)

    report = exporter.build(
        "inspector_monthly", world.admin, world.inspector, first.year, first.month
    )
    assert report.figures["by_area"] == {6: 1, 10: 2}

    client.force_login(world.admin)
    for url in (
        reverse(
            "reports:inspector_monthly",
            args=[world.inspector.pk, first.year, first.month, "docx"],
        ),
        reverse("reports:office_monthly", args=[first.year, first.month, "docx"]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        rows = [row for table in docx_tables(body(response)) for row in table]
        assert ["6", "校园及周边安全、学生交通安全", "1"] in rows, url
        assert ["10", "安全卫生", "2"] in rows, url
        item_rows = [row for row in rows if len(row) == 3 and row[0] in {"9", "11", "12", "13"}]
        assert item_rows == [], url  # no empty rows for the areas without problems
