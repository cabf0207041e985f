"""Writes to group robots (群机器人): the office admin creates, edits, deletes and tests its
office's robots; events queue deliveries (`queue_event`, called by the receivers after the
change committed). Audited without the credential: an audit row shows the URL masked and
whether a signing secret is set, never the key or the secret."""

import uuid
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError

from . import delivery, texts
from .models import Delivery, Robot

# The webhook endpoints (scheme, host, path, the query parameter that holds the key).
ENDPOINTS = {
    Robot.Kind.WECOM: ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
    Robot.Kind.DINGTALK: ("oapi.dingtalk.com", "/robot/send", "access_token"),
}
MAX_ROBOTS = 30  # per office


def check_webhook_url(kind: str, url: str) -> str:
    """The URL, stripped, if it is the robot's webhook: https to the app's host and path with
    its key. Plain http only to a loopback address, and only where settings allow it (tests,
    DEBUG: a local stand-in for the endpoint)."""
    url = (url or "").strip()
    if kind not in ENDPOINTS:
        raise DomainError(_("Choose WeChat Work or DingTalk."), field="kind")
    host, path, key = ENDPOINTS[kind]
    if not url:
        raise DomainError(_("Paste the robot's webhook URL."), field="url")
    if len(url) > 500 or any(c.isspace() for c in url):
        raise DomainError(_("This is not a webhook URL."), field="url")
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        raise DomainError(_("This is not a webhook URL."), field="url") from None
    loopback = delivery.is_loopback(parts.hostname)
    if parts.scheme == "http" and loopback and settings.WEBHOOKS_ALLOW_LOOPBACK:
        pass
    elif parts.scheme != "https":
        raise DomainError(_("The webhook URL must start with https://."), field="url")
    elif parts.hostname != host or parts.port not in (None, 443) or parts.path != path:
        example = f"https://{host}{path}?{key}=…"
        raise DomainError(
            _("This is not a %(app)s robot's webhook: it looks like %(example)s")
            % {"app": Robot.Kind(kind).label, "example": example},
            field="url",
        )
    if parts.username or parts.password or parts.fragment:
        raise DomainError(_("This is not a webhook URL."), field="url")
    values = parse_qs(parts.query).get(key, [])
    if len(values) != 1 or not values[0].strip():
        raise DomainError(
            _("The webhook URL lacks its %(key)s=… part: copy the whole address.") % {"key": key},
            field="url",
        )
    return url


def check_events(events) -> list[str]:
    valid = [e for e in Robot.Event.values if e in set(events or [])]
    if len(valid) != len(set(events or [])):
        raise DomainError(_("Choose among the listed events."), field="events")
    return valid


def _check_secret(kind, secret: str) -> str:
    secret = (secret or "").strip()
    if secret and kind != Robot.Kind.DINGTALK:
        raise DomainError(_("Only DingTalk robots have a signing secret."), field="secret")
    if len(secret) > 200 or any(c.isspace() for c in secret):
        raise DomainError(_("This is not a signing secret."), field="secret")
    return secret


def _check_zone(office_id, zone):
    if zone is not None and zone.office_id != office_id:
        raise DomainError(_("Choose one of your office's zones."), field="zone")


def _check_name(robot: Robot):
    robot.name = (robot.name or "").strip()
    if not robot.name:
        raise DomainError(_("Name the robot (the group it posts to)."), field="name")
    if len(robot.name) > 80:
        raise DomainError(_("Use at most 80 characters."), field="name")
    taken = Robot.objects.unscoped().filter(office_id=robot.office_id, name=robot.name)
    if taken.exclude(pk=robot.pk).exists():
        raise DomainError(_("Your office already has a robot of this name."), field="name")


def snapshot(robot: Robot) -> dict:
    """What the audit log keeps of a robot: no key, no secret."""
    return {
        "name": robot.name,
        "kind": robot.kind,
        "zone": robot.zone_id,
        "url": robot.masked_url,
        "signed": bool(robot.secret),
        "events": list(robot.events),
        "active": robot.active,
    }


