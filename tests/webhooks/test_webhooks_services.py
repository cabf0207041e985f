"""Robots' services: guards (each role, the other county, the superuser: refused, nothing
written), URL validation, the credential kept out of pages and audit rows."""

import pytest
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted
from dudao.webhooks import services
from dudao.webhooks.models import Delivery, Robot

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789"


def counts():
    return (
        Robot.objects.unscoped().count(),
        Delivery.objects.unscoped().count(),
        AuditEntry.objects.unscoped().count(),
    )


def create(actor, world, **kwargs):
    fields = {"kind": "wecom", "name": "督导室工作群", "url": WECOM, "events": ["escalation"]}
    return services.create_robot(actor, office=world.office, **(fields | kwargs))


def test_office_admin_creates_edits_tests_and_deletes(world, endpoint):
    robot = create(world.admin, world, zone=world.zone)
    assert (robot.office, robot.zone, robot.events, robot.active) == (
        world.office,
        world.zone,
        ["escalation"],
        True,
    )
    robot = services.update_robot(
        world.admin,
        robot,
        kind="dingtalk",
        name="责任区群",
        url=DING,
        secret="SECabc",
        events=["overdue", "escalation"],
        active=True,
    )
    assert robot.events == ["escalation", "overdue"] and robot.secret == "SECabc"
    kept = services.update_robot(
        world.admin, robot, kind="dingtalk", name="责任区群", url="", events=[], active=False
    )
    assert (kept.url, kept.secret, kept.events, kept.active) == (DING, "SECabc", [], False)
    cleared = services.update_robot(
        world.admin, kept, kind="dingtalk", name="责任区群", clear_secret=True, active=True
    )
    assert cleared.secret == ""
    services.delete_robot(world.admin, cleared)
    assert not Robot.objects.unscoped().exists()
    audit = AuditEntry.objects.unscoped().filter(target_type="webhooks.Robot")
    assert audit.count() == 5
    for entry in audit:  # never the key nor the secret
        text = str(entry.changes)
        assert "abcdef0123456789" not in text and "693a91f6" not in text and "SECabc" not in text


@pytest.mark.parametrize(
    "role", ["zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]
)
def test_other_roles_are_refused_and_nothing_is_written(world, endpoint, role):
    actor = world.personas()[role]
    with pytest.raises(NotPermitted):
        create(actor, world)
    robot = create(world.admin, world)
    before = counts()
    with pytest.raises(NotPermitted):
        services.update_robot(actor, robot, kind="wecom", name="x", url=WECOM, events=[])
    with pytest.raises(NotPermitted):
        services.send_test_message(actor, robot)
    with pytest.raises(NotPermitted):
        services.delete_robot(actor, robot)
    assert counts() == before
    assert Robot.objects.unscoped().get().name == "督导室工作群"


@pytest.mark.parametrize(
    ("kind", "url", "field", "message"),
    [
        ("wecom", "", "url", r"Paste|粘贴"),
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a", "url", r"https"),
        ("wecom", "https://example.com/cgi-bin/webhook/send?key=a", "url", r"WeChat|企业微信"),
        ("wecom", DING, "url", r"WeChat|企业微信"),
        ("dingtalk", WECOM, "url", r"DingTalk|钉钉"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "url", r"key="),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?x=1", "url", r"access_token="),
        ("wecom", "ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a", "url", r"https"),
        ("wecom", "http://127.0.0.1:8/cgi-bin/webhook/send?key=a", "url", r"https"),
        ("wecom", "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=a", "url", "."),
        ("wecom", "https://u:p@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a", "url", "."),
        ("sms", WECOM, "kind", "."),
    ],
)
def test_url_validation(world, settings, kind, url, field, message):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(DomainError, match=message) as error:
        services.check_webhook_url(kind, url)
    assert error.value.field == field


def test_loopback_http_only_where_allowed(settings):
    url = "http://127.0.0.1:8080/cgi-bin/webhook/send?key=a"
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert services.check_webhook_url("wecom", url) == url
    with pytest.raises(DomainError):
        services.check_webhook_url("wecom", "http://10.0.0.1/cgi-bin/webhook/send?key=a")
    assert services.check_webhook_url("wecom", f" {WECOM} ") == WECOM


def test_other_checks(world, endpoint):
    create(world.admin, world)
    with pytest.raises(DomainError, match=r"already|已有") as error:
        create(world.admin, world)
    assert error.value.field == "name"
    with pytest.raises(DomainError) as error:
        create(world.admin, world, name="b", secret="SEC1")  # a WeCom robot has no secret
    assert error.value.field == "secret"
    with pytest.raises(DomainError) as error:
        create(world.admin, world, name="c", events=["everything"])
    assert error.value.field == "events"
    foreign_zone = type(world.zone).objects.unscoped().create(office=world.other_office, name="z")
    with pytest.raises(DomainError) as error:
        create(world.admin, world, name="d", zone=foreign_zone)
    assert error.value.field == "zone"


def test_test_message_is_sent_through_the_task(
    world, endpoint, robot_of, client, django_capture_on_commit_callbacks
):
    robot = robot_of("wecom")
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:test", args=[robot.pk]))
    assert response.status_code == 302
    assert len(endpoint.requests) == 1
    assert robot.name in endpoint.requests[0].body["markdown"]["content"]
    assert Delivery.objects.unscoped().get().status == "sent"
    page = client.get(reverse("webhooks:deliveries")).content.decode()
    assert robot.name in page


def test_pages_never_show_the_key_or_the_secret(world, endpoint, client):
    robot = create(world.admin, world, kind="dingtalk", url=DING, secret="SECsecretvalue")
    client.force_login(world.admin)
    for url in (reverse("webhooks:robots"), reverse("webhooks:edit", args=[robot.pk])):
        page = client.get(url).content.decode()
        assert "abcd…" in page
        assert "abcdef0123456789" not in page and "SECsecretvalue" not in page
    office_page = client.get(reverse("organisations:office")).content.decode()
    assert reverse("webhooks:robots") in office_page


def test_create_and_edit_through_the_pages(world, endpoint, client):
    client.force_login(world.admin)
    data = {"kind": "wecom", "name": "群", "url": WECOM, "events": ["escalation"], "active": "on"}
    response = client.post(reverse("webhooks:create"), data)
    assert response.status_code == 302
    robot = Robot.objects.unscoped().get()
    response = client.post(
        reverse("webhooks:edit", args=[robot.pk]),
        {"kind": "wecom", "name": "群2", "url": "", "events": ["overdue"]},
    )
    assert response.status_code == 302
    robot.refresh_from_db()
    assert (robot.name, robot.url, robot.events, robot.active) == ("群2", WECOM, ["overdue"], False)
    response = client.post(reverse("webhooks:create"), data | {"name": "x", "url": "https://x.cn"})
    assert response.status_code == 200 and Robot.objects.unscoped().count() == 1


def test_delivery_log_query_count(world, endpoint, robot_of, client, django_assert_max_num_queries):
    robots = [robot_of("wecom", name=f"r{i}") for i in range(3)]
    for i in range(30):
        Delivery.objects.unscoped().create(
            office=world.office, robot=robots[i % 3], event="test", ref=str(i), title="t"
        )
    client.force_login(world.admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("webhooks:deliveries")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("webhooks:robots")).status_code == 200
