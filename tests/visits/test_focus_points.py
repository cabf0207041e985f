"""Monthly focus points (月度督导要点, issue 11 §1): the office admin manages them through the
services (audited), everyone of the office reads them, the visit form shows the month's."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.scoping import focus_points_for
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted
from dudao.visits import services
from dudao.visits.models import FocusPoint


def month_of_today():
    today = timezone.localdate()
    return today.year, today.month


def point(world, title="开学安全", admin=None, **kwargs):
    admin = admin or world.admin
    year, month = month_of_today()
    kwargs.setdefault("year", year)
    kwargs.setdefault("month", month)
    return services.create_focus_point(admin, office=admin.office, title=title, **kwargs)


def test_crud_through_the_pages(world, client):
    client.force_login(world.admin)
    year, month = month_of_today()
    month_value = f"{year:04d}-{month:02d}"
    response = client.post(
        reverse("visits:focus_new"),
        {
            "month_value": month_value,
            "title": "作业管理",
            "text": "查看作业布置与批改",
            "ordering": 2,
        },
    )
    assert response.status_code == 302
    created = FocusPoint.objects.unscoped().get()
    assert (created.office, created.year, created.month) == (world.office, year, month)
    listing = client.get(reverse("visits:focus_list"), {"month": month_value})
    assert "作业管理" in listing.content.decode()
    client.post(
        reverse("visits:focus_edit", args=[created.pk]),
        {"month_value": month_value, "title": "作业管理（五项管理）", "text": "", "ordering": 1},
    )
    created.refresh_from_db()
    assert created.title == "作业管理（五项管理）" and created.version == 2
    client.post(reverse("visits:focus_delete", args=[created.pk]))
    assert not FocusPoint.objects.unscoped().exists()
    actions = list(
        AuditEntry.objects.unscoped()
        .filter(target_type="visits.FocusPoint")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_a_bad_month_or_no_title_is_refused(world, client):
    client.force_login(world.admin)
    response = client.post(reverse("visits:focus_new"), {"month_value": "2026-13", "title": "x"})
    assert response.status_code == 200 and response.context["form"].errors["month_value"]
    with pytest.raises(DomainError):
        point(world, title="  ")
    assert not FocusPoint.objects.unscoped().exists()


def test_only_the_office_admin_writes(world):
    personas = world.personas()
    for role in ("inspector", "zone_leader", "viewer", "school", "superuser"):
        with pytest.raises(NotPermitted):
            services.create_focus_point(
                personas[role], office=world.office, year=2026, month=11, title="x"
            )
    mine = point(world)
    with pytest.raises(NotPermitted):
        services.update_focus_point(world.other_admin, mine, title="改")
    with pytest.raises(NotPermitted):
        services.delete_focus_point(world.other_admin, mine)
    with pytest.raises(NotPermitted):  # not for another office either
        services.create_focus_point(
            world.admin, office=world.other_office, year=2026, month=11, title="x"
        )
    mine.refresh_from_db()
    assert mine.title == "开学安全" and FocusPoint.objects.unscoped().count() == 1


def test_scope(world, client):
    mine = point(world)
    theirs = point(world, title="安全检查", admin=world.other_admin)
    personas = world.personas()
    assert set(focus_points_for(personas["inspector"])) == {mine}
    assert set(focus_points_for(personas["zone_leader"])) == {mine}
    assert set(focus_points_for(personas["admin"])) == {mine}
    assert set(focus_points_for(personas["other_admin"])) == {theirs}
    assert set(focus_points_for(personas["viewer"])) == {mine}  # its city, not the other
    assert not focus_points_for(personas["school"]).exists()
    client.force_login(world.admin)
    assert client.get(reverse("visits:focus_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("visits:focus_delete", args=[theirs.pk])).status_code == 404
    assert FocusPoint.objects.unscoped().count() == 2


def test_shown_on_the_visit_form_for_the_month(world, client):
    year, month = month_of_today()
    point(world, title="开学安全", ordering=2)
    point(world, title="作业管理", ordering=1)
    previous = (year, month - 1) if month > 1 else (year - 1, 12)
    point(world, title="上月要点", year=previous[0], month=previous[1])
    point(world, title="别的区", admin=world.other_admin)
    client.force_login(world.inspector_user)
    body = client.get(reverse("visits:new", args=[world.school.pk])).content.decode()
    assert 'data-testid="focus-points"' in body
    assert body.index("作业管理") < body.index("开学安全")  # in their order
    assert "上月要点" not in body and "别的区" not in body
