"""The board itself: data, HTML and the PDF WeasyPrint makes of it."""

import datetime

import pytest
from weasyprint import HTML

from dudao.core.supervision_items import SUPERVISION_ITEMS
from dudao.schools.models import School
from dudao.signboards import boards
from tests.factories import AssignmentFactory, InspectorFactory, SchoolFactory, ZoneFactory

from .helpers import give_photo, pdf_font_names, pdf_image_count, pdf_page_count

LONG_NAME = "杭州市上城区人民政府教育局直属第一实验学校附属幼儿园城东分园"  # 30 characters
LONG_EMAIL = "a.very.long.inspector.mailbox.name@education-bureau.example.org.cn"


def boards_for(*schools):
    qs = boards.with_current_assignments(School.all_objects.filter(pk__in=[s.pk for s in schools]))
    return boards.build_boards(qs.order_by("code"))


def page_count(board_list) -> int:
    return len(HTML(string=boards.render_boards_html(board_list)).render().pages)


def test_pdf_is_one_a4_page_with_an_embedded_cjk_font(world):
    pdf = boards.render_pdf(boards_for(world.school))
    assert pdf.startswith(b"%PDF")
    assert pdf_page_count(pdf) == 1
    fonts = pdf_font_names(pdf)
    assert any(
        "NotoSansCJK" in f.replace("-", "") or "NotoSerifCJK" in f.replace("-", "") for f in fonts
    ), fonts


def test_html_has_the_school_the_inspector_the_items_and_the_office(world):
    world.inspector.show_mobile_publicly = True
    world.inspector.save()
    html = boards.render_boards_html(boards_for(world.school))
    assert "湖滨小学" in html
    assert "张督学" in html
    assert world.inspector.phone in html
    assert "责任督学挂牌督导公示牌" in html
    assert "国教督办〔2013〕2号" in html
    for item in SUPERVISION_ITEMS:
        assert item.zh in html
    assert world.office.name in html
    assert world.office.hotline in html


def test_the_eight_items_are_the_official_ones_in_order():
    assert [i.number for i in SUPERVISION_ITEMS] == list(range(1, 9))
    assert SUPERVISION_ITEMS[0].zh == "校务管理和制度执行"
    assert SUPERVISION_ITEMS[7].zh == "校风、教风、学风建设"


def test_qr_code_opens_the_public_page(world, settings):
    settings.PUBLIC_BASE_URL = "https://dudao.example.gov.cn/"
    url = boards.public_url(world.school)
    assert url == f"https://dudao.example.gov.cn/p/{world.school.code}/"
    [board] = boards_for(world.school)
    assert board.public_url == url
    assert board.qr == boards.qr_svg_data_uri(url)
    assert board.qr.startswith("data:image/svg+xml;base64,")
    assert board.qr in boards.render_boards_html([board])


def test_no_assignment_says_to_be_arranged(world):
    [board] = boards_for(world.far_school)
    assert board.inspector is None
    html = boards.render_boards_html([board])
    assert "待安排" in html
    assert "城东中学" in html


def test_ended_assignment_is_not_on_the_board(world):
    world.assignment.end_date = datetime.date(2026, 9, 30)
    world.assignment.save()
    [board] = boards_for(world.school)
    assert board.inspector is None


def test_inspector_without_photo_gets_a_placeholder(world):
    [board] = boards_for(world.school)
    assert board.photo is None
    html = boards.render_boards_html([board])
    assert 'class="placeholder"' in html
    assert "照片待补" in html


def test_photo_is_cropped_and_embedded_as_jpeg(world, media):
    give_photo(world.inspector)
    [board] = boards_for(world.school)
    assert board.photo.startswith("data:image/jpeg;base64,")
    assert board.photo in boards.render_boards_html([board])


@pytest.mark.parametrize("data", [b"this is not an image", b"\xff\xd8\xff\xe0 truncated jpeg"])
def test_broken_photo_does_not_crash(world, media, data):
    give_photo(world.inspector, data)
    [board] = boards_for(world.school)
    assert board.photo is None
    pdf = boards.render_pdf([board])
    assert pdf_page_count(pdf) == 1


def test_missing_photo_file_does_not_crash(world, media):
    world.inspector.photo.name = "inspectors/photos/gone.jpg"
    world.inspector.save()
    [board] = boards_for(world.school)
    assert board.photo is None
    assert "张督学" in boards.render_boards_html([board])


