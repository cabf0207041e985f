"""Each inspector's training hours in a calendar year against the office's requirement
(docs/rules.md §29), and the figures the summaries quote (`training.queries`)."""

import datetime
import decimal
import io

import pytest
from django.urls import reverse

from dudao.training import queries, services
from dudao.training.models import Attendance

from .conftest import make_session

D = decimal.Decimal
DAY = datetime.timedelta(days=1)
Presence = Attendance.Presence

pytestmark = pytest.mark.any_day


@pytest.fixture
def year_of_training(world, today):
    """This year: 6 h on 1 January and 3 h today; last year: 4 h on 31 December."""
    year = today.year
    first = make_session(world, datetime.date(year, 1, 1), hours="6", topic="年初培训")
    now = make_session(world, today, hours="3", topic="今日讲座")
    before = make_session(world, datetime.date(year - 1, 12, 31), hours="4", topic="去年培训")
    admin = world.admin
    services.record_attendance(admin, first, world.inspector, presence=Presence.ATTENDED)
    services.record_attendance(admin, now, world.inspector, presence=Presence.ATTENDED, hours="2")
    services.record_attendance(admin, before, world.inspector, presence=Presence.ATTENDED)
    services.record_attendance(admin, first, world.other_inspector, presence=Presence.ABSENT)
    services.record_attendance(admin, now, world.other_inspector, presence=Presence.ATTENDED)
    services.record_attendance(admin, first, world.leader, presence=Presence.EXCUSED)
    return first, now, before


def test_hours_by_inspector_counts_the_calendar_year_only(world, today, year_of_training):
    hours = queries.hours_by_inspector(world.office, today.year)
    assert hours == {world.inspector.pk: D("8.0"), world.other_inspector.pk: D("3.0")}
    assert queries.hours_by_inspector(world.office, today.year - 1) == {
        world.inspector.pk: D("4.0")
    }
    assert queries.hours_by_inspector(world.other_office, today.year) == {}


def test_sessions_held_and_the_figures_of_a_range(world, today, year_of_training):
    first, now, _before = year_of_training
    start, end = datetime.date(today.year, 1, 1), today
    held = list(queries.sessions_held(world.office, start, end))
    assert held == [first, now]
    assert [s.attended for s in held] == [1, 2]
    figures = queries.training_figures(world.office, start, end)
    assert figures == {
        "sessions": 2,
        "session_hours": D("9.0"),
        "attendances": 3,
        "inspectors_trained": 2,
        "hours_credited": D("11.0"),
    }
    everything = queries.training_figures(world.office, start - 400 * DAY, end)
    assert everything["sessions"] == 3 and everything["attendances"] == 4


def test_the_yearly_table_against_the_requirement(world, today, year_of_training):
    services.save_requirement(world.admin, world.office, yearly_hours="8")
    rows = {r.inspector: r for r in queries.yearly_table(world.admin, today.year)}
    assert set(rows) == {world.inspector, world.other_inspector, world.leader}
    assert (rows[world.inspector].hours, rows[world.inspector].met) == (D("8.0"), True)
    assert rows[world.inspector].sessions == 2
    assert (rows[world.other_inspector].short, rows[world.other_inspector].met) == (
        D("5.0"),
        False,
    )
    assert rows[world.leader].hours == 0
    # The inspector sees their own row; the other county's admin sees none of county A.
    mine = queries.yearly_table(world.inspector_user, today.year)
    assert [r.inspector for r in mine] == [world.inspector]
    theirs = queries.yearly_table(world.other_admin, today.year)
    assert [r.inspector for r in theirs] == [world.foreign_inspector]


def test_the_hours_page_and_its_export(world, today, year_of_training, login):
    client = login(world.admin)
    page = client.get(reverse("training:hours"), {"year": today.year})
    assert page.status_code == 200
    assert world.other_inspector.name in page.content.decode()
    response = client.get(reverse("training:hours_export"), {"year": today.year})
    assert response.status_code == 200
    from dudao.core.spreadsheets import read_table
    from dudao.training.views import HOURS_COLUMNS

    table = read_table(io.BytesIO(response.content), [c.header for c in HOURS_COLUMNS])
    by_name = {row["督学"]: row for _n, row in table}
    assert float(by_name[world.inspector.name]["认定学时"]) == 8.0
    assert by_name[world.other_inspector.name]["是否达标"] == "否"
