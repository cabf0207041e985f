"""The roll-up pages (dudao/rollup/views.py): the overview, its JSON, the summaries and
their XLSX, and the drill-down into a county's read-only dashboard."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dudao.core.dates import last_complete_month
from dudao.reports import exporter
from tests.factories_supervision import VisitFactory, at

pytestmark = pytest.mark.django_db


def month_param():
    year, month = last_complete_month(timezone.localdate())
    return f"{year:04d}-{month:02d}"


@pytest.fixture
def viewer_client(client, world, second_county):
    _office_b, schools_b, _inspector = second_county
    year, month = last_complete_month(timezone.localdate())
    day = datetime.date(year, month, 5)
    VisitFactory(school=world.school, created_by=world.admin, visited_at=at(day))
    VisitFactory(school=schools_b[0], created_by=world.admin, visited_at=at(day))
    client.force_login(world.viewer)
    return client


def test_the_overview_compares_the_counties_of_the_region(viewer_client, world, second_county):
    response = viewer_client.get(reverse("rollup:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.office.name in page and second_county[0].name in page
    assert world.other_office.name not in page  # another province
    data = response.context["data"]
    assert data["month"] == month_param()
    assert data["total"]["visits"] == 2
    assert len(data["not_submitted"]) == 2
    assert 'id="rollup-data"' in page


def test_the_overview_answers_in_a_fixed_number_of_queries(
    viewer_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        viewer_client.get(reverse("rollup:overview"))


def test_a_month_not_yet_ended_shows_the_last_complete_month(viewer_client):
    today = timezone.localdate()
    response = viewer_client.get(reverse("rollup:overview_data"), {"month": f"{today:%Y-%m}"})
    assert response.json()["month"] == month_param()
    response = viewer_client.get(reverse("rollup:overview_data"), {"month": "nonsense"})
    assert response.json()["month"] == month_param()


def test_the_drill_down_is_the_county_dashboard_read_only(viewer_client, world):
    response = viewer_client.get(reverse("rollup:county", args=[world.office.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboards:overview"))
    assert f"office={world.office.pk}" in response["Location"]
    page = viewer_client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["scope"].office == world.office
    # Outside the viewer's region: not found.
    other = viewer_client.get(reverse("rollup:county", args=[world.other_office.pk]))
    assert other.status_code == 404


@pytest.mark.parametrize("query", [{"month": "PARAM"}, {"year": "YEAR"}])
def test_the_summaries_download_as_xlsx_with_the_total_last(viewer_client, world, query):
    year = int(month_param()[:4])
    query = {k: (month_param() if v == "PARAM" else str(year)) for k, v in query.items()}
    page = viewer_client.get(reverse("rollup:summary"), query)
    assert page.status_code == 200
    response = viewer_client.get(reverse("rollup:summary_xlsx"), query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    names = [row[0] for row in rows]
    assert world.office.name in names
    assert re.fullmatch(r"Total|合计", str(names[-1]))
    args = (year, int(query["month"][5:])) if "month" in query else (year, None)
    columns = exporter.build("rollup_summary", world.viewer, *args).tables()[0].columns
    header = names.index(world.office.name) - 1
    assert rows[header][: len(columns)] == columns
    counties = rows[header + 1 : -1]
    visits = 5  # the Visits column (dudao/rollup/report.py)
    total_visits = rows[-1][visits]
    assert int(total_visits) == sum(int(r[visits]) for r in counties)
    assert int(total_visits) == 2


def test_an_office_admin_has_no_roll_up(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("rollup:overview")).status_code == 403
