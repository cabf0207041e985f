"""The pages: the office's list, the create and edit forms (a second submission finds the
first draft), publication, withdrawal, the public switch and the reminder from the page;
the detail with its receipts (who has not read it); "my documents" with the unread marked;
query counts that do not grow with the rows."""

import uuid

import pytest
from django.urls import reverse

from dudao.bulletins import services
from dudao.bulletins.models import Audience, Bulletin, BulletinRead, Kind
from tests.factories import SchoolFactory

from .conftest import BODY, publish, school_account, write


def form_data(**fields):
    return {
        "kind": "bulletin",
        "topic": "results",
        "title": "关于“双减”工作专项督导情况的通报",
        "body": BODY,
        "audience": "all_schools",
        "request_key": str(uuid.uuid4()),
    } | fields


def test_create_edit_publish_from_the_pages(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    assert client.get(reverse("bulletins:create")).status_code == 200
    data = form_data(audience="zone", zone=world.zone.pk)
    first = client.post(reverse("bulletins:create"), data)
    second = client.post(reverse("bulletins:create"), data)
    bulletin = Bulletin.objects.unscoped().get()
    assert first.url == second.url == reverse("bulletins:detail", args=[bulletin.pk])
    edit = reverse("bulletins:edit", args=[bulletin.pk])
    page = client.get(edit).content.decode()
    assert "第一责任区" in page
    response = client.post(edit, form_data(title="改后的标题", version=bulletin.version))
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.title == "改后的标题" and bulletin.audience == Audience.ALL_SCHOOLS
    # A stale edit is refused on the form.
    response = client.post(edit, form_data(title="又改", version=bulletin.version - 1))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    bulletin.refresh_from_db()
    assert bulletin.title == "改后的标题"
    publish_url = reverse("bulletins:publish", args=[bulletin.pk])
    client.post(publish_url, {})  # no version: nothing happens
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish_url, {"version": bulletin.version})
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.PUBLISHED and bulletin.number == "通〔2026〕1号"
    # Published: no more editing.
    assert client.get(edit).status_code == 302


def test_form_errors_are_shown(world, client):
    client.force_login(world.admin)
    response = client.post(reverse("bulletins:create"), form_data(audience="schools"))
    assert response.status_code == 200
    assert not Bulletin.objects.unscoped().exists()
    assert response.context["form"].errors


def test_withdraw_and_public_switch_from_the_page(world, client, to_schools):
    client.force_login(world.admin)
    url = reverse("bulletins:public", args=[to_schools.pk])
    client.post(url, {"public": "1", "version": to_schools.version})
    to_schools.refresh_from_db()
    assert to_schools.publish_on_public_page
    withdraw = reverse("bulletins:withdraw", args=[to_schools.pk])
    client.post(withdraw, {"version": to_schools.version})  # no reason: refused
    to_schools.refresh_from_db()
    assert to_schools.status == Bulletin.Status.PUBLISHED
    client.post(withdraw, {"version": to_schools.version, "note": "内容有误"})
    to_schools.refresh_from_db()
    assert to_schools.status == Bulletin.Status.WITHDRAWN


def test_detail_shows_who_has_not_read(world, client, to_schools, zone_school_user):
    services.mark_read(world.school_user, to_schools)
    client.force_login(world.admin)
    url = reverse("bulletins:detail", args=[to_schools.pk])
    page = client.get(url)
    counts = page.context["counts"]
    assert counts == {"total": 3, "read": 1, "unread": 2, "no_account": 1}
    unread = client.get(url, {"show": "unread"}).context["rows"]
    assert {row["recipient"].name for row in unread} == {"西湖小学", "城东中学"}
    assert page.context["can_remind"]
    response = client.post(
        reverse("bulletins:remind", args=[to_schools.pk]), {"version": to_schools.version}
    )
    assert response.status_code == 302
    # A viewer reads the receipts but is offered no action.
    client.force_login(world.viewer)
    page = client.get(url)
    assert page.context["counts"]["read"] == 1
    assert not page.context["can_remind"] and not page.context["actions"]


def test_recipient_page_marks_read(world, client, to_schools):
    other = publish(world, title="第二份通报")
    client.force_login(world.school_user)
    mine = client.get(reverse("bulletins:mine"))
    rows = {b.title: b.is_read for b in mine.context["page"]}
    assert rows == {to_schools.title: False, other.title: False}
    assert mine.content.decode().count('data-testid="unread"') == 2
    page = client.get(reverse("bulletins:detail", args=[to_schools.pk]))
    assert page.status_code == 200 and "一、总体情况" in page.content.decode()
    assert not page.context["is_reader"] and "rows" not in page.context
    rows = {b.title: b.is_read for b in client.get(reverse("bulletins:mine")).context["page"]}
    assert rows == {to_schools.title: True, other.title: False}
    assert BulletinRead.objects.unscoped().filter(user=world.school_user).count() == 1


def test_text_is_escaped(world, client):
    bulletin = publish(
        world,
        title="<script>alert(1)</script>",
        body="一、<b>标题</b>\n<img src=x onerror=alert(1)>",
    )
    client.force_login(world.school_user)
    page = client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page


def test_list_filters(world, client):
    publish(world)
    publish(world, kind=Kind.NOTICE, title="培训通知", topic="training")
    write(world, title="草稿")
    client.force_login(world.admin)
    page = client.get(reverse("bulletins:list"), {"kind": "notice"}).context["page"]
    assert [b.title for b in page] == ["培训通知"]
    page = client.get(reverse("bulletins:list"), {"status": "draft"}).context["page"]
    assert [b.title for b in page] == ["草稿"]
    rows = client.get(reverse("bulletins:list")).context["page"]
    counts = {b.title: (b.read_count, b.recipient_count) for b in rows}
    assert counts["培训通知"] == (0, 3)


@pytest.mark.parametrize(
    ("name", "most"), [("bulletins:list", 20), ("bulletins:mine", 20), ("detail", 25)]
)
def test_query_counts_do_not_grow(world, client, name, most):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    made = []

    def add(n):
        for _ in range(n):
            school = SchoolFactory(office=world.office, zone=world.zone)
            school_account(school, f"s{len(made)}")
            bulletin = publish(world)
            services.mark_read(world.school_user, bulletin)
            made.append(bulletin)
        return made[-1]

    def measure(bulletin):
        client.force_login(world.school_user if name == "bulletins:mine" else world.admin)
        url = reverse("bulletins:detail", args=[bulletin.pk]) if name == "detail" else reverse(name)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = measure(add(1))
    large = measure(add(6))
    assert large <= small <= most
