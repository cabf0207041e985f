"""Sending a delivery: one HTTP POST to the robot's webhook, retried with back-off.

- The POST times out after `TIMEOUT` seconds, follows no redirect, and counts as sent only when
  the answer is 200 with a JSON body whose `errcode` is 0 (both WeChat Work and DingTalk answer
  `{"errcode": 0, "errmsg": "ok"}`; a wrong key or a refused keyword is a 200 with another
  errcode).
- A failure leaves the delivery pending with `next_attempt_at` = now + `backoff(attempts)`
  (1, 4, 16, 64 and 256 minutes) and queues the task again to run then (when the task backend
  can defer); after `MAX_ATTEMPTS` it is failed. `deliver_due` sends every pending delivery
  whose time has come (the schedule's sweep, and tests).
- Idempotent: the delivery row is locked while it is sent (a second worker skips it) and only a
  pending, due delivery is sent, so a repeated task never sends a delivered message twice.
- DingTalk signing (加签): `timestamp` (milliseconds) and `sign` = urlencode(base64(
  HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))) added to the URL, as DingTalk's
  custom robot documentation gives it.

Delivery.status is a job's progress, not a workflow (tests/core/test_workflow_only_assigns_status).
"""

import base64
import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Delivery, Robot

logger = logging.getLogger(__name__)

TIMEOUT = 5  # seconds
MAX_ATTEMPTS = 6
FIRST_DELAY = datetime.timedelta(minutes=1)
FACTOR = 4
MAX_ANSWER = 64 * 1024


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 4, 16, 64, 256 minutes."""
    return FIRST_DELAY * (FACTOR ** max(attempts - 1, 0))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(robot: Robot, now: datetime.datetime | None = None) -> str:
    if robot.kind != Robot.Kind.DINGTALK or not robot.secret:
        return robot.url
    timestamp = int((now or timezone.now()).timestamp() * 1000)
    return f"{robot.url}&timestamp={timestamp}&sign={dingtalk_sign(robot.secret, timestamp)}"


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is answered as the HTTPError it is


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: int | None = None
    error: str = ""


def post(url: str, body: dict) -> Outcome:
    """POST `body` as JSON to `url`; never raises. Errors never quote the URL (its key)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):  # checked when saved; never file: or ftp:
        return Outcome(False, None, "not an http(s) URL")
    host = parts.hostname
    handlers = [_NoRedirect()]
    if is_loopback(host):
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Dudao"},
        method="POST",
    )
    try:
        with opener.open(request, timeout=TIMEOUT) as answer:
            code, raw = answer.status, answer.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        return Outcome(False, error.code, f"HTTP {error.code}")
    except urllib.error.URLError as error:
        return Outcome(False, None, str(error.reason)[:300])
    except (TimeoutError, OSError, ValueError) as error:
        return Outcome(False, None, (type(error).__name__ + ": " + str(error))[:300])
    try:
        answer_json = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Outcome(False, code, "the answer is not JSON")
    errcode = answer_json.get("errcode") if isinstance(answer_json, dict) else None
    if errcode != 0:
        errmsg = str(answer_json.get("errmsg", "")) if isinstance(answer_json, dict) else ""
        return Outcome(False, code, f"errcode {errcode}: {errmsg}"[:300])
    return Outcome(True, code)


def send(delivery_id: int) -> str:
    """Send one delivery if it is pending and due. Returns what happened ("sent", "retry",
    "failed", "skipped")."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.unscoped()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("robot")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return "skipped"
        robot = delivery.robot
        delivery.attempts += 1
        if not robot.active:
            outcome = Outcome(False, None, "the robot is disabled")
            delivery.attempts = MAX_ATTEMPTS
        else:
            outcome = post(signed_url(robot, now), delivery.payload)
        delivery.response_code = outcome.code
        delivery.last_error = outcome.error
        if outcome.ok:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.next_attempt_at = None
            result = "sent"
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
            result = "failed"
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            result = "retry"
        delivery.save()
        if result == "retry":
            when = delivery.next_attempt_at
            transaction.on_commit(lambda: enqueue(delivery.pk, run_after=when))
    if not outcome.ok:
        logger.warning("webhook delivery %s: %s", delivery_id, outcome.error)
    return result


def enqueue(delivery_id: int, run_after: datetime.datetime | None = None) -> None:
    """Queue the task for a delivery (at `run_after` when the backend can defer; otherwise a
    retry waits for `deliver_due`)."""
    from .tasks import deliver

    if run_after is None:
        deliver.enqueue(delivery_id)
    elif deliver.get_backend().supports_defer:
        deliver.using(run_after=run_after).enqueue(delivery_id)


def deliver_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every pending delivery whose time has come."""
    now = now or timezone.now()
    due = (
        Delivery.objects.unscoped()
        .filter(status=Delivery.Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts: dict[str, int] = {}
    for pk in list(due[:1000]):
        result = send(pk)
        counts[result] = counts.get(result, 0) + 1
    return counts
