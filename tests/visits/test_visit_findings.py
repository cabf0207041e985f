"""The visit in one pass (issue 11 §1): a 发现问题 item records its finding on the visit form,
with the photos already attached to the visit, in the submit's one transaction."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEntry
from dudao.rectification.models import Finding, FindingEvent, RectificationEvidence
from dudao.visits import services
from dudao.visits.models import AreaCheck, Visit, VisitEvent
from tests.visits.conftest import png_bytes


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def photo(name="问题.png", color=(200, 30, 30)):
    return SimpleUploadedFile(name, png_bytes(64, 48, color), content_type="image/png")


def draft_with_photos(world, count=2):
    key = uuid.uuid4()
    visit = services.save_draft(world.inspector_user, world.school, key, visited_at=timezone.now())
    files = [
        services.add_attachment(world.inspector_user, visit, photo(f"{n}.png", (n * 60, 30, 30)))
        for n in range(1, count + 1)
    ]
    return visit, files


def form_data(visit, files, **extra):
    data = {
        "client_uuid": str(visit.client_uuid),
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "methods": ["campus_walk"],
        "area_1_status": "fine",
        "area_6_status": "problem",
        "area_6_note": "消防通道堆放杂物",
        "area_6_severity": "key",
        "area_6_deadline_kind": "on_the_spot",
        "area_6_photos": [str(files[0].pk)],
        "area_7_status": "problem",
        "area_7_note": "食堂留样记录不全",
        "area_7_severity": "general",
        "area_7_deadline_kind": "by_date",
        "area_7_deadline": in_days(14).isoformat(),
        "area_7_required_action": "补齐留样记录，建立专人负责制度",
        "area_7_photos": [str(files[0].pk), str(files[1].pk)],
        "feedback": "请立即清理消防通道，完善留样记录。",
        "next_visit_plan": "下月中旬回访食堂留样整改情况。",
        "submit": "1",
    }
    data.update(extra)
    return data


def test_two_findings_in_one_submit(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    response = client.post(reverse("visits:edit", args=[visit.pk]), form_data(visit, files))
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.next_visit_plan == "下月中旬回访食堂留样整改情况。"
    findings = {f.area: f for f in Finding.objects.unscoped().filter(visit=visit)}
    assert set(findings) == {6, 7}
    spot, dated = findings[6], findings[7]
    assert (spot.description, spot.severity, spot.deadline_kind) == (
        "消防通道堆放杂物",
        "key",
        "on_the_spot",
    )
    assert spot.deadline == visit.visited_on  # on the spot: the day of the visit
    assert (dated.deadline_kind, dated.deadline) == ("by_date", in_days(14))
    assert spot.inspector_id == world.inspector.pk and spot.created_by == world.inspector_user
    # The photos chosen are the findings' evidence (copied, same bytes), no second upload.
    assert [f.sha256 for f in spot.files.all()] == [files[0].sha256]
    assert sorted(f.sha256 for f in dated.files.all()) == sorted(a.sha256 for a in files)
    evidence = RectificationEvidence.objects.all()
    assert all(e.file.name.startswith("rectification/") for e in evidence)
    assert visit.attachments.count() == 2
    # History: created, then the file added; the visit's own line; audit rows.
    assert list(spot.events.values_list("action", flat=True)) == ["created", "file_added"]
    assert list(dated.events.values_list("action", flat=True)) == [
        "created",
        "file_added",
        "file_added",
    ]
    assert VisitEvent.objects.filter(visit=visit, action="submit").count() == 1
    audit = AuditEntry.objects.unscoped()
    assert audit.filter(target_type="rectification.Finding", action="create").count() == 2
    # One flash message naming the findings.
    detail = client.get(response["Location"])
    messages = [str(m) for m in detail.context["messages"]]
    assert len(messages) == 1 and "2" in messages[0]
    body = detail.content.decode()
    for finding in findings.values():
        assert reverse("rectification:finding_detail", args=[finding.pk]) in body
    assert "未发现问题" not in body


def test_a_retried_submit_makes_no_second_finding(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    url = reverse("visits:edit", args=[visit.pk])
    client.post(url, form_data(visit, files))
    again = client.post(url, form_data(visit, files, area_6_note="重复"))
    assert again.status_code == 302
    # and the same UUID sent to the new-visit form (an offline replay)
    replay = client.post(
        reverse("visits:new", args=[world.school.pk]), form_data(visit, files, area_6_note="重复")
    )
    assert replay.status_code == 302
    assert Finding.objects.unscoped().filter(visit=visit).count() == 2
    assert RectificationEvidence.objects.count() == 3
    assert FindingEvent.objects.filter(action="created").count() == 2
    assert not Finding.objects.unscoped().filter(description="重复").exists()


def test_the_service_retried_is_idempotent(world):
    visit, files = draft_with_photos(world, count=1)
    areas = [
        {
            "area": 3,
            "status": "problem",
            "note": "课表不规范",
            "finding": {
                "deadline_kind": "by_date",
                "deadline": in_days(7),
                "photos": [files[0].pk],
            },
        }
    ]
    first = services.submit_visit(world.inspector_user, visit.client_uuid, areas=areas)
    second = services.submit_visit(world.inspector_user, visit.client_uuid, areas=areas)
    assert first.pk == second.pk
    assert Finding.objects.unscoped().filter(visit=visit).count() == 1


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"area_7_note": ""}, "area_7_note", "描述"),
        ({"area_7_deadline": "2020-01-01"}, "area_7_deadline", ""),
        ({"area_7_deadline": ""}, "area_7_deadline", ""),
    ],
    ids=["no-description", "deadline-in-the-past", "no-deadline"],
)
def test_a_bad_finding_item_saves_nothing(world, client, extra, field, message):
    visit, files = draft_with_photos(world)
    before = AuditEntry.objects.unscoped().count()
    client.force_login(world.inspector_user)
    response = client.post(
        reverse("visits:edit", args=[visit.pk]), form_data(visit, files, **extra)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field], form.errors
    assert "area_6_note" not in form.errors  # the good item is not blamed
    assert message in " ".join(form.errors[field])
    visit.refresh_from_db()
    assert visit.is_draft
    assert not Finding.objects.unscoped().exists()
    assert not RectificationEvidence.objects.exists()
    assert AuditEntry.objects.unscoped().count() == before
    # The message is beside its item, and the item's fields stay in the page.
    body = response.content.decode()
    item = body[body.index('data-testid="area-7"') : body.index('data-testid="area-8"')]
    assert 'class="errorlist"' in item


def test_a_photo_of_another_visit_is_refused(world, client):
    visit, files = draft_with_photos(world, count=1)
    _other, other_files = draft_with_photos(world, count=1)
    client.force_login(world.inspector_user)
    response = client.post(
        reverse("visits:edit", args=[visit.pk]),
        form_data(visit, files + other_files, area_6_photos=[str(other_files[0].pk)]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["area_6_photos"]
    assert not Finding.objects.unscoped().exists()


def test_the_draft_keeps_the_finding_fields(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    data = form_data(visit, files)
    del data["submit"]
    data["save"] = "1"
    client.post(reverse("visits:edit", args=[visit.pk]), data)
    check = AreaCheck.objects.get(visit=visit, area=7)
    assert check.planned_finding == {
        "severity": "general",
        "deadline_kind": "by_date",
        "deadline": in_days(14).isoformat(),
        "required_action": "补齐留样记录，建立专人负责制度",
        "photos": sorted([files[0].pk, files[1].pk]),
    }
    assert not Finding.objects.unscoped().exists()
    page = client.get(reverse("visits:edit", args=[visit.pk]))
    form = page.context["form"]
    assert form["area_7_deadline"].value() == in_days(14).isoformat()
    assert form["area_6_deadline_kind"].value() == "on_the_spot"
    body = page.content.decode()
    assert f'name="area_7_photos" value="{files[1].pk}" checked' in body
    # autosave (htmx) keeps them too
    data["area_7_severity"] = "difficult"
    client.post(reverse("visits:autosave", args=[world.school.pk]), data)
    check.refresh_from_db()
    assert check.planned_finding["severity"] == "difficult"


def test_the_finding_fields_are_in_the_page_without_scripts(world, client):
    visit, _files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    body = client.get(reverse("visits:edit", args=[visit.pk])).content.decode()
    for number in range(1, 9):
        assert f'data-testid="finding-{number}"' in body
        assert f'name="area_{number}_deadline_kind" value="on_the_spot"' in body
        assert f'name="area_{number}_deadline"' in body
    assert body.count('name="area_6_photos"') == 2  # one box per photo of the visit
    assert "js/visit_findings.js" in body
    assert "<script>" not in body and " style=" not in body


def test_all_the_rest_fine_without_scripts(world, client):
    visit, files = draft_with_photos(world)
    client.force_login(world.inspector_user)
    data = form_data(visit, files)
    del data["submit"]
    data["all_fine"] = "1"
    response = client.post(reverse("visits:edit", args=[visit.pk]), data)
    assert response.status_code == 302
    checks = dict(AreaCheck.objects.filter(visit=visit).values_list("area", "status"))
    assert checks[6] == checks[7] == AreaCheck.Status.PROBLEM
    assert [n for n, s in checks.items() if s == AreaCheck.Status.FINE] == [1, 2, 3, 4, 5, 8]
    visit.refresh_from_db()
    assert visit.is_draft  # marked, not submitted


def test_the_visit_page_says_when_marked_problems_have_no_finding(world, client):
    visit = services.submit_visit(
        world.inspector_user,
        uuid.uuid4(),
        school=world.school,
        visited_at=timezone.now(),
        areas=[{"area": 2, "status": "problem", "note": "收费公示不全"}],  # no finding given
    )
    client.force_login(world.inspector_user)
    body = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "未发现问题" not in body
