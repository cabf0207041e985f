"""Anonymity and who reads what (issue 14 §1, §6): the school never reads a complaint, let
alone its sender; the inspector reads the text and the photos' previews, not the sender's
name or phone nor a photo's original; only the office admins read the contact details; the
other county finds nothing; notifications and exports carry no sender."""

import io
import zipfile

import pytest
from django.urls import reverse

from dudao.complaints import services
from dudao.complaints.models import ComplaintPhoto
from dudao.notifications.models import Notification
from dudao.reports import exporter

from .helpers import TEXT, assigned, png_upload, receive

pytestmark = pytest.mark.django_db

NAME, PHONE = "王秀英", "13912345678"


@pytest.fixture
def complaint(world, complaint_messages, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return assigned(world, name=NAME, phone=PHONE, photos=[png_upload()])


def body(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_office_admin_reads_the_sender(world, client, complaint):
    status, page = body(client, world.admin, reverse("complaints:detail", args=[complaint.pk]))
    assert status == 200 and NAME in page and PHONE in page and TEXT in page


def test_the_inspector_reads_the_text_but_not_the_sender(world, client, complaint):
    status, page = body(
        client, world.inspector_user, reverse("complaints:detail", args=[complaint.pk])
    )
    assert status == 200 and TEXT in page
    assert NAME not in page and PHONE not in page
    assert "?original=1" not in page


def test_the_inspector_gets_the_preview_not_the_original(world, client, complaint):
    photo = ComplaintPhoto.objects.get(complaint=complaint)
    client.force_login(world.inspector_user)
    url = reverse("complaints:photo", args=[photo.pk])
    assert client.get(url).status_code == 200
    assert client.get(url + "?original=1").status_code == 403
    client.force_login(world.admin)
    assert client.get(url + "?original=1").status_code == 200


@pytest.mark.parametrize("who", ["school_user", "viewer"])
def test_the_school_and_the_viewer_never_open_a_complaint(world, client, complaint, who):
    user = getattr(world, who)
    for url in (
        reverse("complaints:detail", args=[complaint.pk]),
        reverse("complaints:photo", args=[complaint.photos.get().pk]),
        reverse("complaints:list"),
    ):
        status, page = body(client, user, url)
        assert status in (403, 404) and NAME not in page and TEXT not in page


def test_the_other_county_finds_nothing(world, client, complaint):
    status, _page = body(
        client, world.other_admin, reverse("complaints:detail", args=[complaint.pk])
    )
    assert status == 404
    status, page = body(client, world.other_admin, reverse("complaints:list"))
    assert status == 200 and complaint.code_display not in page


def test_another_inspector_finds_nothing(world, client, complaint):
    status, _page = body(
        client, world.zone_leader, reverse("complaints:detail", args=[complaint.pk])
    )
    assert status == 404


def test_a_reassigned_inspector_loses_the_complaint(world, client, complaint):
    services.assign(
        world.admin, complaint, expected_version=complaint.version, inspector=world.other_inspector
    )
    status, _page = body(
        client, world.inspector_user, reverse("complaints:detail", args=[complaint.pk])
    )
    assert status == 404


def test_the_superuser_reads_the_complaint_but_not_the_sender(world, client, complaint):
    status, page = body(client, world.superuser, reverse("complaints:detail", args=[complaint.pk]))
    assert status == 200 and NAME not in page and PHONE not in page


def test_no_notification_carries_the_sender_or_reaches_a_school(world, complaint):
    sent = Notification.objects.unscoped().all()
    assert set(sent.values_list("kind", flat=True)) == {"complaint.received", "complaint.assign"}
    assert set(sent.values_list("recipient", flat=True)) == {
        world.admin.pk,
        world.inspector_user.pk,
    }
    assert not sent.filter(recipient=world.school_user).exists()
    for notification in sent:
        text = str(notification.params) + notification.url
        assert NAME not in text and PHONE not in text


def test_the_figures_workbook_names_no_sender_and_no_text(world, complaint):
    export = exporter.export(
        "complaint_figures", exporter.XLSX, world.admin, {"year": complaint.received_at.year}
    )
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        xml = "".join(
            archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith(".xml")
        )
    assert NAME not in xml and PHONE not in xml and TEXT not in xml


def test_anonymous_is_enforced_by_the_service(world):
    complaint = receive(world, name=NAME, phone=PHONE, anonymous=True, text="匿名反映的事情")
    assert complaint.sender_name == "" and complaint.sender_phone == ""
