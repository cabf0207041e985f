"""Reading and checking school resource data (the XLSX template or a CSV with the same headers).

    rows = read_input(path)                    # FileRefused when the file itself is unusable
    data = check_rows(rows, ruleset)           # InputRefused with every row error (policy refuse)
    data = load_schools(path, ruleset)         # both steps

Every cell problem is collected (not only the first) as an `InputError` with the row number and
the column header. With the rule set's `on_bad_row: "exclude"`, bad rows are left out and listed
in `SchoolData.excluded` with their errors; with `"refuse"` (default) nothing is computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from dudao.core.spreadsheets import Column, SheetError, build_workbook, cell_text, read_table

from .fields import (
    COLUMN,
    ENROLMENT,
    FIELD_BY_KEY,
    FIELD_KEYS,
    FIELDS,
    HEADERS,
    LEVEL_LABELS,
    NUMERIC_FIELDS,
    OWNERSHIP_HEADER,
    OWNERSHIPS,
    SCHOOL_TYPES,
    SPONSOR_HEADER,
    SPONSORS,
    TEACHER_SUBCOUNTS,
    TEACHERS,
    TEXT_FIELDS,
)
from .rules import RuleSet, load_ruleset

INF = float("inf")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
SPACES = re.compile(r"[\s,，]+")


@dataclass
class InputError:
    row: int | None  # the row number in the file (header = row 1); None for the whole file
    column: str | None  # the Chinese header
    message: str
    code: str = ""
    school_code: str = ""

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}

    def to_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "school_code": self.school_code,
            "message": self.message,
            "text": str(self),
        }


class InputRefused(Exception):
    """The run is refused; `errors` lists every problem (InputError)."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class FileRefused(InputRefused):
    """The file itself cannot be used (format, headers)."""

    def __init__(self, message, code="file"):
        super().__init__([InputError(None, None, message, code)])


