"""The one registry of notification messages (消息提醒).

A notification is stored as a message key (`Notification.kind`, a key of `MESSAGES`) and JSON
parameters (`Notification.params`); its text is rendered when it is read, in the reader's
language: the request's language on a page (chosen by the switcher's cookie, see
`dudao.core.middleware.ChineseFirstLocaleMiddleware`), `recipient_language(user)` for an
e-mail copy.

To add a notification: add its key here, with an English msgid whose %(name)s placeholders
are filled from the params; append its Chinese translation at the end of
locale/zh_Hans/LC_MESSAGES/django.po; call `services.notify(users, key, params,
url=reverse(...))` with the object's own (scoped) page, so a reader who has lost access gets
a 404 there.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Message:
    title: str  # a gettext_lazy msgid, rendered in the reader's language
    body: str = ""  # a msgid, or a plain template of the params (users' own text)


# A finding's notifications show the problem as the inspector wrote it (never translated).
FINDING_BODY = "%(description)s"

MESSAGES: dict[str, Message] = {
    # To the school.
    "finding.created": Message(_("New finding at %(school)s"), FINDING_BODY),
    "finding.issue_notice": Message(_("Rectification notice for %(school)s"), FINDING_BODY),
    "finding.reject": Message(
        _("Rectification not accepted at %(school)s: please rectify again"), FINDING_BODY
    ),
    # To the school's current responsible inspector.
    "finding.respond": Message(_("%(school)s has responded to a finding"), FINDING_BODY),
    # To the office.
    "finding.serious": Message(
        _("Serious violation at %(school)s: consider an accountability case"), FINDING_BODY
    ),
    "finding.escalated": Message(_("Finding at %(school)s escalated to the office"), FINDING_BODY),
    "finding.escalate": Message(_("Finding at %(school)s escalated to the office"), FINDING_BODY),
    "finding.escalate_to_city": Message(
        _("Finding at %(school)s escalated to the city"), FINDING_BODY
    ),
    "finding.overdue": Message(_("Overdue rectification at %(school)s"), FINDING_BODY),
    "finding.urge": Message(
        _("%(school)s missed its date to respond: urged to rectify"), FINDING_BODY
    ),
    "finding.escalate_to_province": Message(
        _("Finding at %(school)s escalated to the province"), FINDING_BODY
    ),
    "finding.mark_needs_other_department": Message(
        _("Finding at %(school)s needs another department"), FINDING_BODY
    ),
    # To the user who asked for an export too large for a request (dudao/reports).
    "export.ready": Message(_("Your export is ready: %(report)s")),
    # Periodic returns (报送, dudao/returns): to the school's users, once a day at most.
    "return.remind": Message(_("%(school)s: please report “%(title)s”, due %(due)s")),
    "return.overdue": Message(_("%(school)s: “%(title)s” was due %(due)s, please report now")),
    # Special supervision campaigns (专项督导, dudao/campaigns): to the members of each team
    # when it starts (school: the team's schools; description: the dates).
    "campaign.started": Message(
        _("Campaign “%(title)s” has started: your team checks %(school)s"), "%(description)s"
    ),
    # Bulletins, notices and briefings (通报、通知、简报, dudao/bulletins): to the accounts of
    # every recipient on publication, and to those who have not read it when reminded.
    "bulletin.published": Message(_("New document %(number)s: %(title)s")),
    "bulletin.remind": Message(_("Please read %(number)s: %(title)s")),
    # Complaints and tip-offs (投诉举报, dudao/complaints): to the office on receipt, to the
    # assigned inspector, to the office when replied; overdue and urged to both.
    "complaint.received": Message(_("New report %(code)s about %(school)s")),
    "complaint.assign": Message(_("Report %(code)s about %(school)s assigned to you")),
    "complaint.reopen": Message(_("Report %(code)s about %(school)s reopened")),
    "complaint.reply": Message(_("Report %(code)s about %(school)s replied: close it when done")),
    "complaint.overdue": Message(
        _("Report %(code)s about %(school)s is overdue (due %(deadline)s)")
    ),
    "complaint.urge": Message(
        _("Report %(code)s about %(school)s still has no reply (due %(deadline)s)")
    ),
    # To the office and the inspector (docs/rules.md §31).
    "inspector.term_ending": Message(_("The term of %(inspector)s ends on %(date)s")),
    "inspector.certificate_expiring": Message(
        _("The certificate “%(certificate)s” of %(inspector)s expires on %(date)s")
    ),
    # Evaluation rounds (督导评估, dudao/evaluations/round_notifications.py, docs/rules.md
    # §24): to a school target's accounts, and to each rater for the targets they score
    # (school: the target, a school or a government unit; title: the round; due: its stage's
    # deadline, "—" when none; description: the office's reason for sending a round back).
    "evaluation.self_assessment_opened": Message(
        _("Self-assessment of %(school)s is open in “%(title)s”, due %(due)s")
    ),
    "evaluation.scoring_opened": Message(
        _("Expert scoring is open in “%(title)s”: please score %(school)s by %(due)s")
    ),
    "evaluation.scoring_reopened": Message(
        _("Expert scoring of “%(title)s” is open again: please check %(school)s"),
        "%(description)s",
    ),
    "evaluation.self_assessment_remind": Message(
        _("%(school)s: the self-assessment in “%(title)s” is due %(due)s, please submit it")
    ),
    "evaluation.scoring_remind": Message(
        _("“%(title)s”: expert scoring is due %(due)s, %(count)s target(s) still to score")
    ),
    "evaluation.published": Message(
        _("Results of “%(title)s” published for %(school)s: %(grade)s")
    ),
}


class _Params(dict):
    """A missing parameter shows as an ellipsis instead of breaking the page."""

    def __missing__(self, key):
        return "…"


def render(template, params: dict | None) -> str:
    """`template` in the active language with `params` filled in."""
    if not template:
        return ""
    text = str(template)
    try:
        return text % _Params(params or {})
    except (TypeError, ValueError):  # a stray "%" in a translation: show it unfilled
        return text


def recipient_language(user) -> str:
    """The language to write to `user` in when they are not on a page (e-mail copies): the
    one they last chose in the switcher (`User.language`), else the product's language."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE
