"""Every figure of a work summary equals the count of the list page it links to, at the
pinned date, for the office, a zone and an inspector; hand-counted values for the year and
the first half-year (docs/rules.md §30)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dudao.campaigns.models import CampaignTarget
from dudao.summaries import figures, periods
from tests.factories_supervision import FindingFactory, VisitFactory, at

from .helpers import build_year

pytestmark = pytest.mark.django_db

D = datetime.date


def listed(client, url):
    """The rows of a list page (every page: the records are few) and its total."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context["page"]
    return page.paginator.count, list(page.object_list)


def check_against_lists(client, summary):
    """Every figure with a link equals what its list shows."""
    checked = 0
    for figure in [f for g in summary.groups for f in g.figures] + summary.by_item:
        if not figure.url:
            continue
        count, rows = listed(client, figure.url)
        assert count <= 25, "more rows than one page: read the other pages too"
        if figure.key == "field_days":
            shown = len({(row.inspector_id, row.visited_on) for row in rows})
        elif figure.key == "schools":
            shown = len({row.school_id for row in rows})
        elif figure.key == "campaign_schools":
            shown = (
                CampaignTarget.objects.unscoped()
                .filter(campaign__in=rows, status=CampaignTarget.Status.SUBMITTED)
                .count()
            )
        else:
            shown = count
        assert shown == figure.value, (figure.key, figure.url, shown, figure.value)
        checked += 1
    return checked


def summary_of(user, key, period):
    subject = figures.subject_for(user, key)
    assert subject is not None
    return figures.compute(user, subject, period, timezone.localdate())


def test_office_year_figures_equal_their_lists(world, login):
    build_year(world)
    summary = summary_of(world.admin, "office", periods.whole_year(2026))
    v = summary.values
    assert v["visits"] == 6  # five laid out, and the notice's visit today
    assert v["field_days"] == 5  # the inspector's two visits on 2 March are one day
    assert v["schools"] == 3
    assert v["unannounced"] == 4  # the notice's visit is unannounced (the default)
    assert v["unannounced_share"] == "66.7%"
    assert v["feedback_letters"] == 4
    assert v["findings"] == 6
    assert v["rectified"] == 2
    assert v["rectified_rate"] == "40%"  # 2 of 6, the withdrawn one left out
    assert v["escalated"] == 1
    assert v["notices"] == 1
    assert (v["cases_started"], v["cases_closed"]) == (1, 0)
    assert (v["campaigns"], v["campaign_schools"]) == (1, 2)
    assert (v["complaints"], v["complaints_solved"]) == (2, 1)
    assert (v["bulletins"], v["briefings"]) == (1, 1)
    assert v["by_item"] == {"item_2": 1, "item_3": 1, "item_6": 4}
    assert check_against_lists(login(world.admin), summary) >= 18


def test_office_first_half_figures_equal_their_lists(world, login):
    build_year(world)
    summary = summary_of(world.admin, "office", periods.first_half(2026))
    v = summary.values
    assert (v["visits"], v["field_days"], v["schools"], v["unannounced"]) == (3, 2, 2, 2)
    assert v["feedback_letters"] == 2
    assert (v["findings"], v["rectified"], v["escalated"]) == (4, 1, 1)
    assert (v["notices"], v["cases_started"], v["campaigns"], v["complaints"]) == (0, 1, 1, 0)
    check_against_lists(login(world.admin), summary)


def test_zone_figures_equal_their_lists_for_the_zone_leader(world, login):
    build_year(world)
    key = f"zone-{world.zone.pk}"
    summary = summary_of(world.zone_leader, key, periods.whole_year(2026))
    v = summary.values
    assert v["visits"] == 5  # 城东中学 is outside the zone
    assert v["findings"] == 5
    assert "campaigns" not in v and "cases_started" not in v  # the office's own work
    check_against_lists(login(world.zone_leader), summary)
    # The office admin reads the same zone summary with the same figures.
    assert summary_of(world.admin, key, periods.whole_year(2026)).values == v


def test_inspector_figures_equal_their_lists_for_the_inspector(world, login):
    build_year(world)
    key = f"inspector-{world.inspector.pk}"
    summary = summary_of(world.inspector_user, key, periods.whole_year(2026))
    v = summary.values
    assert (v["visits"], v["field_days"], v["feedback_letters"]) == (4, 3, 3)
    assert v["findings"] == 3
    assert "notices" not in v
    check_against_lists(login(world.inspector_user), summary)


def test_a_custom_range_counts_its_own_days(world, login):
    build_year(world)
    summary = summary_of(world.admin, "office", periods.day_range(D(2026, 3, 2), D(2026, 3, 3)))
    v = summary.values
    assert (v["visits"], v["field_days"], v["feedback_letters"], v["findings"]) == (2, 1, 2, 1)
    check_against_lists(login(world.admin), summary)


def test_the_summary_page_runs_a_fixed_number_of_queries(world, login):
    """The same number of queries with a few records as with many more."""
    build_year(world)
    client = login(world.admin)
    url = "/summaries/?subject=office&period=year&year=2026"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    few = queries()
    for n in range(30):
        day = D(2026, 1, 1) + datetime.timedelta(days=n * 5)
        VisitFactory(
            school=world.zone_school,
            inspector=world.other_inspector,
            created_by=world.admin,
            visited_at=at(day),
        )
        FindingFactory(
            school=world.zone_school, inspector=world.other_inspector, found_on=day, area=n % 8 + 1
        )
    assert queries() == few
    assert few <= 40