@dataclass
class Exclusion:
    row: int
    code: str
    name: str
    school_type: str
    reason_code: str  # school_type | ownership | sponsor | min_enrolment | bad_row
    reason: str
    errors: list[InputError] = field(default_factory=list)
    detail: str = ""  # the excluded value: the school type, 民办, 市属 or 省属

    def to_dict(self) -> dict:
        return {
            "row": self.row,
            "code": self.code,
            "name": self.name,
            "school_type": self.school_type,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "detail": self.detail,
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass
class SchoolData:
    """The checked schools of one file: text columns as lists, numbers as one float matrix
    (rows = schools, columns = FIELD_KEYS; blank = 0)."""

    codes: list[str]
    names: list[str]
    types: list[str]
    rows: list[int]
    values: np.ndarray
    excluded: list[Exclusion] = field(default_factory=list)
    source: str = ""

    def __len__(self):
        return len(self.codes)

    def column(self, key: str) -> np.ndarray:
        return self.values[:, COLUMN[key]]

    def index(self, code: str) -> int:
        try:
            return self._index[code]
        except AttributeError:
            self._index = {c: i for i, c in enumerate(self.codes)}
            return self._index[code]

    def copy(self) -> SchoolData:
        return SchoolData(
            list(self.codes),
            list(self.names),
            list(self.types),
            list(self.rows),
            self.values.copy(),
            list(self.excluded),
            self.source,
        )

    @classmethod
    def from_records(cls, records: list[dict], ruleset=None) -> SchoolData:
        """Build from dicts keyed by header or field key (tests, the future DB model): the same
        checks as a file, rows numbered from 2 unless a record gives its own `_row`."""
        rows = []
        for number, record in enumerate(records, start=2):
            record = dict(record)
            number = record.pop("_row", number)
            rows.append(
                (
                    number,
                    {
                        FIELD_BY_KEY[k].header if k in FIELD_BY_KEY else k: v
                        for k, v in record.items()
                    },
                )
            )
        return check_rows(rows, ruleset or load_ruleset("basic-2012"))


# Reading -------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    return cell_text(value)


def read_input(source, filename: str | None = None) -> list[tuple[int, dict]]:
    """The data rows of an XLSX template or CSV file: [(row number, {header: raw value})].
    `source` is a path or a binary file object (give `filename` for the type then). The
    project's one reader (`dudao.core.spreadsheets`) does the work: headers in any order,
    UTF-8 or GB18030 CSV, a formula's cached value."""
    try:
        return read_table(source, HEADERS, filename=filename, allow_csv=True, formulas="value")
    except SheetError as exc:
        raise FileRefused(exc.message, exc.code) from exc


# Checking ------------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, code, message):
        self.code = code
        self.message = message


def parse_number(raw, integer: bool) -> float | None:
    """A cell as a number (None when blank). Raises _CellError for text, decimals in a count and
    negative numbers."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _CellError("text", _("“%(value)s” is not a number.") % {"value": raw})
    if isinstance(raw, (int, float)):
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise _CellError("text", _("“%(value)s” is not a number.") % {"value": raw})
    else:
        text = SPACES.sub("", str(raw))
        if not text:
            return None
        if not NUMBER.fullmatch(text):
            raise _CellError("text", _("“%(value)s” is not a number.") % {"value": raw})
        value = float(text)
    if value < 0:
        raise _CellError(
            "negative", _("Enter a number of zero or more (%(value)s).") % {"value": raw}
        )
    if integer and not value.is_integer():
        raise _CellError(
            "decimal", _("Enter a whole number, not a decimal (%(value)s).") % {"value": raw}
        )
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def check_rows(rows: list[tuple[int, dict]], ruleset: RuleSet | str | None = None) -> SchoolData:
    """Check every row; return the usable schools or raise InputRefused with all errors."""
    ruleset = load_ruleset(ruleset or "basic-2012")
    exclusions = ruleset.exclusions
    excluded_types = set(exclusions.get("school_types") or [])
    minimum = exclusions.get("min_enrolment")
    minimum_types = set(exclusions.get("min_enrolment_school_types") or []) or set(SCHOOL_TYPES)
    excluded_ownership = set(exclusions.get("ownership") or [])
    excluded_sponsors = set(exclusions.get("sponsors") or [])
    choices = "、".join(SCHOOL_TYPES)
    numeric = [(f.header, f.key, f.integer) for f in NUMERIC_FIELDS]
    errors_by_row: dict[int, list[InputError]] = {}
    parsed = []  # (row number, code, name, type, values list, exclusion reason or None)
    first_row_of_code: dict[str, int] = {}
    duplicate_codes = set()

    for number, record in rows:
        errors = []

        def error(column, code, message, school_code="", _errors=errors, _number=number):
            _errors.append(InputError(_number, column, message, code, school_code))

        code = _cell_text(record.get("学校标识码"))
        name = _cell_text(record.get("学校名称"))
        school_type = re.sub(r"\s+", "", _cell_text(record.get("学校类型")))
        if not code:
            error("学校标识码", "required", _("This column is required."))
        elif code in first_row_of_code:
            duplicate_codes.add(code)
            error(
                "学校标识码",
                "duplicate",
                _("The school code %(code)s is also on row %(row)s.")
                % {"code": code, "row": first_row_of_code[code]},
                code,
            )
        else:
            first_row_of_code[code] = number
        if not name:
            error("学校名称", "required", _("This column is required."), code)
        levels = SCHOOL_TYPES.get(school_type)
        if not school_type:
            error("学校类型", "required", _("This column is required."), code)
        elif levels is None:
            error(
                "学校类型",
                "unknown_type",
                _("Unknown school type “%(value)s”; choose one of: %(choices)s.")
                % {"value": school_type, "choices": choices},
                code,
            )
        values = {}
        bad = set()  # cells that are not numbers: no further checks use them
        for header, key, integer in numeric:
            raw = record.get(header)
            kind = type(raw)
            # fast path: what Excel stores (a blank, or a clean non-negative number)
            if raw is None:
                values[key] = None
                continue
            if kind is int and raw >= 0:
                values[key] = float(raw)
                continue
            if kind is float and raw >= 0 and (not integer or raw.is_integer()) and raw < INF:
                values[key] = raw
                continue
            try:
                values[key] = parse_number(raw, integer)
            except _CellError as exc:
                error(header, exc.code, exc.message, code)
                values[key] = 0.0
                bad.add(key)

        reason = None
        ownership = _who(record, OWNERSHIP_HEADER, "ownership", OWNERSHIPS)
        sponsor = _who(record, SPONSOR_HEADER, "sponsor", SPONSORS)
        if levels is not None and school_type in excluded_types:
            reason = (
                "school_type",
                _("The rule set excludes the school type %(type)s.") % {"type": school_type},
                school_type,
            )
        elif levels is not None and ownership in excluded_ownership:
            reason = (
                "ownership",
                _("The rule set excludes %(ownership)s schools.") % {"ownership": ownership},
                ownership,
            )
        elif levels is not None and sponsor in excluded_sponsors:
            reason = (
                "sponsor",
                _("The rule set excludes %(sponsor)s schools.") % {"sponsor": sponsor},
                sponsor,
            )
        elif levels is not None:
            enrolments = [values[ENROLMENT[lv]] for lv in levels]
            known = all(e is not None for e in enrolments) and not any(
                ENROLMENT[lv] in bad for lv in levels
            )
            total = sum(e or 0 for e in enrolments)
            if minimum is not None and known and school_type in minimum_types and total < minimum:
                reason = ("min_enrolment", below_minimum(total, minimum), "")
            else:
                _check_levels(school_type, levels, values, error, code, bad)
        parsed.append((number, code, name, school_type, values, reason))
        if errors:
            errors_by_row[number] = errors

    # the first row of a duplicated code is bad too: neither can be trusted
    for number, code, *_rest in parsed:
        if code in duplicate_codes and first_row_of_code.get(code) == number:
            errors_by_row.setdefault(number, []).append(
                InputError(
                    number,
                    "学校标识码",
                    _("The school code %(code)s is used on more than one row.") % {"code": code},
                    "duplicate",
                    code,
                )
            )

    order = {h: i for i, h in enumerate(HEADERS)}
    for errors in errors_by_row.values():
        errors.sort(key=lambda e: order.get(e.column, -1))
    all_errors = [e for number in sorted(errors_by_row) for e in errors_by_row[number]]
    if all_errors and ruleset.on_bad_row == "refuse":
        raise InputRefused(all_errors)

    excluded = []
    keep = []
    for number, code, name, school_type, values, reason in parsed:
        if number in errors_by_row:
            errors = errors_by_row[number]
            excluded.append(
                Exclusion(
                    number,
                    code,
                    name,
                    school_type,
                    "bad_row",
                    _("Bad data: %(errors)s") % {"errors": "; ".join(str(e) for e in errors)},
                    errors,
                )
            )
        elif reason is not None:
            reason_code, text, detail = reason
            excluded.append(
                Exclusion(number, code, name, school_type, reason_code, text, detail=detail)
            )
        else:
            keep.append((number, code, name, school_type, values))
    matrix = np.array(
        [[v[key] or 0.0 for key in FIELD_KEYS] for *_rest, v in keep], dtype=np.float64
    ).reshape(len(keep), len(FIELD_KEYS))
    return SchoolData(
        codes=[k[1] for k in keep],
        names=[k[2] for k in keep],
        types=[k[3] for k in keep],
        rows=[k[0] for k in keep],
        values=matrix,
        excluded=excluded,
    )


def below_minimum(total: float, minimum: float) -> str:
    return _("%(count)s students, below the rule set's minimum of %(minimum)s.") % {
        "count": _fmt(total),
        "minimum": _fmt(minimum),
    }


def _who(record: dict, header: str, key: str, allowed: tuple[str, ...]) -> str:
    """办学性质 or 举办者 of a record (by header or key); blank or unknown = the first value
    (公办, 县属): the template has no such columns, the web application adds them."""
    value = re.sub(r"\s+", "", _cell_text(record.get(header, record.get(key))))
    return value if value in allowed else allowed[0]


def exclusion_summary(excluded) -> list[dict]:
    """The excluded schools counted by reason: [{"reason_code", "detail", "label", "count"}],
    in the order the reasons are met (the page and the report say how many and why)."""
    labels = {
        "min_enrolment": _("below the minimum enrolment"),
        "bad_row": _("bad data"),
    }
    counts: dict[tuple[str, str], int] = {}
    for e in excluded:
        item = e if isinstance(e, dict) else e.to_dict()
        key = (item["reason_code"], item.get("detail") or "")
        counts[key] = counts.get(key, 0) + 1
    return [
        {
            "reason_code": code,
            "detail": detail,
            "label": detail or labels.get(code, code),
            "count": count,
        }
        for (code, detail), count in counts.items()
    ]


def exclusion_text(excluded) -> str:
    """“教学点 2；民办 1；市属 1” (empty when nothing was excluded)."""
    return "、".join(f"{item['label']} {item['count']}" for item in exclusion_summary(excluded))


def _check_levels(school_type, levels, values, error, code, bad=frozenset()):
    """The checks that depend on the school's levels: enrolment present and above 0 where the
    type has the level, nothing where it has not, teachers where there are students. Cells in
    `bad` (not numbers, already reported) are not checked again."""
    for level in ("primary", "junior", "senior"):
        enrol_key = ENROLMENT[level]
        enrol_header = FIELD_BY_KEY[enrol_key].header
        enrolment = values[enrol_key]
        has = level in levels
        if enrol_key in bad:
            pass
        elif has and enrolment is None:
            error(
                enrol_header,
                "enrolment_missing",
                _("Enrolment is missing; a %(type)s has %(level)s students.")
                % {"type": school_type, "level": LEVEL_LABELS[level]},
                code,
            )
        elif has and enrolment == 0:
            error(
                enrol_header,
                "enrolment_zero",
                _("Enrolment must be above 0 for a %(type)s.") % {"type": school_type},
                code,
            )
        elif not has and enrolment:
            error(
                enrol_header,
                "level_not_in_type",
                _("A %(type)s has no %(level)s level; leave this cell blank or 0.")
                % {"type": school_type, "level": LEVEL_LABELS[level]},
                code,
            )
        if level not in TEACHERS:
            continue
        teacher_key = TEACHERS[level]
        teachers = values[teacher_key] or 0
        if not has:
            for key in (teacher_key, *TEACHER_SUBCOUNTS[level]):
                if values[key] and key not in bad:
                    error(
                        FIELD_BY_KEY[key].header,
                        "level_not_in_type",
                        _("A %(type)s has no %(level)s level; leave this cell blank or 0.")
                        % {"type": school_type, "level": LEVEL_LABELS[level]},
                        code,
                    )
            continue
        if teacher_key in bad:
            continue
        if not teachers:
            error(
                FIELD_BY_KEY[teacher_key].header,
                "no_teachers",
                _("No %(level)s teachers, but the school has %(count)s %(level)s students.")
                % {"level": LEVEL_LABELS[level], "count": _fmt(enrolment)}
                if enrolment and enrol_key not in bad
                else _("No %(level)s teachers: a %(type)s needs its %(level)s teachers.")
                % {"level": LEVEL_LABELS[level], "type": school_type},
                code,
            )
            continue
        for key in TEACHER_SUBCOUNTS[level]:
            if key not in bad and (values[key] or 0) > teachers:
                error(
                    FIELD_BY_KEY[key].header,
                    "more_than_teachers",
                    _("%(value)s is more than the %(count)s full-time teachers (%(column)s).")
                    % {
                        "value": _fmt(values[key]),
                        "count": _fmt(teachers),
                        "column": FIELD_BY_KEY[teacher_key].header,
                    },
                    code,
                )


def load_schools(source, ruleset: RuleSet | str | None = None, filename=None) -> SchoolData:
    """read_input + check_rows."""
    data = check_rows(read_input(source, filename), ruleset)
    data.source = str(filename or (source if isinstance(source, (str, Path)) else ""))
    return data


# The template --------------------------------------------------------------------------------

TEMPLATE_HELP = (
    "每所学校一行；表头必须与模板完全一致（顺序可以不同），不要修改表头。",
    "学校类型填写：小学、初中、九年一贯制学校、完全中学、十二年一贯制学校、教学点。",
    "在校生数为有学籍的学生数；学校有该学段就必须大于0，没有该学段留空或填0。",
    "面积、设备值、计算机、图书、多媒体教室填全校数，系统按规则集的比例拆分到各学段；"
    "教师数按任教学段分别填写。",
    "面积单位为平方米，教学仪器设备值单位为元（不是万元）。",
    "数字单元格只能填数字（可以留空，视为0）；人数、台数、册数、间数必须是整数。",
    "有在校生的学段必须有专任教师；各类教师数不能超过该学段专任教师数。",
    "也可以另存为CSV（UTF-8或Excel默认的GB18030编码），表头相同。",
)


def template_columns() -> list[Column]:
    """The template's columns, keyed by header (rows are read by header)."""
    required = {f.header for f in TEXT_FIELDS}
    return [
        Column(
            f.header,
            f.header,
            required=f.header in required,
            width=max(12, len(f.header) * 2 + 2),
            help=f.help,
            unit=f.unit,
            text=f.key == "code",
            choices=list(SCHOOL_TYPES) if f.key == "school_type" else None,
        )
        for f in FIELDS
    ]


def write_template(path, rows: list[dict] | None = None) -> Path:
    """Write the XLSX template (Chinese headers, a 学校类型 drop-down, the 填写说明 sheet, print
    setup) with the project's one writer; `rows` optional data (by header or field key)."""
    data = [[row.get(f.header, row.get(f.key)) for f in FIELDS] for row in rows or []]
    wb = build_workbook(template_columns(), data, title="学校资源数据", intro=TEMPLATE_HELP)
    path = Path(path)
    wb.save(path)
    return path
