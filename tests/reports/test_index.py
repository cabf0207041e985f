import datetime

import pytest
from django.urls import reverse

from .helpers import make_notice


def test_admin_sees_every_download_and_the_templates(world, client):
    notice = make_notice(world)
    client.force_login(world.admin)
    page = client.get(reverse("reports:index") + "?month=2026-10").content.decode()
    assert reverse("reports:ledger_xlsx") in page
    assert reverse("reports:office_monthly", args=[2026, 10, "docx"]) in page
    assert reverse("reports:inspector_monthly", args=[world.inspector.pk, 2026, 10, "pdf"]) in page
    assert reverse("reports:notice_docx", args=[notice.pk]) in page
    assert reverse("reports:template_default", args=["notice"]) in page


def test_school_sees_its_notices_only(world, client):
    mine = make_notice(world)
    other = make_notice(world, actor=world.admin, school=world.zone_school)
    client.force_login(world.school_user)
    page = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:notice_pdf", args=[mine.pk]) in page
    assert reverse("reports:notice_pdf", args=[other.pk]) not in page
    assert reverse("reports:ledger_xlsx") not in page
    assert (
        "template" not in page.lower()
        or reverse("reports:template_default", args=["notice"]) not in page
    )


def test_inspector_sees_only_own_monthly_report(world, client):
    client.force_login(world.inspector_user)
    page = client.get(reverse("reports:index") + "?month=bad").content.decode()
    assert f"/reports/inspector/{world.inspector.pk}/" in page
    assert f"/reports/inspector/{world.other_inspector.pk}/" not in page
    assert "/reports/office/" not in page


def test_content_disposition_has_an_ascii_fallback_and_the_chinese_name():
    from urllib.parse import unquote

    from dudao.reports.exporter import content_disposition

    header = content_disposition("督学月报-张三-202610.docx")
    assert header.startswith('attachment; filename="report-202610.docx"; ')
    assert unquote(header.split("filename*=UTF-8''")[1]) == "督学月报-张三-202610.docx"
    assert content_disposition("整改通知书.pdf").startswith('attachment; filename="report.pdf"')


@pytest.mark.any_day
def test_monthly_reports_default_to_the_last_complete_month(world, client, today):
    """On the 1st the new month has no records yet: the picker offers last month's reports."""
    client.force_login(world.admin)
    page = client.get(reverse("reports:index")).content.decode()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    assert f'value="{last:%Y-%m}"' in page
    assert reverse("reports:office_monthly", args=[last.year, last.month, "docx"]) in page
    assert reverse("reports:office_monthly", args=[today.year, today.month, "docx"]) not in page
