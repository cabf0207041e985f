"""The office's and the inspector's screens: the list's filters and its fixed number of
queries, the inspector's list, the actions through the complaint's page, the rules page,
and user text escaped wherever it shows."""

import datetime

import pytest
from django.urls import reverse

from dudao.complaints import services
from dudao.complaints.models import Category, Complaint, ComplaintRules, Status
from dudao.complaints.overdue import check_overdue_complaints
from tests.factories import SchoolFactory

from .helpers import assigned, fresh, png_upload, receive

pytestmark = pytest.mark.django_db
LIST = reverse("complaints:list")
NASTY = '<script>alert("x")</script>'


@pytest.fixture
def crowd(world):
    """30 complaints about 10 schools, a third assigned to the world's inspector."""
    schools = [SchoolFactory(office=world.office, zone=world.zone) for _ in range(10)]
    for n in range(30):
        c = receive(
            world,
            school=schools[n % 10],
            text=f"第{n}件反映的事情",
            category=[Category.COMPLAINT, Category.TIP_OFF, Category.DOUBLE_REDUCTION][n % 3],
            photos=[png_upload()] if n % 10 == 0 else (),
        )
        if n % 3 == 0:
            services.assign(world.admin, c, expected_version=c.version, inspector=world.inspector)
    return world


def test_list_query_count(crowd, client, django_assert_max_num_queries):
    client.force_login(crowd.admin)
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.content.decode().count('href="/complaints/') >= 25


def test_list_query_count_with_filters(crowd, client, django_assert_max_num_queries):
    client.force_login(crowd.admin)
    school = Complaint.objects.unscoped().first().school
    with django_assert_max_num_queries(8):
        response = client.get(
            LIST,
            {
                "status": "assigned",
                "category": "complaint",
                "school": school.pk,
                "overdue": "no",
                "month": "2026-11",
            },
        )
    assert response.status_code == 200


def test_mine_query_count(crowd, client, django_assert_max_num_queries):
    client.force_login(crowd.inspector_user)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("complaints:mine"))
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1]  # the page, not the navigation
    assert main.count('href="/complaints/') == 10


def test_detail_query_count(crowd, client, django_assert_max_num_queries):
    client.force_login(crowd.admin)
    complaint = Complaint.objects.unscoped().filter(photos__isnull=False).first()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert response.status_code == 200


def test_the_filters(world, client, clock):
    clock.move_to(
        datetime.datetime(2026, 10, 5, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    )
    october = receive(world, text="十月份反映的事情", category=Category.TIP_OFF)
    clock.move_to(
        datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    )
    november = assigned(world, school="zone_school", text="十一月反映的事情")
    check_overdue_complaints(october.deadline + datetime.timedelta(days=1))
    client.force_login(world.admin)

    def codes(**params):
        page = client.get(LIST, params).content.decode()
        return {c.code_display for c in (october, november) if c.code_display in page}

    assert codes() == {october.code_display, november.code_display}
    assert codes(month="2026-10") == {october.code_display}
    assert codes(category="tip_off") == {october.code_display}
    assert codes(status="assigned") == {november.code_display}
    assert codes(school=world.zone_school.pk) == {november.code_display}
    assert codes(overdue="yes") == {october.code_display}
    assert codes(q=october.tracking_code.lower()) == {october.code_display}
    assert codes(q="十一月") == {november.code_display}
    # Garbage is ignored, not an error.
    assert client.get(LIST, {"month": "2026-13", "status": "x"}).status_code == 200


def test_the_list_answers_htmx_with_the_table(world, client):
    receive(world)
    client.force_login(world.admin)
    body = client.get(LIST, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and 'data-testid="complaint-table"' in body


def test_actions_through_the_page(world, client):
    complaint = receive(world)
    detail = reverse("complaints:detail", args=[complaint.pk])

    def act(user, action, **data):
        client.force_login(user)
        c = fresh(complaint)
        url = reverse("complaints:action", args=[c.pk, action])
        return client.post(url, {"expected_version": c.version, **data})

    page = (client.force_login(world.admin), client.get(detail))[1].content.decode()
    assert 'data-testid="form-assign"' in page and world.inspector.name in page
    assert act(world.admin, "assign", inspector=world.inspector.pk).url == detail
    assert fresh(complaint).status == Status.ASSIGNED
    act(world.inspector_user, "start")
    act(world.inspector_user, "save_draft", reply="初步核实中")
    assert fresh(complaint).reply_text == "初步核实中"
    act(world.inspector_user, "reply", reply="已核实并督促整改。")
    assert fresh(complaint).status == Status.REPLIED
    # The inspector may not close: 403, nothing changes.
    assert act(world.inspector_user, "close").status_code == 403
    act(world.admin, "close")
    assert fresh(complaint).status == Status.CLOSED
    # A stale version is refused with a message.
    client.force_login(world.admin)
    response = client.post(
        reverse("complaints:action", args=[complaint.pk, "reopen"]),
        {"expected_version": 1, "note": "重新核查"},
        follow=True,
    )
    assert fresh(complaint).status == Status.CLOSED
    assert response.status_code == 200


def test_merge_by_tracking_code(world, client):
    first = receive(world, text="第一份投诉材料")
    second = receive(world, text="第二份投诉材料")
    client.force_login(world.admin)
    page = client.get(reverse("complaints:detail", args=[second.pk])).content.decode()
    assert first.code_display in page  # offered as a possible duplicate
    client.post(
        reverse("complaints:action", args=[second.pk, "merge"]),
        {"expected_version": second.version, "original": first.code_display.lower()},
    )
    assert fresh(second).duplicate_of == first
    page = client.get(reverse("complaints:detail", args=[first.pk])).content.decode()
    assert second.code_display in page  # listed as merged into it


def test_an_unknown_action_is_not_found(world, client):
    complaint = receive(world)
    client.force_login(world.admin)
    url = reverse("complaints:action", args=[complaint.pk, "delete"])
    assert client.post(url, {"expected_version": 1}).status_code == 404


def test_the_rules_page(world, client):
    client.force_login(world.admin)
    url = reverse("complaints:rules")
    assert client.get(url).status_code == 200
    assert client.post(url, {"reply_days": 10, "urge_days": 2}).status_code == 302
    rules = ComplaintRules.objects.get(office=world.office)
    assert (rules.reply_days, rules.urge_days) == (10, 2)
    assert client.post(url, {"reply_days": 0, "urge_days": 2}).status_code == 200
    assert ComplaintRules.objects.get(office=world.office).reply_days == 10


def test_user_text_is_escaped_on_every_office_page(world, client):
    complaint = assigned(
        world, text=NASTY + "乱收费", name=NASTY[:30], photos=[png_upload(NASTY + ".png")]
    )
    complaint = services.save_reply_draft(
        world.inspector_user, complaint, expected_version=complaint.version, text=NASTY + "草稿"
    )
    services.transfer(
        world.admin,
        complaint,
        expected_version=complaint.version,
        department=NASTY,
        note=NASTY,
    )
    pages = [
        (world.admin, LIST),
        (world.admin, reverse("complaints:detail", args=[complaint.pk])),
        (world.admin, reverse("complaints:figures")),
        (world.inspector_user, reverse("complaints:detail", args=[complaint.pk])),
        (world.inspector_user, reverse("complaints:mine")),
    ]
    for user, url in pages:
        client.force_login(user)
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
    body = client.get(reverse("complaints:raise_finding", args=[complaint.pk]))
    assert body.status_code in (200, 302, 403)
