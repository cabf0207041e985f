"""The campaign report and bulletin (issue 12 §6), once the campaign is closed: the Word and
PDF files are the office's and the viewers' above it (as the results); the report's own
words are edited by the campaign office's admin only. The other county does not find the
campaign."""

from .common import AS_GET, only


def _closed(w):
    from dudao.campaigns.models import Campaign
    from tests.campaigns.conftest import build_campaign

    return build_campaign(w, status=Campaign.Status.CLOSED).campaign


def closed_docx(w):
    return [_closed(w).pk, "docx"]


def closed_pdf(w):
    return [_closed(w).pk, "pdf"]


def closed_campaign(w):
    return [_closed(w).pk]


def running_docx(w):
    from tests.campaigns.conftest import build_campaign

    return [build_campaign(w).campaign.pk, "docx"]


def running_campaign(w):
    from tests.campaigns.conftest import build_campaign

    return [build_campaign(w).campaign.pk]


def foreign_docx(w):
    from dudao.campaigns.models import Campaign
    from tests.campaigns.conftest import build_foreign_campaign, set_status

    campaign = build_foreign_campaign(w).campaign
    return [set_status(campaign, Campaign.Status.CLOSED).pk, "docx"]


def foreign_campaign(w):
    return [foreign_docx(w)[0]]


READERS = only({"admin": 200, "viewer": 200, "superuser": 200, "other_admin": 404})
# office_admin_required: the superuser has no office to write in; the other county's admin
# does not find the campaign. An empty POST is a form with errors (200), saving nothing.
WRITER = only({"admin": 200, "other_admin": 404})

MATRIX = {
    "campaigns:report_file": (closed_docx, READERS, AS_GET),
    "campaigns:bulletin_file": (closed_pdf, READERS, AS_GET),
    "campaigns:report_text": (closed_campaign, WRITER, WRITER),
}

OUT_OF_SCOPE = [
    # the other county's closed campaign
    ("campaigns:report_file", foreign_docx, ["admin", "viewer"]),
    ("campaigns:bulletin_file", foreign_docx, ["admin", "viewer"]),
    ("campaigns:report_text", foreign_campaign, ["admin"]),
    # no report before the campaign is closed
    ("campaigns:report_file", running_docx, ["admin", "viewer"]),
    ("campaigns:report_text", running_campaign, ["admin"]),
]

WRITES = {"campaigns:report_text": closed_campaign}
