"""The built-in indicator frameworks (内置指标体系): one CSV file per framework in
`dudao/evaluations/builtin/` (the format and the sources in its README.md), read by the
framework engine's reader (`read_framework_file`, the offline command's), so a file the
command refuses is never loaded. Built-ins have no office, are published, and every office
reads them; offices copy them to edit (`framework_services.copy_framework`).

A built-in's key is its file's stem; what it scores and its title come from `KINDS` and
`TITLES` below (the files hold the indicators only).

Loading (`ensure_builtin_frameworks`, also run by migration 0002) is idempotent: a key not yet
stored is created as revision 1; a key whose newest stored revision has the same header and
indicators (compared as the file's canonical rows, depth first) is left alone; a file that
differs from it becomes the next revision (published, `based_on` the one before). A stored
revision is never changed, so rounds keep theirs.
"""

from pathlib import Path

from django.db import transaction

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

# The built-in keys (one per file), for other modules and the demo.
COMPULSORY_QUALITY = "compulsory_quality_2021"  # 义务教育学校办学质量评价（2021）
KINDERGARTEN_CONDUCT = "kindergarten_conduct_2017"  # 幼儿园办园行为督导评估（2017）
COUNTY_GOVERNMENT = "county_government_duties"  # 县级人民政府履行教育职责（督政）
TOWNSHIP_TARGETS = "township_target_management"  # 乡镇教育工作目标管理考核
SCHOOL_1000 = "school_1000_points"  # 学校综合督导评估（1000分）
BUILTIN_KEYS = (
    COMPULSORY_QUALITY,
    KINDERGARTEN_CONDUCT,
    COUNTY_GOVERNMENT,
    TOWNSHIP_TARGETS,
    SCHOOL_1000,
)

# What each built-in scores (TargetKind values; plain strings, so a migration can use them).
KINDS = {
    COMPULSORY_QUALITY: "school",
    KINDERGARTEN_CONDUCT: "kindergarten",
    COUNTY_GOVERNMENT: "government",
    TOWNSHIP_TARGETS: "township",
    SCHOOL_1000: "school",
}

# Official Chinese titles (the file format's language, never translated).
TITLES = {
    COMPULSORY_QUALITY: "义务教育学校办学质量评价（2021）",
    KINDERGARTEN_CONDUCT: "幼儿园办园行为督导评估（2017）",
    COUNTY_GOVERNMENT: "县级人民政府履行教育职责评价（督政）",
    TOWNSHIP_TARGETS: "乡镇人民政府教育工作目标管理考核",
    SCHOOL_1000: "学校综合督导评估（1000分）",
}

SOURCES = {
    COMPULSORY_QUALITY: "《义务教育质量评价指南》（教基〔2021〕3号），学校办学质量评价",
    KINDERGARTEN_CONDUCT: "《幼儿园办园行为督导评估办法》（教督〔2017〕7号）",
    COUNTY_GOVERNMENT: "《对省级人民政府履行教育职责的评价办法》（国务院办公厅，2017），按县级调整",
    TOWNSHIP_TARGETS: "县乡镇教育工作及党政主要领导抓教育工作目标管理责任制考核评估表",
    SCHOOL_1000: "合格学校督导评估评分细则（示例：7个一级指标、37个二级指标）",
}

DESCRIPTIONS = {
    COMPULSORY_QUALITY: (
        "5个重点内容（办学方向、课程教学、教师发展、学校管理、学生发展）、12项关键指标、"
        "27个考查要点。指南未规定分值，默认分值为Dudao的建议，可复制后调整。"
    ),
    KINDERGARTEN_CONDUCT: (
        "办园条件、安全卫生、保育教育、教职工队伍、内部管理5个方面；二级指标为Dudao的分组，"
        "含2项一票否决。"
    ),
    COUNTY_GOVERNMENT: (
        "督政：职责履行、保障水平、教育公平、教育质量、安全稳定与社会认可；含2项一票否决。"
        "“达到省定目标”处请换成本省数据。"
    ),
    TOWNSHIP_TARGETS: (
        "领导职责、办学条件与经费投入、教育事业发展、尊师重教4个部分，各乡镇一表；"
        "权重和县定目标由县督导室每年确定。"
    ),
    SCHOOL_1000: (
        "1000分制示例：7个A级指标、37个B级指标，分值、扣分细则和否决项可按本地细则修改。"
    ),
}

HEADER_FIELDS = ("title", "kind", "description", "source")


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.csv"))


def read_builtins() -> list[dict]:
    """Every built-in file as {"key", "title", "kind", "description", "source", "spec"} (the
    engine's FrameworkSpec), in file-name order. FrameworkInvalid for a broken file."""
    from .engine import read_framework_file

    found = []
    for path in builtin_files():
        key = path.stem
        found.append(
            {
                "key": key,
                "title": TITLES.get(key, key),
                "kind": KINDS.get(key, "school"),
                "description": DESCRIPTIONS.get(key, ""),
                "source": SOURCES.get(key, ""),
                "spec": read_framework_file(path),
            }
        )
    return found


def canonical_data(data: dict) -> dict:
    """A built-in's header and indicators in one form (the indicators as the file's rows,
    depth first), whether read from a file or from a stored revision (`canonical_rows`)."""
    spec = data["spec"]
    return {
        **{key: data.get(key) or "" for key in HEADER_FIELDS},
        "indicators": [indicator.to_row() for indicator in spec.walk()],
    }


def canonical_rows(framework) -> dict:
    """The same form for a stored revision (any model class: the app's or a migration's)."""
    from .framework_services import specs_of

    specs = specs_of(framework)  # in position order: depth first
    return {
        **{key: getattr(framework, key) or "" for key in HEADER_FIELDS},
        "indicators": [indicator.to_row() for indicator in specs],
    }


def sync(data_list, *, frameworks, indicator_model, publish, created=None) -> list:
    """Create what `data_list` has and the stored built-ins lack (see the module docstring).
    `frameworks` is a manager or queryset of the framework model; `publish(framework)`
    publishes a new revision (and may return it, fresh); `created(framework)` is told of each
    new one first. Returns the new ones."""
    from .framework_services import create_rows

    made = []
    for data in data_list:
        wanted = canonical_data(data)
        latest = (
            frameworks.filter(office__isnull=True, key=data["key"]).order_by("-revision").first()
        )
        if latest is not None and canonical_rows(latest) == wanted:
            continue
        framework = frameworks.create(
            office=None,
            key=data["key"],
            revision=latest.revision + 1 if latest else 1,
            based_on=latest,
            total_max=data["spec"].total_max,
            **{key: wanted[key] for key in HEADER_FIELDS},
        )
        create_rows(indicator_model, framework, data["spec"].walk())
        if created is not None:
            created(framework)
        framework = publish(framework) or framework
        made.append(framework)
    return made


@transaction.atomic
def ensure_builtin_frameworks() -> list:
    """Load the built-in frameworks (idempotent; see the module docstring), as the platform:
    each new revision is published through the workflow, with its history and audit rows.
    Returns the revisions created now (none when everything is loaded already)."""
    from dudao.audit import services as audit
    from dudao.core.guards import SYSTEM

    from . import framework_services
    from .models import Framework, Indicator

    return sync(
        read_builtins(),
        frameworks=Framework.objects.unscoped(),
        indicator_model=Indicator,
        publish=lambda framework: framework_services.publish(SYSTEM, framework),
        created=lambda framework: audit.record_create(SYSTEM, framework),
    )
