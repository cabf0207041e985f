import pytest
from django.urls import reverse

from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.schools import services


def test_entries_cannot_be_changed_or_deleted(world):
    services.update_school(world.admin, world.school, principal="甲")
    entry = AuditEntry.all_objects.get(action="update")
    entry.target_repr = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_audit_page_filters_and_is_scoped(world, login):
    services.update_school(world.admin, world.school, principal="甲")
    services.update_school(world.other_admin, world.foreign_school, principal="乙")
    client = login(world.admin)
    body = client.get(reverse("audit:list")).content.decode()
    assert "湖滨小学" in body
    assert "玄武小学" not in body
    body = client.get(reverse("audit:list"), {"action": "login"}).content.decode()
    assert "湖滨小学" not in body


def test_audit_page_names_record_types_in_chinese(world, login):
    """The record column and the type filter show the model's verbose name, not `schools.School`
    or `accounts.User` (issue 11 §6)."""
    services.update_school(world.admin, world.school, principal="甲")
    audit.record(world.admin, AuditEntry.Action.LOGIN, world.admin)  # its record is a user
    client = login(world.admin)
    body = client.get(reverse("audit:list")).content.decode()
    assert '<span class="muted">学校</span>' in body
    assert '<span class="muted">用户</span>' in body
    assert "schools.School</span>" not in body
    assert "accounts.User</span>" not in body
    assert '<option value="accounts.User">用户</option>' in body


def test_audit_records_ip_from_request(world, login):
    client = login(world.admin)
    client.post(
        reverse("schools:edit", args=[world.far_school.pk]),
        {
            "code": world.far_school.code,
            "name": "城东中学（新）",
            "type": "junior",
            "ownership": "public",
            "location": "urban",
            "enrolment_kindergarten": 0,
            "enrolment_primary": 0,
            "enrolment_junior": 800,
            "enrolment_senior": 0,
            "is_active": "on",
        },
        REMOTE_ADDR="192.0.2.7",
    )
    entry = AuditEntry.all_objects.get(action="update", target_type="schools.School")
    assert entry.ip == "192.0.2.7"
    assert entry.changes["name"] == ["城东中学", "城东中学（新）"]


def test_admin_site_cannot_edit_audit(world, login):
    client = login(world.superuser)
    services.update_school(world.admin, world.school, principal="甲")
    entry = AuditEntry.all_objects.get(action="update")
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"target_repr": "x"})
    assert response.status_code in (403, 200)
    entry.refresh_from_db()
    assert entry.target_repr == "湖滨小学"
