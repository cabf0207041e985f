"""The public intake (/p/complaints/new/): no login, the challenge, the honeypot, the rate
limits (429), the photos' checks, duplicates merged and counted once, and the sender's
address never stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.complaints import challenge, codes
from dudao.complaints.models import Complaint, ComplaintPhoto, Status
from tests.factories import OfficeFactory, SchoolFactory, region_chain

from .helpers import ADDRESS, TEXT, form_data, png_upload

pytestmark = pytest.mark.django_db

NEW = reverse("complaints_public:new")


def school_url(school):
    return f"{NEW}?school={school.code}"


def post(client, url, data, address=ADDRESS):
    return client.post(url, data, REMOTE_ADDR=address)


def complaints():
    return Complaint.objects.unscoped()


def test_the_school_s_form_names_the_school_and_asks_a_question(world, client):
    response = client.get(school_url(world.school))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.school.name in body
    assert 'data-testid="challenge-question"' in body
    assert "no-store" in response["Cache-Control"]
    assert "<script" not in body  # light: no script on the public pages


def test_an_unknown_or_closed_school_is_not_found(world, client):
    assert client.get(f"{NEW}?school=0000000000").status_code == 404
    world.far_school.is_active = False
    world.far_school.save()
    assert client.get(school_url(world.far_school)).status_code == 404


def test_a_parent_complains_anonymously_and_gets_a_tracking_code(world, client, clock):
    data = form_data(world, clock, anonymous="on", name="王家长", phone="13912345678")
    response = post(client, school_url(world.school), data)
    assert response.status_code == 200
    complaint = complaints().get()
    assert complaint.office == world.office and complaint.school == world.school
    assert complaint.anonymous and complaint.sender_name == "" and complaint.sender_phone == ""
    assert complaint.status == Status.RECEIVED
    body = response.content.decode()
    assert complaint.code_display in body and 'data-testid="tracking-code"' in body


def test_a_named_sender_keeps_name_and_phone(world, client, clock):
    data = form_data(world, clock, name="王家长", phone="13912345678")
    assert post(client, school_url(world.school), data).status_code == 200
    complaint = complaints().get()
    assert (complaint.sender_name, complaint.sender_phone) == ("王家长", "13912345678")
    assert not complaint.anonymous


def test_the_address_is_kept_as_a_keyed_hash_only(world, client, clock):
    post(client, school_url(world.school), form_data(world, clock, name="王家长"))
    complaint = complaints().get()
    assert complaint.client_hash == codes.client_hash(ADDRESS) != ""
    row = Complaint.objects.unscoped().filter(pk=complaint.pk).values().get()
    assert not any(ADDRESS in str(value) for value in row.values())
    intake = AuditEntry.objects.unscoped().get(
        target_type="complaints.Complaint", target_id=str(complaint.pk)
    )
    assert intake.ip is None and intake.user_agent == ""
    assert "王家长" not in str(intake.changes)  # nor the sender's name


def test_the_county_form_chooses_the_school(world, client, clock):
    response = client.get(NEW)
    assert response.status_code == 200
    # Two offices on the site: the county is chosen first.
    assert 'data-testid="county-form"' in response.content.decode()
    url = f"{NEW}?county={world.office.region.code}"
    body = client.get(url).content.decode()
    assert world.school.name in body and world.foreign_school.name not in body
    # The county travels with the form, hidden.
    assert f'type="hidden" name="office" value="{world.office.pk}"' in body
    response = post(
        client, url, form_data(world, clock, office=world.office.pk, school=world.zone_school.code)
    )
    assert response.status_code == 200
    assert complaints().get().school == world.zone_school


def test_the_county_form_without_a_school(world, client, clock):
    url = f"{NEW}?county={world.office.region.code}"
    response = post(client, url, form_data(world, clock, office=world.office.pk, school=""))
    assert response.status_code == 200
    complaint = complaints().get()
    assert complaint.school is None and complaint.office == world.office


def test_a_school_of_another_county_is_refused(world, client, clock):
    url = f"{NEW}?county={world.office.region.code}"
    data = form_data(world, clock, office=world.office.pk, school=world.foreign_school.code)
    response = post(client, url, data)
    assert response.status_code == 200 and not complaints().exists()


def test_a_single_office_is_chosen_by_itself(db, client, clock):
    _, _, county, _ = region_chain()
    office = OfficeFactory(region=county)
    school = SchoolFactory(office=office)
    body = client.get(NEW).content.decode()
    assert 'data-testid="complaint-form"' in body and school.name in body


@pytest.mark.parametrize(
    "change",
    [
        {"answer": "99"},
        {"answer": ""},
        {"answer": "abc"},
        {"challenge": "forged"},
    ],
)
def test_a_wrong_challenge_writes_nothing(world, client, clock, change):
    data = form_data(world, clock, **change)
    response = post(client, school_url(world.school), data)
    assert response.status_code == 200
    assert not complaints().exists()
    assert 'data-testid="complaint-form"' in response.content.decode()


def test_a_challenge_answered_at_once_is_refused(world, client, clock):
    data = form_data(world, clock)
    current = challenge.new()  # answered at once
    data |= {"challenge": current.token, "answer": current.a + current.b}
    response = post(client, school_url(world.school), data)
    assert 'data-testid="challenge-error"' in response.content.decode()
    assert not complaints().exists()


def test_an_expired_challenge_is_refused(world, client, clock):
    data = form_data(world, clock)
    clock.shift(challenge.MAX_AGE + 10)
    post(client, school_url(world.school), data)
    assert not complaints().exists()


def test_a_solved_challenge_cannot_be_replayed(world, client, clock):
    data = form_data(world, clock)
    post(client, school_url(world.school), data)
    again = data | {"text": "另一件不同的事情，想再反映一下。"}
    response = post(client, school_url(world.school), again)
    assert complaints().count() == 1
    assert 'data-testid="challenge-error"' in response.content.decode()


def test_the_honeypot_refuses_a_robot(world, client, clock):
    data = form_data(world, clock, homepage="http://spam.example")
    response = post(client, school_url(world.school), data)
    assert response.status_code == 400
    assert not complaints().exists()


def test_sending_is_limited_per_address(world, client, clock, settings):
    settings.COMPLAINT_SEND_RATE = 2
    for n in range(2):
        data = form_data(world, clock, text=f"第{n}件不同的事情需要反映")
        assert post(client, school_url(world.school), data).status_code == 200
    response = post(
        client, school_url(world.school), form_data(world, clock, text="第三件事情需要反映")
    )
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert complaints().count() == 2
    # Another address is not held back.
    other = post(
        client,
        school_url(world.school),
        form_data(world, clock, text="另一人反映的事情"),
        address="198.51.100.9",
    )
    assert other.status_code == 200 and complaints().count() == 3


def test_sending_is_limited_per_school(world, client, clock, settings):
    settings.COMPLAINT_SCHOOL_RATE = 2
    for n, address in enumerate(["198.51.100.1", "198.51.100.2"]):
        data = form_data(world, clock, text=f"第{n}位家长反映的事情")
        assert post(client, school_url(world.school), data, address).status_code == 200
    data = form_data(world, clock, text="第三位家长反映的事情")
    response = post(client, school_url(world.school), data, "198.51.100.3")
    assert response.status_code == 429
    assert "school" in response.context["what"]
    # Another school of the county is not held back.
    data = form_data(world, clock, text="第四位家长反映的事情")
    assert post(client, school_url(world.zone_school), data, "198.51.100.4").status_code == 200
    assert complaints().count() == 3


def test_the_page_itself_is_rate_limited(world, client, settings):
    settings.PUBLIC_PAGE_REQUEST_RATE = 2
    for _ in range(2):
        assert client.get(school_url(world.school)).status_code == 200
    assert client.get(school_url(world.school)).status_code == 429


def test_the_same_text_again_is_merged_and_counted_once(world, client, clock):
    first = post(client, school_url(world.school), form_data(world, clock))
    assert first.status_code == 200
    # The same words with other spaces, punctuation and full-width forms, an hour later.
    clock.shift(3600)
    again = TEXT.replace("，", ", ").replace("200", "２００") + "  "
    response = post(client, school_url(world.school), form_data(world, clock, text=again))
    assert response.status_code == 200
    original, duplicate = complaints().order_by("pk")
    assert duplicate.status == Status.MERGED and duplicate.duplicate_of == original
    assert duplicate.tracking_code != original.tracking_code
    assert 'data-testid="merged"' in response.content.decode()


def test_the_same_text_from_another_address_or_a_day_later_is_not_merged(world, client, clock):
    post(client, school_url(world.school), form_data(world, clock))
    post(client, school_url(world.school), form_data(world, clock), address="198.51.100.5")
    clock.shift(25 * 3600)
    post(client, school_url(world.school), form_data(world, clock))
    assert not complaints().filter(status=Status.MERGED).exists()
    assert complaints().count() == 3


def test_photos_are_kept(world, client, clock):
    data = form_data(world, clock) | {
        "photos": [png_upload("a.png"), png_upload("b.png", colour=(0, 0, 200))]
    }
    assert post(client, school_url(world.school), data).status_code == 200
    complaint = complaints().get()
    photos = ComplaintPhoto.objects.filter(complaint=complaint)
    assert photos.count() == 2
    assert all(p.preview and p.uploaded_by_id is None for p in photos)


@pytest.mark.parametrize(
    "upload",
    [
        lambda: [SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")],
        lambda: [
            SimpleUploadedFile("x.pdf", b"%PDF-1.4 a document", content_type="application/pdf")
        ],
        lambda: [png_upload(f"{n}.png", colour=(n, 0, 0)) for n in range(4)],
    ],
    ids=["not-an-image", "a-document", "too-many"],
)
def test_bad_photos_are_refused_and_nothing_is_written(world, client, clock, upload):
    data = form_data(world, clock) | {"photos": upload()}
    response = post(client, school_url(world.school), data)
    assert response.status_code == 200
    assert 'data-testid="photo-error"' in response.content.decode()
    assert not complaints().exists() and not ComplaintPhoto.objects.exists()


def test_a_photo_too_large_is_refused(world, client, clock, settings):
    settings.UPLOAD_LIMITS = {"image": 1024}
    data = form_data(world, clock) | {"photos": [png_upload(size=(400, 400))]}
    data["photos"][0].size = 4096
    response = post(client, school_url(world.school), data)
    assert 'data-testid="photo-error"' in response.content.decode()
    assert not complaints().exists()


def test_script_in_the_text_is_shown_as_text(world, client, clock):
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = form_data(world, clock, text=nasty + "学校乱收费", name=nasty[:30])
    response = post(client, school_url(world.school), data)
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    assert complaints().get().text.startswith("<script>")


def test_a_long_text_is_refused(world, client, clock):
    data = form_data(world, clock, text="很" * 2001)
    post(client, school_url(world.school), data)
    assert not complaints().exists()