def _changes(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


@transaction.atomic
def create_robot(
    actor, *, office, kind, name, url, secret="", zone=None, events=(), active=True
) -> Robot:
    guards.require_office_admin(actor, office)
    office_id = getattr(office, "pk", office)
    if Robot.objects.unscoped().filter(office_id=office_id).count() >= MAX_ROBOTS:
        raise DomainError(
            _("An office has at most %(count)d robots.") % {"count": MAX_ROBOTS}, field="name"
        )
    _check_zone(office_id, zone)
    robot = Robot(
        office_id=office_id,
        zone=zone,
        kind=kind,
        name=name,
        url=check_webhook_url(kind, url),
        secret=_check_secret(kind, secret),
        events=check_events(events),
        active=bool(active),
    )
    _check_name(robot)
    robot.save()
    audit.record(actor, audit.Action.CREATE, robot, {"after": snapshot(robot)})
    return robot


@transaction.atomic
def update_robot(
    actor,
    robot: Robot,
    *,
    kind,
    name,
    url=None,
    secret=None,
    clear_secret=False,
    zone=None,
    events=(),
    active=True,
) -> Robot:
    """Edit a robot. `url=None` or "" keeps the stored URL, `secret=None` or "" keeps the stored
    secret (pages never show them again); `clear_secret` removes it."""
    robot = Robot.objects.unscoped().select_for_update().get(pk=robot.pk)
    guards.require_office_admin(actor, robot.office_id)
    before, old_url = snapshot(robot), robot.url
    _check_zone(robot.office_id, zone)
    robot.kind, robot.name, robot.zone = kind, name, zone
    robot.url = check_webhook_url(kind, url if url else robot.url)
    if clear_secret:
        robot.secret = ""
    elif secret:
        robot.secret = _check_secret(kind, secret)
    else:
        robot.secret = _check_secret(kind, robot.secret)
    robot.events = check_events(events)
    robot.active = bool(active)
    _check_name(robot)
    robot.version += 1
    robot.save()
    changes = _changes(before, snapshot(robot))
    if robot.url != old_url and "url" not in changes:
        changes["url"] = [before["url"], robot.masked_url]
    if changes:
        audit.record(actor, audit.Action.UPDATE, robot, changes)
    return robot


@transaction.atomic
def delete_robot(actor, robot: Robot) -> None:
    """Delete a robot and its delivery log."""
    robot = Robot.objects.unscoped().select_for_update().get(pk=robot.pk)
    guards.require_office_admin(actor, robot.office_id)
    audit.record(actor, audit.Action.DELETE, robot, {"before": snapshot(robot)})
    Delivery.objects.unscoped().filter(robot=robot).delete()
    robot.delete()


@transaction.atomic
def send_test_message(actor, robot: Robot) -> Delivery:
    """Queue a test message to the robot (sent by the task after commit)."""
    robot = Robot.objects.unscoped().select_for_update().get(pk=robot.pk)
    guards.require_office_admin(actor, robot.office_id)
    if not robot.active:
        raise DomainError(_("The robot is disabled: enable it before testing it."))
    message = texts.test_message(robot)
    made = _queue(robot, "test", f"test:{uuid.uuid4()}", message)
    audit.record(
        actor,
        audit.Action.UPDATE,
        robot,
        {"test_message": [None, made.pk]},
    )
    return made


def _queue(robot: Robot, event: str, ref: str, message: texts.Message) -> Delivery | None:
    made, created = Delivery.objects.unscoped().get_or_create(
        robot=robot,
        ref=ref[:120],
        defaults={
            "office_id": robot.office_id,
            "event": event,
            "title": message.title[:200],
            "payload": texts.payload(robot.kind, message),
        },
    )
    if created:
        transaction.on_commit(lambda: delivery.enqueue(made.pk))
    return made


@transaction.atomic
def queue_event(
    office_id: int, event: str, ref: str, build, zone_id=None, everyone=False
) -> list[Delivery]:
    """Queue one message (`build()` → texts.Message, built once) to every active robot of the
    office that chose `event` and hears about `zone_id`. A repeated call (the same `ref`)
    queues nothing new. The platform acting for itself: no actor, no guard (the event was
    authorised by the service that made it)."""
    robots = [
        r
        for r in Robot.objects.unscoped().filter(office_id=office_id, active=True)
        if r.hears(event, zone_id, everyone)
    ]
    if not robots:
        return []
    message = build()
    return [_queue(robot, event, ref, message) for robot in robots]
