"""The whole routine-supervision loop on a phone, in a real browser (issue #3): the inspector
records a visit with a photo and a finding and issues a notice → the school responds with
evidence → the inspector rejects once → the school responds again → the inspector accepts →
the office dashboard counts the visit and the on-time rectification."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from dudao.rectification.models import Finding, FindingStatus
from dudao.visits.models import Visit
from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser


def photo(path, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def act(page, finding, action, **fields):
    """Open the action's panel on the finding page, fill it and submit."""
    panel = page.locator(f"#action-{action}-{finding.pk}")
    panel.locator("summary").click()
    for name, value in fields.items():
        if name == "files":
            panel.locator("input[name=files]").set_input_files(value)
        else:
            panel.locator(f"[name={name}]").fill(value)
    # Wait for the server's answer to the POST: the live server shares the test's database
    # connection, so reading before the view has finished can see its work half done (the
    # status changed, the evidence not yet stored).
    with page.expect_response(lambda response: response.request.method == "POST"):
        panel.locator("button[type=submit]").click()


def wait_for_status(finding, status, page):
    for _ in range(50):
        current = Finding.all_objects.get(pk=finding.pk)
        if current.status == status:
            return current
        page.wait_for_timeout(100)
    raise AssertionError(f"finding stayed {Finding.all_objects.get(pk=finding.pk).status}")


def test_visit_finding_response_reject_accept_dashboard(world, phone_page, shot, tmp_path):
    page = phone_page
    today = timezone.localdate().isoformat()

    # 1. The inspector records a visit with a photo, on a phone.
    log_in(page, world.inspector_user)
    page.goto("/visits/mine/")
    page.locator(f"a[href='/visits/new/{world.school.pk}/']").click()
    page.check("input[name=methods][value=campus_walk]")
    page.check("input[name=area_6_status][value=problem]")
    # The finding is recorded with the visit, in one pass: the note is its description.
    page.fill("textarea[name=area_6_note]", "消防通道堆放杂物")
    page.check("input[name=area_6_deadline_kind][value=by_date]")
    page.fill("input[name=area_6_deadline]", today)
    page.fill("textarea[name=area_6_required_action]", "立即清理消防通道")
    page.fill("textarea[name=feedback]", "消防通道有杂物，请立即清理")
    page.set_input_files("input[name=files][capture]", photo(tmp_path / "通道.jpg", "gray"))
    page.locator("#attachment-list img.thumb").wait_for()
    shot(page, "loop-01-visit-form")
    page.locator("button[name=submit]").click()
    page.wait_for_url("**/visits/*/")
    visit = Visit.all_objects.get(status=Visit.Status.SUBMITTED)
    assert visit.attachments.count() == 1

    # 2. ... whose page lists the finding it recorded, due today.
    finding = Finding.all_objects.get()
    assert finding.visit == visit and finding.status == FindingStatus.OPEN
    assert finding.description == "消防通道堆放杂物" and finding.area == 6
    page.locator(f"main a[href='/findings/{finding.pk}/']").first.click()
    page.wait_for_url(f"**/findings/{finding.pk}/")

    # 3. The inspector issues the rectification notice.
    act(page, finding, "issue_notice")
    finding = wait_for_status(finding, FindingStatus.NOTICE_ISSUED, page)
    shot(page, "loop-02-notice-issued")

    # 4. The school responds with evidence.
    log_in(page, world.school_user)
    page.goto("/findings/school/")
    page.locator(f"a[href='/findings/{finding.pk}/']").first.click()
    page.wait_for_url(f"**/findings/{finding.pk}/")
    act(page, finding, "respond", text="已清理", files=photo(tmp_path / "整改后.jpg", "green"))
    finding = wait_for_status(finding, FindingStatus.RESPONDED, page)
    assert finding.files.count() == 1
    shot(page, "loop-03-school-responded")

    # 5. The inspector rejects the follow-up once ...
    log_in(page, world.inspector_user)
    page.goto(f"/findings/{finding.pk}/")
    act(page, finding, "reject", note="楼梯间仍有杂物")
    finding = wait_for_status(finding, FindingStatus.URGED, page)
    assert finding.urge_count == 1
    shot(page, "loop-04-rejected")

    # 6. ... the school responds again ...
    log_in(page, world.school_user)
    page.goto(f"/findings/{finding.pk}/")
    act(page, finding, "respond", text="楼梯间已清理，建立巡查台账")
    finding = wait_for_status(finding, FindingStatus.RESPONDED, page)

    # 7. ... and the inspector accepts: closed, on time.
    log_in(page, world.inspector_user)
    page.goto(f"/findings/{finding.pk}/")
    act(page, finding, "accept", note="复查合格")
    finding = wait_for_status(finding, FindingStatus.CLOSED, page)
    page.get_by_text("复查合格").first.wait_for()
    shot(page, "loop-05-closed-timeline")

    # 8. The office dashboard shows the visit and the on-time rectification.
    log_in(page, world.admin)
    page.goto("/dashboard/")
    assert page.locator("[data-figure=visited]").first.inner_text() == "1"
    assert page.locator("[data-figure=on-time]").first.inner_text() == "1"
    assert page.locator("[data-figure=closed-due]").first.inner_text() == "1"
    assert page.locator("[data-figure=open]").first.inner_text() == "0"
    shot(page, "loop-06-dashboard")
