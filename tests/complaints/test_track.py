"""Reading the reply with the tracking code (/p/complaints/track/), without an account: the
status and the reply, never a name, a phone, an inspector or an internal note."""

import pytest
from django.urls import reverse

from dudao.complaints import services

from .helpers import ADDRESS, assigned, receive, replied

pytestmark = pytest.mark.django_db

TRACK = reverse("complaints_public:track")


def track(client, code, address=ADDRESS):
    return client.post(TRACK, {"code": code}, REMOTE_ADDR=address)


def test_the_page_asks_for_the_code(world, client):
    response = client.get(TRACK)
    assert response.status_code == 200
    assert 'data-testid="track-form"' in response.content.decode()


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{dashed}", " {spaced} "])
def test_the_code_is_read_whatever_its_case_and_dashes(world, client, typed):
    code = receive(world).tracking_code
    text = typed.format(
        code=code,
        lower=code.lower(),
        dashed=f"{code[:5]}-{code[5:]}",
        spaced=f"{code[:5]} {code[5:]}",
    )
    response = track(client, text)
    assert 'data-testid="track-result"' in response.content.decode()


def test_an_unknown_code_is_not_found(world, client):
    receive(world)
    body = track(client, "ABCDEFGHJK").content.decode()
    assert 'data-testid="track-error"' in body and 'data-testid="track-result"' not in body
    body = track(client, "short").content.decode()
    assert 'data-testid="track-error"' in body


def test_waiting_then_the_reply(world, client):
    complaint = receive(world, name="王家长", phone="13912345678")
    complaint = services.assign(
        world.admin,
        complaint,
        expected_version=complaint.version,
        inspector=world.inspector,
        note="内部说明：请张督学周三前核查",
    )
    body = track(client, complaint.tracking_code).content.decode()
    assert 'data-testid="track-reply"' not in body
    assert complaint.deadline.isoformat() in body
    complaint = services.start_investigation(
        world.inspector_user, complaint, expected_version=complaint.version
    )
    complaint = services.reply(
        world.inspector_user,
        complaint,
        expected_version=complaint.version,
        text="经核查，已责令学校整改。",
    )
    body = track(client, complaint.tracking_code).content.decode()
    assert "经核查，已责令学校整改。" in body
    for secret in ("王家长", "13912345678", world.inspector.name, "内部说明"):
        assert secret not in body


def test_a_draft_is_never_shown(world, client):
    complaint = assigned(world)
    services.save_reply_draft(
        world.inspector_user, complaint, expected_version=complaint.version, text="草稿：尚未核实"
    )
    assert "草稿" not in track(client, complaint.tracking_code).content.decode()


def test_a_transferred_report_names_the_department(world, client):
    complaint = receive(world)
    services.transfer(
        world.admin, complaint, expected_version=complaint.version, department="县市场监督管理局"
    )
    body = track(client, complaint.tracking_code).content.decode()
    assert "县市场监督管理局" in body


def test_a_merged_report_shows_the_first_one_s_progress(world, client):
    first = replied(world, reply="已答复：学校已整改。")
    second = receive(world, text="同一件事，再反映一次。")
    services.merge(world.admin, second, expected_version=second.version, original=first)
    body = track(client, second.tracking_code).content.decode()
    assert 'data-testid="track-merged"' in body and "已答复：学校已整改。" in body


def test_script_in_a_reply_is_shown_as_text(world, client):
    complaint = replied(world, reply="<script>alert(1)</script>已处理")
    body = track(client, complaint.tracking_code).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_tracking_is_rate_limited(world, client, settings):
    settings.COMPLAINT_TRACK_RATE = 3
    for _ in range(3):
        assert track(client, "ABCDEFGHJK").status_code == 200
    response = track(client, "ABCDEFGHJK")
    assert response.status_code == 429 and response["Retry-After"]
