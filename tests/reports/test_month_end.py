"""Monthly reports are month-end snapshots (docs/rules.md §14): the findings and counts as they
stood on the month's last day (Beijing time), read back from the workflow history, whenever the
report is written. The findings are made through the services at pinned moments, so the
history rows are the real ones."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.rectification import services
from dudao.rectification.models import Finding
from dudao.rectification.workflow import Action
from dudao.reports import exporter
from tests.clock import moment
from tests.factories_supervision import FindingFactory
from tests.rectification.helpers import perform

from .helpers import docx_text


def create(world, text, deadline):
    return services.create_finding(
        world.admin,
        school=world.school,
        area=6,
        description=text,
        deadline_kind="by_date",
        deadline=deadline,
    )


def notice(world, finding, deadline):
    services.issue_notice(
        world.admin,
        [finding],
        expected_versions={finding.pk: fresh(finding).version},
        deadline=deadline,
    )


def fresh(finding):
    return Finding.objects.unscoped().get(pk=finding.pk)


def close(world, finding):
    perform(Action.RESPOND, fresh(finding), world.school_user)
    perform(Action.ACCEPT, fresh(finding), world.admin)


def reports(world, year, month):
    inspector = exporter.build("inspector_monthly", world.admin, world.inspector, year, month)
    office = exporter.build("office_monthly", world.admin, world.office, year, month)
    return inspector.figures, office.figures


def counts(figures):
    return {key: figures[key] for key in ("findings", "closed", "open", "overdue")}


@pytest.fixture
def october(world, clock):
    """September to November 2026, then the report on October read on 10 November:

    - 九月问题: found 20 September, deadline 31 October, closed 1 November;
    - 十月关闭: found 8 October, closed 15 October;
    - 十一月关闭: found 8 October, notice to 18 October, closed 5 November;
    - 十月关闭十一月重开: found 8 October, closed 16 October, reopened 3 November;
    - 撤销: found 8 October, withdrawn 10 October;
    - 十一月发现: found 2 November."""
    clock.move_to(moment(2026, 9, 20))
    september = create(world, "九月问题", datetime.date(2026, 10, 31))
    notice(world, september, datetime.date(2026, 10, 31))
    clock.move_to(moment(2026, 10, 8))
    closed_oct = create(world, "十月关闭", datetime.date(2026, 10, 30))
    closed_nov = create(world, "十一月关闭", datetime.date(2026, 10, 30))
    reopened = create(world, "十月关闭十一月重开", datetime.date(2026, 10, 30))
    withdrawn = create(world, "撤销", datetime.date(2026, 10, 30))
    for finding in (closed_oct, closed_nov, reopened):
        notice(world, finding, datetime.date(2026, 10, 18))
    clock.move_to(moment(2026, 10, 10))
    perform(Action.WITHDRAW, fresh(withdrawn), world.admin)
    clock.move_to(moment(2026, 10, 15))
    close(world, closed_oct)
    clock.move_to(moment(2026, 10, 16))
    close(world, reopened)
    perform(Action.RESPOND, fresh(closed_nov), world.school_user)
    clock.move_to(moment(2026, 11, 1, 8))
    close(world, september)
    clock.move_to(moment(2026, 11, 2))
    create(world, "十一月发现", datetime.date(2026, 11, 20))
    clock.move_to(moment(2026, 11, 3))
    perform(Action.REOPEN, fresh(reopened), world.admin)
    clock.move_to(moment(2026, 11, 5))
    perform(Action.ACCEPT, fresh(closed_nov), world.admin)
    clock.move_to(moment(2026, 11, 10))


def test_october_as_it_stood_on_31_october(world, october):
    inspector, office = reports(world, 2026, 10)
    # Found in October: four (the withdrawn one too). Closed in October and still closed at
    # its end: 十月关闭 and 十月关闭十一月重开 (reopened later). Open on 31 October: 九月问题
    # (closed 1 November, deadline 31 October: not overdue yet) and 十一月关闭 (closed 5
    # November, deadline 18 October: overdue). 十一月发现 is not there.
    expected = {"findings": 4, "closed": 2, "open": 2, "overdue": 1}
    assert counts(inspector) == expected
    assert counts(office) == expected


def test_the_report_lists_the_month_end_status(world, client, october):
    client.force_login(world.admin)
    url = reverse("reports:inspector_monthly", args=[world.inspector.pk, 2026, 10, "docx"])
    response = client.get(url)
    text = docx_text(b"".join(response.streaming_content))
    assert "十一月发现" not in text
    assert "九月问题" in text and "十一月关闭" in text  # open rows on 31 October
    assert "十月关闭十一月重开" in text  # found in October (closed at its end: not open)


def test_the_same_report_read_on_any_later_day(world, october, clock):
    before = reports(world, 2026, 10)
    clock.move_to(moment(2027, 3, 1))
    assert reports(world, 2026, 10) == before


def test_november_so_far(world, october):
    """The month in progress counts up to its end: 十一月发现 found, 九月问题 and 十一月关闭
    closed; 十月关闭十一月重开 open again (deadline 18 October: overdue)."""
    inspector, _office = reports(world, 2026, 11)
    assert counts(inspector) == {"findings": 1, "closed": 2, "open": 2, "overdue": 1}


@pytest.mark.parametrize("clock_now", [moment(2026, 12, 20)], indirect=True)
def test_december_read_on_new_years_day(world, client, clock):
    """1 January: the report page opens on December of the year before; a finding closed at
    00:30 on 1 January was open on 31 December, one found on 1 January is not there."""
    clock.move_to(moment(2026, 12, 20))
    late = create(world, "年底整改", datetime.date(2026, 12, 30))
    notice(world, late, datetime.date(2026, 12, 30))
    perform(Action.RESPOND, fresh(late), world.school_user)
    clock.move_to(moment(2026, 12, 31, 23, 50))
    create(world, "除夕发现", datetime.date(2027, 1, 10))
    clock.move_to(moment(2027, 1, 1, 0, 30))
    perform(Action.ACCEPT, fresh(late), world.admin)
    create(world, "元旦发现", datetime.date(2027, 1, 10))
    clock.move_to(moment(2027, 1, 1, 10))
    inspector, office = reports(world, 2026, 12)
    expected = {"findings": 2, "closed": 0, "open": 2, "overdue": 1}
    assert counts(inspector) == expected and counts(office) == expected
    client.force_login(world.admin)
    page = client.get(reverse("reports:index")).content.decode()
    assert 'value="2026-12"' in page
    assert reverse("reports:office_monthly", args=[2026, 12, "docx"]) in page


@pytest.mark.parametrize("clock_now", [moment(2028, 2, 10)], indirect=True)
def test_february_of_a_leap_year_read_on_1_march(world, client, clock):
    """1 March 2028: the page opens on February; 29 February is in it (found and closed
    that day count), 1 March is not."""
    clock.move_to(moment(2028, 2, 10))
    leap = create(world, "二月问题", datetime.date(2028, 2, 20))
    notice(world, leap, datetime.date(2028, 2, 20))
    perform(Action.RESPOND, fresh(leap), world.school_user)
    clock.move_to(moment(2028, 2, 29, 23, 30))
    perform(Action.ACCEPT, fresh(leap), world.admin)
    create(world, "闰日发现", datetime.date(2028, 3, 10))
    clock.move_to(moment(2028, 3, 1, 0, 10))
    create(world, "三月发现", datetime.date(2028, 3, 10))
    clock.move_to(moment(2028, 3, 1, 10))
    inspector, office = reports(world, 2028, 2)
    expected = {"findings": 2, "closed": 1, "open": 1, "overdue": 0}
    assert counts(inspector) == expected and counts(office) == expected
    client.force_login(world.admin)
    page = client.get(reverse("reports:index")).content.decode()
    assert 'value="2028-02"' in page
    assert reverse("reports:inspector_monthly", args=[world.inspector.pk, 2028, 2, "pdf"]) in page


def test_rows_without_history_fall_back_to_their_dates(world, clock):
    """Rows written directly (imports of old ledgers, test factories) have no history: a
    finding closed after the month's end was open at it."""
    clock.move_to(moment(2026, 11, 10))
    FindingFactory(
        school=world.school,
        inspector=world.inspector,
        found_on=datetime.date(2026, 10, 3),
        deadline=datetime.date(2026, 10, 13),
        status="closed",
        closed_at=moment(2026, 11, 2),
    )
    FindingFactory(
        school=world.school,
        inspector=world.inspector,
        found_on=datetime.date(2026, 10, 3),
        deadline=datetime.date(2026, 10, 13),
        status="closed",
        closed_at=moment(2026, 10, 12),
    )
    inspector, _office = reports(world, 2026, 10)
    assert counts(inspector) == {"findings": 2, "closed": 1, "open": 1, "overdue": 1}


def test_a_fixed_number_of_queries(world, october):
    with CaptureQueriesContext(connection) as few:
        reports(world, 2026, 10)
    for n in range(5):
        FindingFactory(
            school=world.school,
            inspector=world.inspector,
            found_on=datetime.date(2026, 10, 1 + n),
            deadline=datetime.date(2026, 10, 10),
        )
    with CaptureQueriesContext(connection) as many:
        reports(world, 2026, 10)
    assert len(many) == len(few)
