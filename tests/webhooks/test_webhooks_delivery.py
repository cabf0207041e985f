"""Events reach group robots on a real local HTTP server: the JSON, DingTalk signing, retries
with back-off, errcode, disabled robots, unchosen events, the other county."""

import base64
import datetime
import hashlib
import hmac
import types

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.bulletins.models import Bulletin
from dudao.campaigns.models import Campaign
from dudao.rectification import services as rectification
from dudao.rectification.overdue import mark_overdue
from dudao.webhooks import delivery, receivers
from dudao.webhooks.models import Delivery, Robot
from tests.factories_supervision import FindingFactory


def escalate(world, finding, capture):
    with capture(execute=True):
        rectification.escalate(
            world.admin, finding, expected_version=finding.version, note="需要督导室协调"
        )


def deliveries():
    return Delivery.objects.unscoped().order_by("pk")


def test_an_escalation_reaches_a_wecom_robot(
    world, endpoint, robot_of, django_capture_on_commit_callbacks
):
    robot = robot_of("wecom")
    finding = FindingFactory(school=world.school, description="某家长投诉：张三的孩子被体罚")
    escalate(world, finding, django_capture_on_commit_callbacks)

    assert len(endpoint.requests) == 1
    received = endpoint.requests[0]
    assert received.path == "/cgi-bin/webhook/send"
    assert received.query == {"key": ["test-key-123456"]}
    assert received.headers["Content-Type"].startswith("application/json")
    assert set(received.body) == {"msgtype", "markdown"}
    assert received.body["msgtype"] == "markdown"
    content = received.body["markdown"]["content"]
    assert world.school.name in content and world.office.name in content
    link = "https://dudao.example.cn" + reverse("rectification:finding_detail", args=[finding.pk])
    assert f"({link})" in content
    assert "张三" not in content and "投诉" not in content  # never the finding's free text
    sent = deliveries().get()
    assert (sent.robot, sent.status, sent.attempts, sent.response_code) == (robot, "sent", 1, 200)
    assert sent.event == Robot.Event.ESCALATION


def test_dingtalk_message_is_signed(world, endpoint, robot_of, django_capture_on_commit_callbacks):
    secret = "SEC0123456789abcdef"
    robot_of("dingtalk", secret=secret)
    escalate(world, FindingFactory(school=world.school), django_capture_on_commit_callbacks)

    received = endpoint.requests[0]
    assert received.path == "/robot/send"
    assert received.query["access_token"] == ["test-key-123456"]
    timestamp = received.query["timestamp"][0]
    # parse_qs decoded the url-encoded base64 once, as DingTalk does
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert received.query["sign"] == [expected]
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000
    markdown = received.body["markdown"]
    assert received.body["msgtype"] == "markdown" and set(markdown) == {"title", "text"}
    assert markdown["title"] in markdown["text"]


def test_unsigned_dingtalk_has_no_sign(world, endpoint, robot_of):
    robot = robot_of("dingtalk")
    assert delivery.signed_url(robot) == robot.url


def test_a_500_then_200_is_retried_and_delivered_once(
    world, endpoint, robot_of, clock, django_capture_on_commit_callbacks
):
    robot_of("wecom")
    endpoint.answer((500, {"error": "busy"}))
    escalate(world, FindingFactory(school=world.school), django_capture_on_commit_callbacks)

    pending = deliveries().get()
    assert (pending.status, pending.attempts, pending.response_code) == ("pending", 1, 500)
    assert pending.last_error == "HTTP 500"
    assert pending.next_attempt_at == pytest.approx(
        timezone.now() + datetime.timedelta(minutes=1), abs=datetime.timedelta(seconds=5)
    )
    assert delivery.deliver_due() == {}  # not due yet: nothing sent
    assert delivery.send(pending.pk) == "skipped"
    assert len(endpoint.requests) == 1

    clock.shift(datetime.timedelta(minutes=2))
    assert delivery.deliver_due() == {"sent": 1}
    assert delivery.deliver_due() == {}  # a repeated run sends nothing again
    assert delivery.send(pending.pk) == "skipped"
    sent = deliveries().get()
    assert (sent.status, sent.attempts, sent.response_code, sent.last_error) == ("sent", 2, 200, "")
    assert len(endpoint.requests) == 2


def test_back_off_grows_and_gives_up(world, endpoint, robot_of, clock):
    robot = robot_of("wecom")
    endpoint.answer(*[(502, {})] * delivery.MAX_ATTEMPTS)
    made = Delivery.objects.unscoped().create(
        office=world.office, robot=robot, event="test", ref="t", title="t", payload={}
    )
    waits = []
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        assert delivery.send(made.pk) == "retry"
        made.refresh_from_db()
        waits.append(round((made.next_attempt_at - timezone.now()).total_seconds() / 60))
        clock.move_to(made.next_attempt_at)
    assert waits == [1, 4, 16, 64, 256]
    assert delivery.send(made.pk) == "failed"
    made.refresh_from_db()
    assert (made.status, made.attempts, made.next_attempt_at) == ("failed", 6, None)
    assert delivery.deliver_due() == {}
    assert len(endpoint.requests) == delivery.MAX_ATTEMPTS


