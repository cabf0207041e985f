"""The figures (received, solved, on time; by category, school and month) against counts
made by hand, merged duplicates left out; and their workbook."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dudao.complaints import queries, services
from dudao.complaints.models import Category
from dudao.reports import exporter
from tests.clock import moment

from .helpers import assigned, receive

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def history(world, clock):
    """In 2026 (today: 23 November): September 3 received, October 2, November 2; the office
    replies on time, late, or not at all; one transfer, two duplicates merged."""
    made = {}

    def on(day, name, **kwargs):
        clock.move_to(moment(2026, *day))
        kwargs.setdefault("text", f"{name}：反映的具体事情")
        made[name] = receive(world, **kwargs)

    def reply_on(day, name):
        clock.move_to(moment(2026, *day))
        c = made[name]
        c = services.reply(world.admin, c, expected_version=c.version, text="已答复")
        made[name] = c

    on((9, 1), "a")  # due 9-16
    on((9, 2), "b", category=Category.DOUBLE_REDUCTION)  # due 9-17
    on((9, 3), "c", school="zone_school")  # due 9-18
    on((10, 8), "d", category=Category.ENQUIRY)  # due 10-23
    on((10, 9), "e", school="far_school")  # due 10-24
    on((11, 2), "f")  # due 11-17: still open, overdue
    on((11, 20), "g", school="zone_school")  # due 12-5: open, not yet due
    # The same words as f from another address two days later: the office merges it by hand.
    on((11, 21), "dup1", text="f：反映的具体事情", address="198.51.100.20")
    reply_on((9, 10), "a")  # on time
    reply_on((9, 18), "b")  # one day late
    reply_on((10, 23), "d")  # on the deadline: on time
    c = made["c"]
    made["c"] = services.transfer(world.admin, c, expected_version=c.version, department="县卫健局")
    e = made["e"]
    made["e"] = services.merge(world.admin, e, expected_version=e.version, original=made["a"])
    dup = made["dup1"]
    made["dup1"] = services.merge(
        world.admin, dup, expected_version=dup.version, original=made["f"]
    )
    clock.move_to(moment(2026, 11, 23))
    return made


def test_totals_by_hand(world, history):
    data = queries.figures(world.admin, year=2026)
    totals = data["totals"]
    # received: a b c d f g (e and dup1 merged)
    assert totals["received"] == 6
    assert totals["merged"] == 2
    assert totals["solved"] == 3  # a b d
    assert totals["on_time"] == 2  # a d
    assert totals["overdue"] == 1  # f
    assert totals["due"] == 4  # a b d f
    assert totals["late"] == 2  # b f
    assert totals["on_time_rate"] == 50.0
    assert totals["transferred"] == 1 and totals["open"] == 2  # f g


def test_by_category_school_and_month(world, history):
    data = queries.figures(world.admin, year=2026)
    categories = {row["category"]: (row["received"], row["solved"]) for row in data["categories"]}
    assert categories == {
        "complaint": (4, 1),  # a c f g; a solved
        "double_reduction": (1, 1),
        "enquiry": (1, 1),
    }
    schools = {
        row["school__name"]: (row["received"], row["solved"], row["open"])
        for row in data["schools"]
    }
    assert schools == {"湖滨小学": (4, 3, 1), "西湖小学": (2, 0, 1)}  # e (城东中学) merged
    months = {
        row["month"]: (row["received"], row["solved"], row["on_time"]) for row in data["months"]
    }
    assert months["2026-09"] == (3, 2, 1)
    assert months["2026-10"] == (1, 1, 1)
    assert months["2026-11"] == (2, 0, 0)
    assert months["2026-01"] == (0, 0, 0) and "2026-12" not in months


def test_no_complaint_due_gives_no_rate(world):
    receive(world)
    assert queries.figures(world.admin, year=2026)["totals"]["on_time_rate"] is None


def test_figures_are_the_reader_s(world, history):
    assert queries.figures(world.other_admin, year=2026)["totals"]["received"] == 0
    assert queries.figures(world.viewer, year=2026)["totals"]["received"] == 6
    assert queries.figures(world.admin, year=2025)["totals"]["received"] == 0


def test_the_page_and_the_workbook(world, client, history, django_assert_max_num_queries):
    client.force_login(world.admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("complaints:figures"), {"year": 2026})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="on-time-rate">50.0%' in body
    response = client.get(reverse("complaints:figures_xlsx"), {"year": 2026})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    first = workbook.worksheets[0]
    values = [cell.value for row in first.iter_rows() for cell in row]
    assert 6 in values and "50.0%" in values


def test_the_report_is_built_for_a_reader():
    with pytest.raises(TypeError):
        exporter.build("complaint_figures", {"year": 2026})


def test_an_assigned_complaint_counts_as_open(world):
    assigned(world)
    assert queries.figures(world.admin, year=2026)["totals"]["open"] == 1


def test_the_page_keeps_the_schools_with_the_most_complaints(world, history, client, settings):
    """A province has thousands of schools: with a limit the first ones by complaints received
    are kept and `more_schools` says some were left out; the XLSX (no limit) keeps them all."""
    first = queries.figures(world.admin, year=2026, school_limit=1)
    assert [row["school__name"] for row in first["schools"]] == ["湖滨小学"]
    assert first["more_schools"] is True
    both = queries.figures(world.admin, year=2026, school_limit=2)
    assert len(both["schools"]) == 2 and both["more_schools"] is False
    assert queries.figures(world.admin, year=2026)["more_schools"] is False
    # the page's own limit, lowered to 1
    from dudao.complaints import views

    views.FIGURE_PAGE_SCHOOLS, kept = 1, views.FIGURE_PAGE_SCHOOLS
    try:
        client.force_login(world.admin)
        body = client.get(reverse("complaints:figures"), {"year": 2026}).content.decode()
    finally:
        views.FIGURE_PAGE_SCHOOLS = kept
    by_school = body.split('data-testid="by-school"')[1].split('data-testid="by-month"')[0]
    assert 'data-testid="more-schools"' in by_school
    assert "湖滨小学" in by_school and "西湖小学" not in by_school
