"""The input format: the template's Chinese headers (the file format itself, never translated),
their field keys, units and the school types with the levels each one has."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    header: str
    key: str
    unit: str = ""
    integer: bool = True  # counts must be whole numbers; areas and values may have decimals
    level: str | None = None  # the level an enrolment or teacher count belongs to
    help: str = ""


TEXT_FIELDS = (
    Field("学校标识码", "code", help="全国统一的10位学校标识码；每校一行，不得重复。"),
    Field("学校名称", "name", help="学校全称。"),
    Field(
        "学校类型",
        "school_type",
        help="小学、初中、九年一贯制学校、完全中学、十二年一贯制学校、教学点之一。",
    ),
)

NUMERIC_FIELDS = (
    Field("小学在校生数", "enrol_primary", "人", level="primary", help="有学籍的在校生数。"),
    Field("初中在校生数", "enrol_junior", "人", level="junior"),
    Field(
        "高中在校生数",
        "enrol_senior",
        "人",
        level="senior",
        help="仅用于拆分完全中学、十二年一贯制学校的资源。",
    ),
    Field(
        "教学及辅助用房面积",
        "floor_area",
        "平方米",
        integer=False,
        help="全校数，按规则拆分到各学段。",
    ),
    Field("体育运动场馆面积", "sports_area", "平方米", integer=False, help="全校数。"),
    Field(
        "教学仪器设备值",
        "equipment_value",
        "元",
        integer=False,
        help="全校数，单位：元（不是万元）。",
    ),
    Field("计算机台数", "computers", "台", help="全校数。"),
    Field("图书册数", "books", "册", help="全校数。"),
    Field("网络多媒体教室数", "multimedia_rooms", "间", help="全校数。"),
    Field("小学专任教师数", "teachers_primary", "人", level="primary", help="按任教学段计数。"),
    Field("初中专任教师数", "teachers_junior", "人", level="junior"),
    Field("小学高于规定学历教师数", "qualified_primary", "人", level="primary"),
    Field("初中高于规定学历教师数", "qualified_junior", "人", level="junior"),
    Field("小学中级及以上职称教师数", "senior_title_primary", "人", level="primary"),
    Field("初中中级及以上职称教师数", "senior_title_junior", "人", level="junior"),
    Field("小学县级以上骨干教师数", "backbone_primary", "人", level="primary"),
    Field("初中县级以上骨干教师数", "backbone_junior", "人", level="junior"),
    Field("小学体育艺术专任教师数", "pe_arts_primary", "人", level="primary"),
    Field("初中体育艺术专任教师数", "pe_arts_junior", "人", level="junior"),
)

FIELDS = TEXT_FIELDS + NUMERIC_FIELDS
HEADERS = tuple(f.header for f in FIELDS)
FIELD_BY_HEADER = {f.header: f for f in FIELDS}
FIELD_BY_KEY = {f.key: f for f in FIELDS}
FIELD_KEYS = tuple(f.key for f in NUMERIC_FIELDS)
COLUMN = {key: i for i, key in enumerate(FIELD_KEYS)}  # column of a field in the value matrix

ENROLMENT = {"primary": "enrol_primary", "junior": "enrol_junior", "senior": "enrol_senior"}
TEACHERS = {"primary": "teachers_primary", "junior": "teachers_junior"}
# Teacher sub-counts that cannot exceed the level's full-time teachers.
TEACHER_SUBCOUNTS = {
    "primary": ("qualified_primary", "senior_title_primary", "backbone_primary", "pe_arts_primary"),
    "junior": ("qualified_junior", "senior_title_junior", "backbone_junior", "pe_arts_junior"),
}
WHOLE_SCHOOL_FIELDS = tuple(f.key for f in NUMERIC_FIELDS if f.level is None)
LEVEL_FIELDS = {
    level: tuple(
        f.key for f in NUMERIC_FIELDS if f.level == level and not f.key.startswith("enrol")
    )
    for level in ("primary", "junior")
}

# The levels each school type has (the 学段 its students are enrolled in).
SCHOOL_TYPES = {
    "小学": ("primary",),
    "初中": ("junior",),
    "九年一贯制学校": ("primary", "junior"),
    "完全中学": ("junior", "senior"),
    "十二年一贯制学校": ("primary", "junior", "senior"),
    "教学点": ("primary",),
}
LEVEL_LABELS = {"primary": "小学", "junior": "初中", "senior": "高中"}

# Who runs a school, for the rule sets' exclusions (docs/rules.md §17): 办学性质 (public or
# private, from the registry's School.ownership) and 举办者 (the level of government that runs
# it, kept with the monitoring figures: the registry has no such field). Data values, Chinese
# like the school types; a blank counts as the first value of each.
OWNERSHIPS = ("公办", "民办")
SPONSORS = ("县属", "市属", "省属")
OWNERSHIP_HEADER = "办学性质"
SPONSOR_HEADER = "举办者"