def test_errcode_not_zero_is_a_failure(
    world, endpoint, robot_of, django_capture_on_commit_callbacks
):
    robot_of("wecom")
    endpoint.answer((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    escalate(world, FindingFactory(school=world.school), django_capture_on_commit_callbacks)
    made = deliveries().get()
    assert (made.status, made.response_code) == ("pending", 200)
    assert made.last_error == "errcode 93000: invalid webhook url"
    assert made.next_attempt_at is not None


def test_not_json_and_refused_connection_are_failures(world, endpoint):
    assert delivery.post("http://127.0.0.1:9/cgi-bin/webhook/send?key=x", {}).ok is False
    outcome = delivery.post(f"http://127.0.0.1:{endpoint.port}/x?key=y", {"a": 1})
    assert outcome.ok  # the stand-in answers errcode 0
    assert delivery.post("file:///etc/passwd", {}).error == "not an http(s) URL"


def test_disabled_robot_or_unchosen_event_sends_nothing(
    world, endpoint, robot_of, django_capture_on_commit_callbacks
):
    robot_of("wecom", name="off", active=False)
    robot_of("wecom", name="bulletins only", events=[Robot.Event.BULLETIN])
    escalate(world, FindingFactory(school=world.school), django_capture_on_commit_callbacks)
    assert endpoint.requests == []
    assert not deliveries().exists()


def test_robot_disabled_after_queueing_gets_nothing(world, endpoint, robot_of):
    robot = robot_of("wecom")
    made = Delivery.objects.unscoped().create(
        office=world.office, robot=robot, event="test", ref="t", title="t", payload={}
    )
    Robot.all_objects.filter(pk=robot.pk).update(active=False)
    assert delivery.send(made.pk) == "failed"
    assert endpoint.requests == []


def test_another_countys_robot_never_gets_this_countys_event(
    world, endpoint, robot_of, django_capture_on_commit_callbacks
):
    foreign = robot_of("wecom", office=world.other_office, key="x")
    escalate(world, FindingFactory(school=world.school), django_capture_on_commit_callbacks)
    assert endpoint.requests == []
    assert not deliveries().filter(robot=foreign).exists()


def test_a_zones_robot_hears_its_zone_only(
    world, endpoint, robot_of, django_capture_on_commit_callbacks
):
    zone_robot = robot_of("wecom", name="zone", zone=world.zone)
    office_robot = robot_of("wecom", name="office")
    escalate(world, FindingFactory(school=world.far_school), django_capture_on_commit_callbacks)
    assert list(deliveries().values_list("robot", flat=True)) == [office_robot.pk]
    escalate(world, FindingFactory(school=world.school), django_capture_on_commit_callbacks)
    assert set(deliveries().values_list("robot", flat=True)) == {zone_robot.pk, office_robot.pk}


def test_an_overdue_finding_is_pushed_once(
    world, endpoint, robot_of, today, django_capture_on_commit_callbacks
):
    robot_of("wecom", events=[Robot.Event.OVERDUE])
    FindingFactory(school=world.school, deadline=today - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        mark_overdue(today)
    with django_capture_on_commit_callbacks(execute=True):
        mark_overdue(today)
    assert len(endpoint.requests) == 1
    assert "逾期" in endpoint.requests[0].body["markdown"]["content"] or (
        "overdue" in endpoint.requests[0].body["markdown"]["content"]
    )


def test_a_repeated_signal_queues_nothing_new(
    world, endpoint, robot_of, django_capture_on_commit_callbacks
):
    robot_of("wecom")
    finding = FindingFactory(school=world.school)
    event = types.SimpleNamespace(pk=99, actor_id=world.admin.pk)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            receivers.on_finding_transitioned(None, finding=finding, event=event, action="escalate")
    assert deliveries().count() == 1
    assert len(endpoint.requests) == 1


def test_campaign_and_bulletin_published(
    world, endpoint, robot_of, django_capture_on_commit_callbacks
):
    robot_of("dingtalk", name="all", zone=world.zone)
    event = types.SimpleNamespace(pk=7)
    campaign = types.SimpleNamespace(pk=3, office=world.office, office_id=world.office.pk)
    campaign.title = "2026年秋季开学专项督导"
    bulletin = Bulletin(pk=5, office=world.office, kind="bulletin", title="关于开学检查的通报")
    bulletin.number = "上督〔2026〕3号"
    other_zone = Bulletin(pk=6, office=world.office, kind="notice", title="x", zone_id=-1)
    with django_capture_on_commit_callbacks(execute=True):
        receivers.on_transitioned(Campaign, instance=campaign, event=event, action="publish")
        receivers.on_transitioned(Campaign, instance=campaign, event=event, action="start")
        receivers.on_transitioned(Bulletin, instance=bulletin, event=event, action="publish")
        receivers.on_transitioned(Bulletin, instance=other_zone, event=event, action="publish")
    texts = [r.body["markdown"]["text"] for r in endpoint.requests]
    assert len(texts) == 2
    assert "2026年秋季开学专项督导" in texts[0] and "/campaigns/3/" in texts[0]
    assert "上督〔2026〕3号" in texts[1] and "/bulletins/5/" in texts[1]


def test_a_failing_receiver_never_fails_the_change(world, robot_of, monkeypatch):
    robot_of("wecom")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(receivers.services, "queue_event", broken)
    finding = FindingFactory(school=world.school)
    event = types.SimpleNamespace(pk=1, actor_id=None)
    receivers.on_finding_transitioned(None, finding=finding, event=event, action="overdue")
