"""Database fixtures for the monitoring web tests (and the authorisation matrix)."""

import io
import random

from dudao.monitoring import demo
from dudao.monitoring.fields import HEADERS, NUMERIC_FIELDS
from dudao.monitoring.inputs import write_template
from dudao.schools.models import School

YEARS = (2024, 2025)


def seed(world, years=YEARS, seed_value=1):
    """Demo figures for the world's county (湖滨小学, 西湖小学: primary; 城东中学: junior)."""
    schools = list(School.all_objects.filter(office=world.office))
    demo.build(world.office, schools, random.Random(seed_value), years=years)
    return years


def figures(**values):
    """A valid primary school's figures keyed by field key."""
    data = {f.key: 0 for f in NUMERIC_FIELDS}
    data.update(
        enrol_primary=600,
        floor_area=3600,
        sports_area=6000,
        equipment_value=1500000,
        computers=90,
        books=18000,
        multimedia_rooms=18,
        teachers_primary=36,
        qualified_primary=30,
        senior_title_primary=16,
        backbone_primary=8,
        pe_arts_primary=7,
    )
    data.update(values)
    return data


def record(school, school_type="小学", **values):
    """A template row (by header) for a registry school."""
    from dudao.monitoring.fields import FIELD_BY_KEY

    row = {"学校标识码": school.code, "学校名称": school.name, "学校类型": school_type}
    row.update({FIELD_BY_KEY[k].header: v for k, v in figures(**values).items()})
    return row


def junior(**values):
    base = {f.key: 0 for f in NUMERIC_FIELDS}
    base.update(
        enrol_junior=800,
        floor_area=5600,
        sports_area=9000,
        equipment_value=2400000,
        computers=140,
        books=28000,
        multimedia_rooms=22,
        teachers_junior=70,
        qualified_junior=50,
        senior_title_junior=30,
        backbone_junior=12,
        pe_arts_junior=9,
    )
    base.update(values)
    return base


def junior_record(school, **values):
    from dudao.monitoring.fields import FIELD_BY_KEY

    row = {"学校标识码": school.code, "学校名称": school.name, "学校类型": "初中"}
    row.update({FIELD_BY_KEY[k].header: v for k, v in junior(**values).items()})
    return row


def xlsx(rows, tmp_path, name="figures.xlsx"):
    """An XLSX template file with `rows` (dicts by header); returns (bytes, name)."""
    path = tmp_path / name
    write_template(path, rows)
    return path.read_bytes(), name


def upload(rows, tmp_path, name="figures.xlsx"):
    content, name = xlsx(rows, tmp_path, name)
    handle = io.BytesIO(content)
    handle.name = name
    return handle


__all__ = ["HEADERS", "figures", "junior", "junior_record", "record", "seed", "upload", "xlsx"]
