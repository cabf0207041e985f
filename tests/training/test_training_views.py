"""Training pages: the list and the hours table in a fixed number of queries, the session's
page with attendance set in place (htmx), and what each reader sees of the attendance."""

import datetime
import decimal

from django.urls import reverse

from dudao.training import services
from dudao.training.models import Attendance, Session

from .conftest import make_session

DAY = datetime.timedelta(days=1)


def _many(world, today, n=12):
    for i in range(n):
        made = make_session(world, today - (i + 1) * DAY, topic=f"第{i + 1}期培训")
        services.record_attendance(world.admin, made, world.inspector, presence="attended")
        services.record_attendance(world.admin, made, world.other_inspector, presence="absent")


def test_the_list_in_a_fixed_number_of_queries(world, today, login, django_assert_max_num_queries):
    _many(world, today)
    for user in (world.admin, world.inspector_user, world.viewer):
        client = login(user)
        with django_assert_max_num_queries(12):
            page = client.get(reverse("training:list"))
        assert page.status_code == 200
        assert "第12期培训" in page.content.decode()
    htmx = login(world.admin).get(reverse("training:list"), {"q": "第3期"}, HTTP_HX_REQUEST="true")
    assert "第3期培训" in htmx.content.decode() and "<html" not in htmx.content.decode()


def test_the_hours_table_in_a_fixed_number_of_queries(
    world, today, login, django_assert_max_num_queries
):
    _many(world, today, 3)
    client = login(world.admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("training:hours")).status_code == 200
    _many(world, today - 30 * DAY, 9)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("training:hours")).status_code == 200


def test_the_session_page_in_a_fixed_number_of_queries(
    world, today, session, login, django_assert_max_num_queries
):
    from tests.factories import InspectorFactory

    for i in range(10):
        services.record_attendance(
            world.admin,
            session,
            InspectorFactory(office=world.office, name=f"督学{i}"),
            presence="attended",
        )
    client = login(world.admin)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("training:detail", args=[session.pk]))
    assert page.status_code == 200
    assert "督学9" in page.content.decode()


def test_attendance_is_set_in_place(world, session, login):
    client = login(world.admin)
    url = reverse("training:attendance_save", args=[session.pk, world.inspector.pk])
    row = client.post(url, {"presence": "attended", "hours": "2.5"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert f'id="attendance-{world.inspector.pk}"' in row.content.decode()
    assert Attendance.objects.unscoped().get().hours == decimal.Decimal("2.5")
    # A refusal comes back in the row, nothing written.
    row = client.post(url, {"presence": "absent", "hours": "2"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in row.content.decode()
    assert Attendance.objects.unscoped().get().presence == "attended"


def test_each_reader_sees_the_attendance_they_may(world, session, login):
    services.record_attendance(world.admin, session, world.inspector, presence="attended")
    services.record_attendance(
        world.admin, session, world.other_inspector, presence="absent", note="OTHER-NOTE"
    )
    url = reverse("training:detail", args=[session.pk])
    mine = login(world.inspector_user).get(url).content.decode()
    assert world.inspector.name in mine and "OTHER-NOTE" not in mine
    leader = login(world.zone_leader).get(url).content.decode()  # the zone's inspectors
    assert "OTHER-NOTE" in leader
    assert login(world.other_admin).get(url).status_code == 404
    assert login(world.school_user).get(url).status_code == 403


def test_a_session_is_created_and_edited_through_the_pages(world, today, login):
    client = login(world.admin)
    form = client.get(reverse("training:create"))
    key = form.context["form"]["request_key"].value()
    data = {
        "request_key": key,
        "topic": "督学讲堂",
        "date": today.isoformat(),
        "hours": "2",
        "trainer": "资深督学",
        "place": "",
        "description": "",
    }
    first = client.post(reverse("training:create"), data)
    again = client.post(reverse("training:create"), data)
    session = Session.objects.unscoped().get()
    assert first.url == again.url == reverse("training:detail", args=[session.pk])
    response = client.post(
        reverse("training:edit", args=[session.pk]), {**data, "hours": "3", "version": 1}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.hours == 3
