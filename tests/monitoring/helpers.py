"""Building school records and files for the monitoring tests."""

import csv

from dudao.monitoring.fields import FIELD_BY_KEY, HEADERS
from dudao.monitoring.inputs import write_template

LEVELS_OF = {
    "小学": ("primary",),
    "教学点": ("primary",),
    "初中": ("junior",),
    "九年一贯制学校": ("primary", "junior"),
    "完全中学": ("junior",),
    "十二年一贯制学校": ("primary", "junior"),
}


def school(code, school_type="小学", **values):
    """A record keyed by field key. Teachers default to a plausible count for each level the
    type has, so that only the figures a test names matter."""
    record = {"code": code, "name": f"学校{code}", "school_type": school_type}
    for level in LEVELS_OF.get(school_type, ()):
        record.setdefault(f"teachers_{level}", 10)
    record.update(values)
    return record


def as_headers(record):
    return {FIELD_BY_KEY[k].header: v for k, v in record.items()}


def write_csv(path, records, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for record in records:
            row = as_headers(record)
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in HEADERS])
    return path


def write_xlsx(path, records):
    return write_template(path, [as_headers(r) for r in records])
