"""The finding screens: recording, the finding's page, every action through the view, the
evidence files."""

import pytest
from django.urls import reverse

from dudao.accounts.models import Role
from dudao.rectification.models import (
    Escalation,
    Finding,
    FindingEvent,
    FindingStatus,
    Notice,
    RectificationEvidence,
    Response,
    Severity,
)
from tests.factories import UserFactory

from .helpers import in_days, put
from .test_views_helpers import (
    english,
    fresh,
    make_finding,
    message_texts,
    png_upload,
    script_as_jpg,
)

CREATE = "rectification:finding_create"


def detail_url(finding):
    return reverse("rectification:finding_detail", args=[finding.pk])


def action_url(finding, action):
    return reverse("rectification:finding_action", args=[finding.pk, action])


def finding_post(**kwargs):
    data = {
        "school": "",
        "area": "6",
        "description": "消防通道堆放杂物",
        "evidence": "现场照片",
        "severity": "general",
        "deadline_kind": "by_date",
        "deadline": in_days(10).isoformat(),
        "required_action": "立即清理",
    }
    data.update(kwargs)
    return data


# Recording a finding ---------------------------------------------------------------------


def test_inspector_records_a_finding_from_the_visit_with_a_photo(world, client, visit):
    client.force_login(world.inspector_user)
    url = f"{reverse(CREATE)}?visit={visit.pk}"
    assert client.get(url).status_code == 200
    data = finding_post(school=world.school.pk, photos=[png_upload()])
    response = client.post(url, data)
    finding = Finding.all_objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(finding)
    assert finding.visit == visit and finding.school == world.school
    assert finding.created_by == world.inspector_user
    assert finding.required_action == "立即清理"
    (photo,) = finding.files.all()
    assert photo.kind == "image" and photo.response is None


def test_a_bad_photo_refuses_the_whole_finding(world, client, visit):
    english(client).force_login(world.inspector_user)
    url = f"{reverse(CREATE)}?visit={visit.pk}"
    data = finding_post(school=world.school.pk, photos=[png_upload(), script_as_jpg()])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "photo.jpg" in response.content.decode()
    assert not Finding.all_objects.exists() and not RectificationEvidence.objects.exists()


def test_save_and_add_another_returns_to_the_form_for_the_visit(world, client, visit):
    client.force_login(world.inspector_user)
    url = f"{reverse(CREATE)}?visit={visit.pk}"
    response = client.post(url, finding_post(school=world.school.pk, another="1"))
    assert response.status_code == 302
    assert response["Location"] == url
    assert Finding.all_objects.count() == 1


def test_school_of_a_visit_cannot_be_swapped(world, client, visit):
    client.force_login(world.inspector_user)
    url = f"{reverse(CREATE)}?visit={visit.pk}"
    response = client.post(url, finding_post(school=world.far_school.pk))
    assert response.status_code == 200
    assert not Finding.all_objects.exists()


def test_only_the_visits_inspector_or_the_office_records_from_a_visit(world, client, visit):
    client.force_login(world.zone_leader)
    assert client.get(f"{reverse(CREATE)}?visit={visit.pk}").status_code == 403
    client.force_login(world.admin)
    url = f"{reverse(CREATE)}?visit={visit.pk}"
    assert client.post(url, finding_post(school=world.school.pk)).status_code == 302
    assert Finding.all_objects.get().visit == visit


def test_office_admin_records_a_finding_without_a_visit(world, client):
    client.force_login(world.admin)
    response = client.post(reverse(CREATE), finding_post(school=world.far_school.pk))
    finding = Finding.all_objects.get()
    assert response["Location"] == detail_url(finding)
    assert finding.visit is None and finding.school == world.far_school


def test_responsible_inspector_records_about_own_school_only(world, client):
    client.force_login(world.inspector_user)
    own = f"{reverse(CREATE)}?school={world.school.pk}"
    assert client.post(own, finding_post(school=world.school.pk)).status_code == 302
    assert client.get(f"{reverse(CREATE)}?school={world.zone_school.pk}").status_code == 404
    # the zone leader sees the zone's schools but is not their responsible inspector
    client.force_login(world.zone_leader)
    assert client.get(f"{reverse(CREATE)}?school={world.zone_school.pk}").status_code == 403
    response = client.post(reverse(CREATE), finding_post(school=world.zone_school.pk))
    assert response.status_code == 200  # not among the choices
    assert Finding.all_objects.count() == 1


def test_bad_finding_shows_errors_and_saves_nothing(world, client):
    english(client).force_login(world.admin)
    response = client.post(reverse(CREATE), finding_post(school=world.school.pk, deadline=""))
    assert response.status_code == 200
    assert "Enter the deadline." in response.content.decode()
    past = finding_post(school=world.school.pk, deadline=in_days(-3).isoformat())
    assert "The deadline is in the past." in client.post(reverse(CREATE), past).content.decode()
    assert not Finding.all_objects.exists()


