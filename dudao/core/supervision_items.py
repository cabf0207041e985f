"""The eight routine supervision items (经常性督导事项) of listed supervision, in the order of
《中小学校责任督学挂牌督导办法》 (国教督办〔2013〕2号), and the five kindergarten areas of
《幼儿园办园行为督导评估办法》 (教督〔2017〕7号), docs/rules.md §4. Shared: visits and
findings are filed under them (`AREA_CHOICES`), the signboard prints them, dashboards and
reports count by them.

Every item has one number for good: 1–8 the eight items, 9–13 the kindergarten areas
(`KINDERGARTEN_AREAS`). Which items a school type is supervised on is the office's data
(`dudao.visits.models.SchoolTypeRule.items`); `default_items(type)` is the default.

The Chinese wording is the official text and is kept as data: the signboard PDF always prints
it. Screens show `label`, a translatable English msgid; `SupervisionItem.text` gives the
official Chinese when the active language is Chinese, so the wording on screen matches the
board even before the catalogue translates the msgids.
"""

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SupervisionItem:
    number: int
    zh: str
    label: Promise

    @property
    def text(self) -> str:
        language = get_language() or ""
        return self.zh if language.lower().startswith("zh") else str(self.label)


SUPERVISION_ITEMS: tuple[SupervisionItem, ...] = (
    SupervisionItem(1, "校务管理和制度执行", _("School administration and rules")),
    SupervisionItem(2, "招生、收费、择校", _("Admission, fees, school choice")),
    SupervisionItem(3, "课程开设和课堂教学", _("Curriculum and teaching")),
    SupervisionItem(
        4, "学生学习、体育锻炼和课业负担", _("Students' learning, exercise and workload")
    ),
    SupervisionItem(5, "教师师德和专业发展", _("Teachers' ethics and professional development")),
    SupervisionItem(
        6, "校园及周边安全、学生交通安全", _("Campus and surroundings safety, traffic safety")
    ),
    SupervisionItem(
        7,
        "食堂、食品、饮水及宿舍卫生",
        _("Canteen, food, drinking water and dormitory hygiene"),
    ),
    SupervisionItem(8, "校风、教风、学风建设", _("School ethos, teaching and learning culture")),
)

# The five A-level areas of the kindergarten method (教督〔2017〕7号), docs/rules.md §4.
KINDERGARTEN_AREAS: tuple[SupervisionItem, ...] = (
    SupervisionItem(9, "办园条件", _("Kindergarten conditions")),
    SupervisionItem(10, "安全卫生", _("Safety and hygiene")),
    SupervisionItem(11, "保育教育", _("Care and education")),
    SupervisionItem(12, "教职工队伍", _("Staff")),
    SupervisionItem(13, "内部管理", _("Internal management")),
)
ALL_ITEMS: tuple[SupervisionItem, ...] = SUPERVISION_ITEMS + KINDERGARTEN_AREAS
ITEMS_BY_NUMBER: dict[int, SupervisionItem] = {item.number: item for item in ALL_ITEMS}

# Findings record the item by its number, 1..8 (the eight items).
AREA_CHOICES = [(item.number, item.label) for item in SUPERVISION_ITEMS]
AREA_NUMBERS = frozenset(item.number for item in SUPERVISION_ITEMS)
area_validators = [MinValueValidator(1), MaxValueValidator(len(SUPERVISION_ITEMS))]

# A visit's checks record any item of the catalogue, 1..13.
ITEM_CHOICES = [(item.number, item.label) for item in ALL_ITEMS]
ITEM_NUMBERS = frozenset(ITEMS_BY_NUMBER)
item_validators = [MinValueValidator(1), MaxValueValidator(len(ALL_ITEMS))]

KINDERGARTEN_TYPE = "kindergarten"  # schools.SchoolType.KINDERGARTEN (core imports no app)


def default_items(school_type: str) -> list[int]:
    """The items a school type is supervised on unless its office says otherwise: the
    kindergarten areas for kindergartens, the eight items for every other type."""
    items = KINDERGARTEN_AREAS if school_type == KINDERGARTEN_TYPE else SUPERVISION_ITEMS
    return [item.number for item in items]


def items_in_order(numbers) -> tuple[SupervisionItem, ...]:
    """The catalogue items of `numbers`, in catalogue order; unknown numbers are ignored."""
    chosen = set(numbers or ())
    return tuple(item for item in ALL_ITEMS if item.number in chosen)
