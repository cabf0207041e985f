"""The notifications of bulletins, until they move into the one registry
(`dudao/notifications/messages.py`, which this app does not edit): registered when the app
loads (`BulletinsConfig.ready`); `setdefault`, so the registry's own entries win once they
are there.

- "bulletin.published": to the accounts of every recipient (the schools' users, the
  inspectors' accounts) when a document is published;
- "bulletin.remind": to the accounts of the recipients that have not read it, when the
  office reminds them.
Both link to the document's own page (`bulletins:detail`), which checks the reader's scope.
"""

from django.utils.translation import gettext_lazy as _

from dudao.notifications.messages import MESSAGES, Message

BULLETIN_MESSAGES = {
    "bulletin.published": Message(_("New document %(number)s: %(title)s")),
    "bulletin.remind": Message(_("Please read %(number)s: %(title)s")),
}


def register() -> None:
    for key, message in BULLETIN_MESSAGES.items():
        MESSAGES.setdefault(key, message)