@pytest.mark.parametrize("role", ["school", "viewer", "superuser"])
def test_others_cannot_record_findings(world, client, role):
    client.force_login(world.personas()[role])
    assert client.get(reverse(CREATE)).status_code == 403
    client.post(reverse(CREATE), finding_post(school=world.school.pk))
    assert not Finding.all_objects.exists()


# The finding's page ----------------------------------------------------------------------


def test_detail_offers_exactly_the_allowed_actions(world, client, finding):
    english(client).force_login(world.inspector_user)
    body = client.get(detail_url(finding)).content.decode()
    for action in ("issue_notice", "close_on_the_spot", "escalate"):
        assert action_url(finding, action) in body
    for action in ("withdraw", "respond", "accept", "set_severity"):
        assert action_url(finding, action) not in body
    assert 'name="expected_version" value="1"' in body
    client.force_login(world.school_user)
    body = client.get(detail_url(finding)).content.decode()
    assert "/action/" not in body
    client.force_login(world.viewer)
    assert "/action/" not in client.get(detail_url(finding)).content.decode()
    client.force_login(world.admin)
    body = client.get(detail_url(finding)).content.decode()
    for action in ("withdraw", "set_severity", "change_deadline", "issue_notice"):
        assert action_url(finding, action) in body


def test_detail_shows_the_timeline_notices_responses_and_follow_ups(world, client, finding):
    english(client)
    client.force_login(world.inspector_user)
    client.post(
        action_url(finding, "issue_notice"),
        {"expected_version": 1, "deadline": in_days(5).isoformat()},
    )
    client.force_login(world.school_user)
    client.post(
        action_url(finding, "respond"),
        {"expected_version": 2, "text": "已清理完毕", "files": [png_upload()]},
    )
    client.force_login(world.inspector_user)
    client.post(action_url(finding, "reject"), {"expected_version": 3, "note": "仍有杂物"})
    client.force_login(world.school_user)
    body = client.get(detail_url(finding)).content.decode()
    notice = Notice.all_objects.get()
    assert notice.number in body
    assert "已清理完毕" in body and "仍有杂物" in body
    evidence = RectificationEvidence.objects.get()
    assert reverse("rectification:finding_file", args=[evidence.pk]) in body
    assert "/media/" not in body
    assert "Notice issued → Responded" in body and "Responded → Urged" in body
    assert action_url(finding, "respond") in body  # urged: the school answers again


def test_serious_finding_shows_the_accountability_banner_to_the_office(world, client):
    finding = make_finding(world, severity=Severity.SERIOUS)
    client.force_login(world.admin)
    body = client.get(detail_url(finding)).content.decode()
    assert 'data-testid="serious-banner"' in body
    assert f"{reverse('rectification:case_create')}?finding={finding.pk}" in body
    client.force_login(world.inspector_user)
    assert "serious-banner" not in client.get(detail_url(finding)).content.decode()


# Every action through the view -----------------------------------------------------------


def setup_open(world, finding):
    return finding


def setup_notice(world, finding):
    return put(finding, FindingStatus.NOTICE_ISSUED)


def setup_responded(world, finding):
    return put(finding, FindingStatus.RESPONDED)


def setup_county(world, finding):
    return put(finding, FindingStatus.OPEN, escalated_to=Escalation.COUNTY)


def setup_closed(world, finding):
    return put(finding, FindingStatus.CLOSED)


LEGAL = [
    # action, set-up, role, data, expected status, check
    ("issue_notice", setup_open, "inspector", {"deadline": in_days(9)}, "notice_issued", None),
    ("respond", setup_notice, "school", {"text": "已整改"}, "responded", None),
    ("accept", setup_responded, "inspector", {}, "closed", None),
    ("reject", setup_responded, "inspector", {"note": "仍未整改"}, "urged", None),
    ("escalate", setup_open, "inspector", {"note": "需督办"}, "open", "escalated_to=county"),
    ("escalate_to_city", setup_county, "admin", {"note": "报市"}, "open", "escalated_to=city"),
    (
        "mark_needs_other_department",
        setup_open,
        "inspector",
        {"note": "需住建部门", "department": "住建局"},
        "open",
        "needs_other_department=True",
    ),
    ("close_on_the_spot", setup_open, "inspector", {"note": "当场清理"}, "closed", None),
    ("withdraw", setup_open, "admin", {"note": "误录"}, "withdrawn", None),
    ("reopen", setup_closed, "admin", {"note": "问题复现"}, "open", None),
    ("change_deadline", setup_open, "admin", {"deadline": lambda: in_days(20)}, "open", "deadline"),
    ("set_severity", setup_open, "admin", {"severity": "key"}, "open", "severity=key"),
]
EVENT_OF = {"change_deadline": "deadline_changed", "set_severity": "severity_changed"}


@pytest.mark.parametrize(("action", "setup", "role", "data", "status", "check"), LEGAL)
def test_legal_action_through_the_view(
    world, client, finding, action, setup, role, data, status, check
):
    finding = setup(world, finding)
    before = finding.version
    client.force_login(world.personas()[role])
    # Dates are callables, so that they are taken under the pinned clock, not at import.
    values = {k: v() if callable(v) else v for k, v in data.items()}
    post = {"expected_version": before, **{k: str(v) for k, v in values.items()}}
    response = client.post(action_url(finding, action), post)
    assert response.status_code == 302 and response["Location"] == detail_url(finding)
    after = fresh(finding)
    assert after.status == status
    assert after.version == before + 1
    event = after.events.order_by("-at", "-pk").exclude(action="escalated").first()
    assert event.action == EVENT_OF.get(action, action)
    assert event.actor == world.personas()[role]
    if check == "deadline":
        assert after.deadline == in_days(20)
    elif check:
        field, value = check.split("=")
        assert str(getattr(after, field)) == value


def test_add_a_photo_through_the_view(world, client, finding):
    client.force_login(world.inspector_user)
    response = client.post(
        action_url(finding, "add_file"), {"expected_version": 1, "files": [png_upload()]}
    )
    assert response.status_code == 302
    assert fresh(finding).files.get().kind == "image"
    assert fresh(finding).events.filter(action="file_added").exists()


ILLEGAL = [
    # action, set-up, role, data, message
    ("accept", setup_responded, "school", {}, "You may not accept the rectification"),
    ("reopen", setup_open, "admin", {"note": "x"}, "You cannot reopen"),
    ("respond", setup_open, "school", {"text": "已整改"}, "You cannot respond"),
    ("withdraw", setup_open, "inspector", {"note": "x"}, "You may not withdraw"),
    ("withdraw", setup_open, "admin", {}, "Add a note to withdraw"),
    ("reject", setup_responded, "inspector", {}, "Say what is still not rectified"),
    ("escalate_to_city", setup_open, "admin", {"note": "x"}, "Only a finding escalated"),
    ("set_severity", setup_open, "inspector", {"severity": "key"}, "You may not change"),
    ("close_on_the_spot", setup_open, "zone_leader", {"note": "x"}, "You may not close"),
]


@pytest.mark.parametrize(("action", "setup", "role", "data", "message"), ILLEGAL)
def test_illegal_action_shows_a_message_and_changes_nothing(
    world, client, finding, action, setup, role, data, message
):
    finding = setup(world, finding)
    events = FindingEvent.objects.count()
    english(client).force_login(world.personas()[role])
    response = client.post(
        action_url(finding, action), {"expected_version": finding.version, **data}
    )
    if message.startswith("You may not"):
        # Not the user's action at all: refused with 403, the reason on the page.
        assert response.status_code == 403
        assert message in response.content.decode()
    else:
        # The user's action, but not now or not so: back to the finding with the reason.
        assert response.status_code == 302
        texts = message_texts(response)
        assert any(message in text for text in texts), texts
    after = fresh(finding)
    assert (after.status, after.version, after.severity) == (
        finding.status,
        finding.version,
        finding.severity,
    )
    assert FindingEvent.objects.count() == events


@pytest.mark.parametrize(
    "action", ["issue_notice", "escalate", "withdraw", "change_deadline", "set_severity"]
)
def test_stale_version_is_refused(world, client, finding, action):
    client.force_login(world.admin)
    data = {
        "expected_version": 1,
        "note": "x",
        "deadline": in_days(9).isoformat(),
        "severity": "key",
    }
    client.post(action_url(finding, "set_severity"), {**data, "severity": "difficult"})  # version 2
    events = FindingEvent.objects.count()
    english(client)
    response = client.post(action_url(finding, action), data)
    assert any("Someone else changed this finding" in t for t in message_texts(response))
    after = fresh(finding)
    assert after.version == 2 and after.status == "open" and after.severity == "difficult"
    assert FindingEvent.objects.count() == events
    assert not Notice.all_objects.exists()


def test_missing_version_is_refused(world, client, finding):
    client.force_login(world.admin)
    response = english(client).post(action_url(finding, "withdraw"), {"note": "x"})
    assert "Reload the page and try again." in message_texts(response)
    assert fresh(finding).status == "open"