def test_the_board_prints_the_mobile_only_with_consent(world):
    """The mobile is also a login: without the inspector's consent the board prints the
    office's public number, or asks to call the office hotline."""
    html = boards.render_boards_html(boards_for(world.school))
    assert world.inspector.phone not in html
    assert "请拨打督导室监督电话" in html
    world.office.public_phone = "0571-86660000"
    world.office.save()
    html = boards.render_boards_html(boards_for(world.school))
    assert world.inspector.phone not in html
    assert "0571-86660000" in html


def test_long_name_and_long_email_stay_on_one_page(world, media):
    assert len(LONG_NAME) == 30
    school = SchoolFactory(
        office=world.office,
        name=LONG_NAME,
        zone=world.zone,
        address="杭州市上城区解放路一百号教育大楼五楼五零八室",
    )
    inspector = give_photo(
        InspectorFactory(
            office=world.office,
            name="欧阳文华",
            phone="0571-88888888-1234",
            show_mobile_publicly=True,
            email=LONG_EMAIL,
        )
    )
    AssignmentFactory(inspector=inspector, school=school)
    world.office.address = "浙江省杭州市上城区解放路100号上城区教育局大楼5楼508室督导室"
    world.office.email = "supervision-office@shangcheng-education.example.gov.cn"
    world.office.save()
    board_list = boards_for(school)
    assert board_list[0].name_size == "name-xl"
    html = boards.render_boards_html(board_list)
    assert LONG_NAME in html and "@<wbr>" in html
    assert page_count(board_list) == 1


def test_very_long_name_is_clipped_not_overflowing(world):
    school = SchoolFactory(office=world.office, name="很长的校名" * 20)
    assert page_count(boards_for(school)) == 1


def test_batch_is_one_page_per_school(world):
    pdf = boards.render_pdf(boards_for(world.school, world.zone_school, world.far_school))
    assert pdf_page_count(pdf) == 3


def test_batch_embeds_each_inspector_photo_once(world, media):
    give_photo(world.inspector)
    extra = [SchoolFactory(office=world.office, zone=world.zone) for _ in range(3)]
    for school in extra:
        AssignmentFactory(inspector=world.inspector, school=school)
    pdf = boards.render_pdf(boards_for(world.school, *extra))
    assert pdf_page_count(pdf) == 4
    assert pdf_image_count(pdf) == 1  # the QR codes are vector (SVG)


def test_batch_order_is_zone_then_township_then_code(world):
    from tests.factories import RegionFactory

    county = world.office.region
    t1 = RegionFactory(code=county.code + "002", name="乙街道", level="township", parent=county)
    t2 = RegionFactory(code=county.code + "003", name="甲街道", level="township", parent=county)
    zone_a = ZoneFactory(office=world.office, name="A区")
    zone_b = ZoneFactory(office=world.office, name="B区")
    s1 = SchoolFactory(office=world.office, zone=zone_b, township=t1, code="3199000001")
    s2 = SchoolFactory(office=world.office, zone=zone_a, township=t2, code="3199000002")
    s3 = SchoolFactory(office=world.office, zone=zone_a, township=t1, code="3199000003")
    s4 = SchoolFactory(office=world.office, zone=zone_a, township=t1, code="3199000000")
    s5 = SchoolFactory(office=world.office, zone=zone_a, township=t1, is_active=False)
    qs = boards.batch_schools(School.all_objects.filter(pk__in=[s1.pk, s2.pk, s3.pk, s4.pk, s5.pk]))
    assert list(qs) == [s4, s3, s2, s1]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("湖滨小学", "公示牌-湖滨小学.pdf"),
        ("a/b:c", "公示牌-a_b_c.pdf"),
        ("...", "公示牌-school.pdf"),
    ],
)
def test_pdf_filename(name, expected):
    assert boards.pdf_filename(name) == expected


def test_qr_path_draws_exactly_the_qr_matrix(world):
    """The hand-built SVG path (runs of dark modules) reproduces qrcode's matrix for the URL."""
    import base64
    import re

    import qrcode

    url = boards.public_url(world.school)
    svg = base64.b64decode(boards.qr_svg_data_uri(url).split(",", 1)[1]).decode()
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    expected = qr.get_matrix()
    size = len(expected)
    drawn = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = True
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert drawn == expected
