"""The visit form on a phone, in a real browser: autosave, restore after a reload from
localStorage, photo upload by JS, submit once."""

import pytest
from django.urls import reverse

from dudao.rectification.models import Finding
from dudao.visits.models import Attachment, Visit
from tests.browser_fixtures import ARTIFACTS, log_in
from tests.conftest import PASSWORD
from tests.visits.conftest import png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(phone_page):
    return phone_page


def test_inspector_records_a_visit_on_a_phone(world, phone, shot, tmp_path):
    page = phone
    page.goto("/accounts/login/")
    page.fill("input[name=login]", world.inspector_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

    page.goto("/visits/mine/")
    page.get_by_test_id("school-row").first.wait_for()
    shot(page, "visits-01-my-schools")
    page.locator(f"a[href='/visits/new/{world.school.pk}/']").click()
    page.wait_for_url(f"**/visits/new/{world.school.pk}/")
    key = page.input_value("input[name=client_uuid]")

    # Autosave: a change posts the form as a draft.
    page.fill("textarea[name=summary]", "上午巡查校园")
    page.check("input[name=methods][value=campus_walk]")
    page.locator(".autosave-ok").wait_for()
    draft = Visit.all_objects.get()
    assert str(draft.client_uuid) == key and draft.is_draft
    assert draft.summary == "上午巡查校园"

    # Typed but not yet autosaved: kept on the phone, restored after a reload.
    page.fill("textarea[name=feedback]", "请清理消防通道")
    page.wait_for_timeout(600)  # localStorage write is debounced by 400 ms
    page.reload()
    assert page.input_value("textarea[name=feedback]") == "请清理消防通道"
    assert page.input_value("input[name=client_uuid]") == key
    assert page.is_checked("input[name=methods][value=campus_walk]")

    # A photo is uploaded as soon as it is chosen.
    photo = tmp_path / "校门.png"
    photo.write_bytes(png_bytes(800, 600))
    page.set_input_files("input[name=files][capture]", str(photo))
    page.locator("#attachment-list img.thumb").wait_for()
    assert Attachment.objects.get().visit_id == draft.pk

    # A problem found: the item's finding fields appear, with the photo just taken.
    finding_fields = page.get_by_test_id("finding-6")
    assert not finding_fields.is_visible()
    page.check("input[name=area_6_status][value=problem]")
    finding_fields.wait_for(state="visible")
    page.fill("textarea[name=area_6_note]", "消防通道堆放杂物")
    page.select_option("select[name=area_6_severity]", "key")
    assert page.locator("input[name=area_6_deadline]").is_visible()
    page.check("input[name=area_6_deadline_kind][value=on_the_spot]")
    assert not page.locator("input[name=area_6_deadline]").is_visible()
    photo_box = page.locator("input[name=area_6_photos]")
    photo_box.wait_for()
    photo_box.check()
    # 全部正常: every other item fine, the problem kept.
    page.get_by_test_id("all-fine").click()
    assert page.is_checked("input[name=area_1_status][value=fine]")
    assert page.is_checked("input[name=area_6_status][value=problem]")
    assert not page.get_by_test_id("finding-1").is_visible()
    shot(page, "visits-02-form")

    page.locator("button[name=submit]").click()
    page.wait_for_url(f"**/visits/{draft.pk}/")
    shot(page, "visits-03-detail")
    visit = Visit.all_objects.get()
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.feedback == "请清理消防通道"
    assert visit.area_checks.get(area=6).status == "problem"
    assert visit.area_checks.filter(status="fine").count() == 7
    assert visit.attachments.count() == 1
    finding = Finding.objects.unscoped().get()
    assert (finding.visit_id, finding.area) == (visit.pk, 6)
    assert finding.description == "消防通道堆放杂物"
    assert (finding.severity, finding.deadline_kind) == ("key", "on_the_spot")
    assert finding.files.count() == 1
    assert page.locator(".msg").count() == 1  # one flash message
    link = page.get_by_test_id("visit-findings").locator("a")
    assert link.get_attribute("href") == reverse("rectification:finding_detail", args=[finding.pk])
    stored = page.evaluate(
        "Object.keys(localStorage).filter(function (k) { return k.indexOf('dudao-visit:') === 0 })"
    )
    assert stored == []


def test_the_finding_radios_are_inline_on_a_narrow_phone(world, phone, shot):
    """整改方式 (立行立改 / 限期整改) inside the finding's .form-row: two small radios with
    their labels side by side, not inputs stretched to a text field's width, at 360 px."""
    page = phone
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, world.inspector_user)
    page.goto(f"/visits/new/{world.school.pk}/")
    page.check("input[name=area_6_status][value=problem]")
    page.get_by_test_id("finding-6").wait_for(state="visible")
    area = page.get_by_test_id("area-6")
    area.scroll_into_view_if_needed()
    shot(page, "visits-04-finding-radios-360")
    area.screenshot(path=str(ARTIFACTS / "visits-04-finding-radios-360-item.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    for name in ("area_6_deadline_kind", "area_6_status"):
        radios = page.locator(f"input[name={name}]")
        labels = page.locator(f"label.choice:has(input[name={name}])")
        boxes = [radios.nth(i).bounding_box() for i in range(radios.count())]
        label_boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
        assert all(box["width"] <= 24 for box in boxes), (name, boxes)
        # each label holds its radio and its text on one line, next to the previous label
        assert all(box["height"] <= 60 for box in label_boxes), (name, label_boxes)
        assert label_boxes[1]["y"] == label_boxes[0]["y"], (name, label_boxes)
        assert label_boxes[1]["x"] > label_boxes[0]["x"] + label_boxes[0]["width"] - 1
        for radio, label in zip(boxes, label_boxes, strict=True):
            assert label["x"] <= radio["x"] and radio["x"] + radio["width"] <= label["x"] + 40
    kinds = page.locator("label.choice:has(input[name=area_6_deadline_kind])")
    assert kinds.nth(0).inner_text().strip() == "立行立改"
    assert kinds.nth(1).inner_text().strip() == "限期整改"
    # a click on the text chooses the radio
    kinds.nth(0).click()
    assert page.is_checked("input[name=area_6_deadline_kind][value=on_the_spot]")
    assert not page.locator("input[name=area_6_deadline]").is_visible()
    assert page.locator("textarea[name=area_6_required_action]").is_visible()