def test_htmx_action_returns_the_refreshed_page_part(world, client, finding):
    english(client).force_login(world.inspector_user)
    response = client.post(
        action_url(finding, "escalate"),
        {"expected_version": 1, "note": "需督办"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="finding-main"')
    assert 'data-version="2"' in body and "Done: escalate to the county office." in body
    response = client.post(
        action_url(finding, "escalate"),
        {"expected_version": 1, "note": "again"},
        HTTP_HX_REQUEST="true",
    )
    assert "Someone else changed this finding" in response.content.decode()


def test_viewer_and_strangers_cannot_act(world, client, finding):
    client.force_login(world.viewer)
    assert (
        client.post(
            action_url(finding, "withdraw"), {"expected_version": 1, "note": "x"}
        ).status_code
        == 403
    )
    client.force_login(world.other_admin)
    assert (
        client.post(
            action_url(finding, "withdraw"), {"expected_version": 1, "note": "x"}
        ).status_code
        == 404
    )
    client.force_login(world.admin)
    assert client.post(action_url(finding, "explode"), {"expected_version": 1}).status_code == 404
    assert fresh(finding).status == "open" and fresh(finding).version == 1


def test_next_parameter_stays_on_this_site(world, client, finding):
    client.force_login(world.admin)
    data = {"expected_version": 1, "note": "x", "next": "https://evil.example/"}
    response = client.post(action_url(finding, "escalate"), data)
    assert response["Location"] == detail_url(finding)
    data = {"expected_version": 2, "note": "x", "next": reverse("rectification:escalations")}
    response = client.post(action_url(finding, "escalate_to_city"), data)
    assert response["Location"] == reverse("rectification:escalations")


# Responding with evidence ----------------------------------------------------------------


def test_school_responds_with_a_photo(world, client, finding):
    finding = put(finding, FindingStatus.NOTICE_ISSUED)
    client.force_login(world.school_user)
    data = {"expected_version": 1, "text": "已清理", "files": [png_upload(), png_upload("b.png")]}
    client.post(action_url(finding, "respond"), data)
    response = Response.objects.get()
    assert fresh(finding).status == "responded"
    assert response.files.count() in (1, 2)  # identical bytes may be kept once
    assert all(f.kind == "image" for f in response.files.all())


def test_script_renamed_jpg_is_refused_and_nothing_is_written(world, client, finding):
    finding = put(finding, FindingStatus.NOTICE_ISSUED)
    english(client).force_login(world.school_user)
    data = {"expected_version": 1, "text": "已清理", "files": [script_as_jpg()]}
    response = client.post(action_url(finding, "respond"), data)
    assert any("photo.jpg" in t for t in message_texts(response))
    assert fresh(finding).status == "notice_issued"
    assert not Response.objects.exists() and not RectificationEvidence.objects.exists()


# Evidence files --------------------------------------------------------------------------


def test_files_are_served_through_the_findings_scope(world, client, finding):
    finding = put(finding, FindingStatus.NOTICE_ISSUED)
    client.force_login(world.school_user)
    client.post(
        action_url(finding, "respond"),
        {"expected_version": 1, "text": "已清理", "files": [png_upload()]},
    )
    evidence = RectificationEvidence.objects.get()
    url = reverse("rectification:finding_file", args=[evidence.pk])
    original = client.get(url)
    assert original.status_code == 200 and original["Content-Type"] == "image/png"
    preview = client.get(url + "?preview=1")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    for user in (world.admin, world.inspector_user, world.viewer):
        client.force_login(user)
        assert client.get(url).status_code == 200
    other_school = UserFactory(role=Role.SCHOOL, office=world.office, school=world.zone_school)
    for user in (other_school, world.other_admin):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_document_has_no_preview(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dudao.rectification import services

    finding = make_finding(world)
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    stored = services.add_finding_file(world.admin, finding, pdf)
    client.force_login(world.admin)
    url = reverse("rectification:finding_file", args=[stored.pk])
    assert client.get(url).status_code == 200
    assert client.get(url + "?preview=1").status_code == 404


# Scope -----------------------------------------------------------------------------------


def test_school_cannot_see_another_schools_finding(world, client):
    other = make_finding(world, school=world.zone_school)
    client.force_login(world.school_user)
    assert client.get(detail_url(other)).status_code == 404
    data = {"expected_version": 1, "text": "x"}
    assert client.post(action_url(other, "respond"), data).status_code == 404


def test_inspector_cannot_see_another_inspectors_schools_finding(world, client):
    other = make_finding(world, school=world.zone_school)
    client.force_login(world.inspector_user)
    assert client.get(detail_url(other)).status_code == 404
    assert (
        client.post(action_url(other, "escalate"), {"expected_version": 1, "note": "x"}).status_code
        == 404
    )
    assert fresh(other).escalated_to == "none"
