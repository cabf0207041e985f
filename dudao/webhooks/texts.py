"""The messages pushed to group robots: Chinese text (English msgids rendered in zh-hans, like
the official documents), markdown as WeChat Work and DingTalk take it, and a link to the
object's own page (absolute, from settings.PUBLIC_BASE_URL; a reader without access gets 404).

What a message may say: the school's name, the supervision item, dates, a campaign's or a
bulletin's title and number. Never a finding's free text, nor anything about a complainant
(a finding raised from a complaint may quote it): the group is wider than the office.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Message:
    title: str
    lines: tuple[str, ...]
    url: str = ""

    def markdown(self, separator: str = "\n") -> str:
        """WeChat Work breaks lines at "\n"; DingTalk's markdown needs an empty line."""
        text = [f"**{self.title}**", *(f"> {line}" for line in self.lines)]
        if self.url:
            text.append(f"[{_('Open in Dudao')}]({self.url})")
        return separator.join(text)


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def payload(kind: str, message: Message) -> dict:
    """The JSON body of the robot's API (WeChat Work: markdown.content; DingTalk: markdown
    title and text)."""
    with translation.override(LANGUAGE):
        text = message.markdown("\n\n" if kind == "dingtalk" else "\n")
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def finding_message(finding, event: str, action: str) -> Message:
    with translation.override(LANGUAGE):
        if event == "escalation":
            title = _("A finding was escalated (上报)")
        elif action == "urge":
            title = _("A school was urged for a missed date")
        else:
            title = _("A finding is overdue")
        lines = [
            _("Office: %(office)s") % {"office": finding.office.name},
            _("School: %(school)s") % {"school": finding.school.name},
            _("Supervision item: %(area)s") % {"area": finding.get_area_display()},
            _("Deadline: %(date)s") % {"date": finding.deadline.isoformat()},
        ]
        url = absolute(reverse("rectification:finding_detail", args=[finding.pk]))
        return Message(str(title), tuple(str(line) for line in lines), url)


def campaign_message(campaign) -> Message:
    with translation.override(LANGUAGE):
        return Message(
            _("A campaign's results were published"),
            (
                _("Office: %(office)s") % {"office": campaign.office.name},
                _("Campaign: %(title)s") % {"title": campaign.title},
            ),
            absolute(reverse("campaigns:detail", args=[campaign.pk])),
        )


def bulletin_message(bulletin) -> Message:
    with translation.override(LANGUAGE):
        lines = [
            _("Office: %(office)s") % {"office": bulletin.office.name},
            _("Title: %(title)s") % {"title": bulletin.title},
        ]
        if bulletin.number:
            lines.append(_("Number: %(number)s") % {"number": bulletin.number})
        return Message(
            _("A %(kind)s was published") % {"kind": bulletin.get_kind_display()},
            tuple(lines),
            absolute(reverse("bulletins:detail", args=[bulletin.pk])),
        )


def test_message(robot) -> Message:
    with translation.override(LANGUAGE):
        return Message(
            _("Test message from Dudao"),
            (
                _("Office: %(office)s") % {"office": robot.office.name},
                _("The robot “%(name)s” is connected.") % {"name": robot.name},
            ),
        )
