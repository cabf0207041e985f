"""A board lists the supervision items of its school's type (docs/rules.md §4, §5): the five
kindergarten areas on a kindergarten's board, the eight items on the others', or what the
office's rule for the type says."""

import re

from weasyprint import HTML

from dudao.core.supervision_items import KINDERGARTEN_AREAS, SUPERVISION_ITEMS
from dudao.schools.models import School
from dudao.signboards import boards
from dudao.visits import services as visit_services
from tests.factories import SchoolFactory


def boards_for(*schools):
    qs = boards.with_current_assignments(School.all_objects.filter(pk__in=[s.pk for s in schools]))
    return {board.school.pk: board for board in boards.build_boards(qs.order_by("code"))}


def kindergarten(world):
    return SchoolFactory(
        office=world.office,
        zone=world.zone,
        name="湖滨幼儿园",
        type="kindergarten",
        enrolment_primary=0,
        enrolment_kindergarten=200,
    )


def printed_items(html: str) -> list[tuple[str, str]]:
    """(number printed, wording) of each item of a one-board HTML."""
    return re.findall(r'<li><span class="num">(\d+)</span>([^<]+)</li>', html)


def test_a_kindergarten_board_lists_the_kindergarten_areas(world):
    kg = kindergarten(world)
    built = boards_for(world.school, kg)
    assert built[kg.pk].items == KINDERGARTEN_AREAS
    assert built[world.school.pk].items == SUPERVISION_ITEMS
    html = boards.render_boards_html([built[kg.pk]])
    # Numbered 1-5 on the board, in the order of the kindergarten method.
    assert printed_items(html) == [
        ("1", "办园条件"),
        ("2", "安全卫生"),
        ("3", "保育教育"),
        ("4", "教职工队伍"),
        ("5", "内部管理"),
    ]
    assert "校务管理和制度执行" not in html
    html = boards.render_boards_html([built[world.school.pk]])
    assert printed_items(html) == [(str(i.number), i.zh) for i in SUPERVISION_ITEMS]
    assert "办园条件" not in html


def test_a_board_follows_the_offices_rule_for_the_type(world):
    kg = kindergarten(world)
    for school_type, items in (("primary", [1, 6]), ("kindergarten", list(range(1, 14)))):
        visit_services.save_school_type_rule(
            world.admin,
            world.office,
            school_type,
            items=items,
            minimums=[],
            visits=1,
            period="month",
        )
    built = boards_for(world.school, kg, world.foreign_school)
    assert [i.number for i in built[world.school.pk].items] == [1, 6]
    assert [i.number for i in built[kg.pk].items] == list(range(1, 14))
    # Another county's school keeps the defaults.
    assert built[world.foreign_school.pk].items == SUPERVISION_ITEMS
    html = boards.render_boards_html([built[world.school.pk]])
    assert printed_items(html) == [
        ("1", "校务管理和制度执行"),
        ("2", "校园及周边安全、学生交通安全"),
    ]
    # Thirteen items still fit one page.
    html = boards.render_boards_html([built[kg.pk]])
    assert 'class="items many"' in html
    assert len(HTML(string=html).render().pages) == 1
