"""The office admin's first hour, in a real browser: log in, import a schools file, assign a
responsible inspector to an imported school, download its signboard PDF."""

import pytest

from dudao.inspectors.models import Assignment
from dudao.schools.models import School
from tests.conftest import PASSWORD
from tests.imports.helpers import school_row, schools_file

pytestmark = pytest.mark.browser


def test_admin_imports_assigns_and_prints_a_signboard(world, page, shot, tmp_path):
    township = world.school.township.name if world.school.township else ""
    data = schools_file(
        [
            school_row("4201000101", "浏览器测试第一小学", township=township),
            school_row("4201000102", "浏览器测试第二小学", township=township),
        ]
    )
    upload = tmp_path / "学校导入.xlsx"
    upload.write_bytes(data)

    page.goto("/accounts/login/")
    page.fill("input[name=login]", world.admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    shot(page, "01-home")

    page.goto("/imports/")
    page.set_input_files("#file-schools", str(upload))
    page.locator("form[action$='/upload/schools/'] button[type=submit]").click()
    page.get_by_role("button", name="确认导入").wait_for()
    shot(page, "02-import-preview")
    assert not School.all_objects.filter(code="4201000101").exists()  # preview changes nothing
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已于").first.wait_for()
    shot(page, "03-import-done")
    school = School.all_objects.get(code="4201000101")
    assert school.office == world.office

    page.goto(school.get_absolute_url())
    page.select_option("select[name=inspector]", str(world.inspector.pk))
    page.get_by_test_id("assign-button").click()
    page.get_by_test_id("current-inspector").wait_for()
    assert page.get_by_test_id("current-inspector").inner_text() == world.inspector.name
    assert Assignment.all_objects.filter(school=school, end_date__isnull=True).get().inspector == (
        world.inspector
    )
    shot(page, "04-assigned")

    with page.expect_download() as info:
        page.get_by_test_id("signboard-link").click()
    download = info.value
    path = tmp_path / "board.pdf"
    download.save_as(path)
    assert download.suggested_filename == "公示牌-浏览器测试第一小学.pdf"
    assert path.read_bytes().startswith(b"%PDF")
