"""The returns' pages: the office creates and starts a return through its forms, a school
reports from its phone form, lists stay within a fixed number of queries, the figures page
carries its chart data, the exports download; and the periods are right on every pinned day."""

import datetime

import pytest
from django.urls import reverse

from dudao.returns import schedule as cal
from dudao.returns import services
from dudao.returns.models import PeriodicReturn, ReturnPeriod, ReturnSubmission
from tests.factories import SchoolFactory

from .conftest import answers, new_return

pytestmark = pytest.mark.django_db
S = ReturnSubmission.Status


def test_the_office_creates_and_starts_a_return(world, checklist, login, today):
    client = login(world.admin)
    response = client.post(
        reverse("returns:create"),
        {
            "title": "“双减”工作半月报",
            "checklist": checklist.pk,
            "schedule": "half_monthly",
            "starts_on": today.isoformat(),
            "remind_days_before": "1",
            "zones": [world.zone.pk],
        },
    )
    item = PeriodicReturn.objects.unscoped().get()
    assert response.status_code == 302 and response.url == reverse("returns:detail", args=[item.pk])
    assert set(item.schools.all()) == {world.school, world.zone_school}
    response = client.post(reverse("returns:activate", args=[item.pk]), {"version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == PeriodicReturn.Status.ACTIVE
    assert ReturnSubmission.objects.unscoped().filter(period__periodic_return=item).count() == 2


def test_a_bad_schedule_is_shown_on_its_field(world, checklist, login, today):
    response = login(world.admin).post(
        reverse("returns:create"),
        {
            "title": "周报",
            "checklist": checklist.pk,
            "schedule": "monthly_day",
            "starts_on": today.isoformat(),
            "remind_days_before": "1",
        },
    )
    assert response.status_code == 200
    assert "due_day" in response.context["form"].errors


def test_a_school_reports_from_its_form(world, checklist, items, login, today):
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    submission = ReturnSubmission.objects.unscoped().get(
        period__periodic_return=item, school=world.school
    )
    client = login(world.school_user)
    page = client.get(reverse("returns:submission", args=[submission.pk]))
    assert page.context["editable"] and 'inputmode="decimal"' in page.content.decode()
    data = {f"item-{pk}": value for pk, value in answers(items).items()}
    data |= {"client_uuid": str(submission.client_uuid), "action": "save"}
    data[f"item-{items['3'].pk}"] = ""
    response = client.post(reverse("returns:submission", args=[submission.pk]), data)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == S.DRAFT
    # Reporting without every answer shows the question that needs one.
    data |= {"client_uuid": str(submission.client_uuid), "action": "submit"}
    response = client.post(reverse("returns:submission", args=[submission.pk]), data)
    assert response.status_code == 200
    assert [r["error"] for r in response.context["rows"]][2]
    data[f"item-{items['3'].pk}"] = "好"
    response = client.post(reverse("returns:submission", args=[submission.pk]), data)
    assert response.status_code == 302 and response.url == reverse("returns:mine")
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED
    # The same form sent again changes nothing.
    version = submission.version
    client.post(reverse("returns:submission", args=[submission.pk]), data)
    submission.refresh_from_db()
    assert submission.version == version
    # Reported: read-only, with the offer to revise until the due date ends.
    page = client.get(reverse("returns:submission", args=[submission.pk]))
    assert not page.context["editable"] and page.context["can_revise"]


def test_readers_see_a_report_read_only(world, checklist, items, login, today):
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    submission = ReturnSubmission.objects.unscoped().get(
        period__periodic_return=item, school=world.school
    )
    services.submit(world.school_user, submission, answers(items))
    for user in (world.admin, world.inspector_user, world.viewer):
        page = login(user).get(reverse("returns:submission", args=[submission.pk]))
        assert page.status_code == 200 and not page.context["editable"]


def test_lists_take_a_fixed_number_of_queries(
    world, checklist, login, today, django_assert_max_num_queries
):
    for _n in range(3):
        item = new_return(world, checklist, starts_on=today)
        services.activate_return(world.admin, item)
    for n in range(6):
        SchoolFactory(office=world.office, name=f"学校{n}")
    big = services.activate_return(
        world.admin, new_return(world, checklist, starts_on=today - datetime.timedelta(days=90))
    )
    period = big.periods.order_by("-due_on").first()
    client = login(world.admin)
    urls = [
        reverse("returns:list"),
        reverse("returns:detail", args=[big.pk]),
        reverse("returns:period", args=[period.pk]),
        reverse("returns:figures", args=[big.pk]),
    ]
    for url in urls:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200
    school = login(world.school_user)
    with django_assert_max_num_queries(12):
        assert school.get(reverse("returns:mine")).status_code == 200


def test_the_figures_page_and_exports(world, checklist, items, login, today):
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    submission = ReturnSubmission.objects.unscoped().get(
        period__periodic_return=item, school=world.school
    )
    services.submit(world.school_user, submission, answers(items, minutes=40))
    client = login(world.admin)
    page = client.get(reverse("returns:figures", args=[item.pk]), {"school": world.school.pk})
    body = page.content.decode()
    assert 'id="returns-data"' in body and "echarts-5.6.0-dudao.min.js" in body
    assert page.context["chart"]["numbers"][0]["mean"] == [40.0]
    assert page.context["history"][0]["cells"][0] == "40"
    for url in (
        reverse("returns:figures_xlsx", args=[item.pk]),
        reverse("returns:period_xlsx", args=[submission.period_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert b"".join(response.streaming_content)[:2] == b"PK"


def test_remind_now_once_a_day(world, checklist, login, today, django_capture_on_commit_callbacks):
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    period = item.periods.get()
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("returns:period_remind", args=[period.pk]))
        client.post(reverse("returns:period_remind", args=[period.pk]))
    sent = ReturnSubmission.objects.unscoped().filter(period=period)
    assert sorted(s.reminders_sent for s in sent) == [1, 1, 1]
    assert world.school_user.notifications.count() == 1


@pytest.mark.any_day
def test_activation_opens_the_periods_up_to_today(world, checklist, today):
    starts_on = today - datetime.timedelta(days=40)
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=starts_on))
    periods = list(ReturnPeriod.objects.unscoped().filter(periodic_return=item).order_by("due_on"))
    tomorrow = today + datetime.timedelta(days=1)
    # Up to today, and one made ahead when it opens tomorrow.
    assert [(p.opens_on, p.due_on) for p in periods] == cal.periods(
        "half_monthly", None, starts_on, tomorrow
    )
    opened = [p for p in periods if p.opens_on <= today]
    assert [(p.opens_on, p.due_on) for p in opened] == cal.periods(
        "half_monthly", None, starts_on, today
    )
    assert opened[0].opens_on == starts_on
    assert opened[-1].opens_on <= today <= opened[-1].due_on
    assert ReturnSubmission.objects.unscoped().filter(period__in=periods).count() == 3 * len(
        periods
    )
    assert services.open_due_periods(today) == {"periods": 0, "rows": 0}
    after = today + datetime.timedelta(days=2)
    expected = len(cal.periods("half_monthly", None, starts_on, after)) - len(periods)
    assert services.open_due_periods(tomorrow)["periods"] == expected
    assert services.open_due_periods(tomorrow) == {"periods": 0, "rows": 0}


@pytest.mark.any_day
def test_late_is_after_the_end_of_the_due_date_in_beijing(world, checklist, items, today, clock):
    from tests.clock import SHANGHAI

    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    period = item.periods.get(opens_on__lte=today)
    submission = ReturnSubmission.objects.unscoped().get(period=period, school=world.school)
    clock.move_to(datetime.datetime.combine(period.due_on, datetime.time(23, 59), tzinfo=SHANGHAI))
    assert not services.submit(world.school_user, submission, answers(items)).is_late
    other = ReturnSubmission.objects.unscoped().get(period=period, school=world.zone_school)
    from .conftest import school_user

    user = school_user(world.zone_school, "zone_school_user")
    clock.move_to(
        datetime.datetime.combine(
            period.due_on + datetime.timedelta(days=1), datetime.time(0, 1), tzinfo=SHANGHAI
        )
    )
    assert services.submit(user, other, answers(items)).is_late
