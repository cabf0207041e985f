import pytest

from dudao.notifications import messages

# The notification keys the complaints send (their texts are the lead's to add to
# dudao/notifications/messages.py; until then the receivers send nothing). The tests add
# them to see who is told what.
KEYS = {
    "complaint.received": "New report %(code)s about %(school)s",
    "complaint.assign": "Report %(code)s about %(school)s assigned to you",
    "complaint.reopen": "Report %(code)s about %(school)s reopened",
    "complaint.reply": "Report %(code)s about %(school)s replied: close it when done",
    "complaint.overdue": "Report %(code)s about %(school)s is overdue (due %(deadline)s)",
    "complaint.urge": "Report %(code)s about %(school)s still has no reply (due %(deadline)s)",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def complaint_messages(monkeypatch):
    for key, title in KEYS.items():
        if key not in messages.MESSAGES:
            monkeypatch.setitem(messages.MESSAGES, key, messages.Message(title))
    return KEYS
