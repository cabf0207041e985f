"""Events pushed to group robots. Connected in WebhooksConfig.ready; the signals are sent
after the change committed, and these receivers only queue deliveries (a row and a task):
nothing is sent inside a request, and a failure here never fails the request.

- a finding escalated (`escalated`, `escalate`, `escalate_to_city`, `escalate_to_province`)
  → "escalation";
- a finding flagged overdue (the nightly check) or urged by the system for a missed date
  → "overdue";
- a campaign's results published → "campaign_published" (all the office's robots);
- a bulletin, notice or briefing published → "bulletin_published" (the office's robots, and
  the zone's robots when it is for one zone, or for everyone).
"""

import logging

from dudao.bulletins.models import Bulletin
from dudao.campaigns.models import Campaign

from . import services, texts
from .models import Robot

logger = logging.getLogger(__name__)

ESCALATIONS = {"escalated", "escalate", "escalate_to_city", "escalate_to_province"}


def finding_event(event, action) -> str | None:
    if action in ESCALATIONS:
        return Robot.Event.ESCALATION
    if action == "overdue" or (action == "urge" and event.actor_id is None):
        return Robot.Event.OVERDUE
    return None


def on_finding_transitioned(sender, finding, event, action, **kwargs):
    kind = finding_event(event, action)
    if kind is None:
        return
    try:
        services.queue_event(
            finding.office_id,
            kind,
            f"finding:{finding.pk}:{event.pk}",
            lambda: texts.finding_message(finding, kind, action),
            zone_id=finding.school.zone_id,
        )
    except Exception:  # the change is committed; a push must never fail it
        logger.exception("queueing the webhook for finding %s failed", finding.pk)


def on_transitioned(sender, instance, event, action, **kwargs):
    try:
        if sender is Campaign and action == "publish":
            services.queue_event(
                instance.office_id,
                Robot.Event.CAMPAIGN,
                f"campaign:{instance.pk}:{event.pk}",
                lambda: texts.campaign_message(instance),
                everyone=True,
            )
        elif sender is Bulletin and action == "publish":
            services.queue_event(
                instance.office_id,
                Robot.Event.BULLETIN,
                f"bulletin:{instance.pk}:{event.pk}",
                lambda: texts.bulletin_message(instance),
                zone_id=instance.zone_id,
                everyone=True,
            )
    except Exception:  # the change is committed; a push must never fail it
        logger.exception("queueing the webhook for %s %s failed", sender.__name__, instance.pk)
