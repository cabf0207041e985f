"""Indicator frameworks (指标体系) of supervision evaluation (督导评估, 督政): a tree of
indicators of any depth, each with a maximum score and, for the leaves, a scoring method
(docs/evaluation.md, "Frameworks").

    framework = read_framework_file("framework.xlsx")      # or parse_framework_rows(rows)
    framework.roots, framework.leaves, framework.total_max
    framework.children("A1"), framework.get("B3")

One row per indicator with its parent's code; `parse_framework_rows` checks every row and the
tree and raises `FrameworkInvalid` with every problem found (`errors`: `RowError`s with their
row number and column). A `FrameworkSpec` built from `IndicatorSpec`s (the web app's stored
frameworks) is checked the same way when it is made. Pure Python: no database, no settings.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from dudao.evaluations.engine.formula import (
    EngineError,
    FormulaError,
    _,
    compile_formula,
    gettext_noop,
    to_decimal_number,
)

METHODS = ("points", "levels", "yesno", "veto", "formula")
COLUMNS = ("code", "parent", "title", "max_score", "method", "levels")
OPTIONAL_COLUMNS = ("guide", "evidence", "formula")
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
# Levels are written "A:1,B:0.8,C:0.6,D:0"; Chinese punctuation is accepted too.
LEVEL_SEPARATOR = re.compile(r"[,，;；、]")
LEVEL_COLON = re.compile(r"[:：]")


def cell(value) -> str:
    """A cell as text: "" for nothing, 10 for the float 10.0, spaces stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def plain(number: Decimal) -> str:
    """12.50 → "12.5", 1E+2 → "100", 0.0 → "0" (no exponent, no trailing zeros)."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_decimal(text) -> Decimal:
    """A finite number written in text (magnitudes from 1e-30 to 1e30, or 0); ValueError
    otherwise."""
    return to_decimal_number(cell(text))


def on_grid(number: Decimal) -> bool:
    """A number with at most two decimals (a score as results give it)."""
    return (number * 100) == (number * 100).to_integral_value()


class RowError:
    """One problem of an input: its `row` (as the spreadsheet shows it; None when the input
    has no rows, such as a stored framework), `column`, `indicator` (the code concerned, if
    any), `code` for programs and the message (`message`, translated when it is read)."""

    def __init__(self, row, column: str, code: str, template: str, /, indicator="", **params):
        self.row = row
        self.column = column
        self.code = code
        self.template = template
        self.params = params
        self.indicator = indicator

    @property
    def message(self) -> str:
        return _(self.template) % self.params if self.params else _(self.template)

    def __str__(self) -> str:
        if self.row is None:
            if self.indicator:
                return _("Indicator %(code)s: %(message)s") % {
                    "code": self.indicator,
                    "message": self.message,
                }
            return self.message
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}

    def __repr__(self) -> str:
        return f"RowError({self.row!r}, {self.column!r}, {self.code!r}, {self.indicator!r})"

    def to_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "indicator": self.indicator,
            "message": self.message,
        }


class InputInvalid(EngineError):
    """An input refused as a whole; `errors` lists every problem (RowError), in row order."""

    summary = gettext_noop("The input has %(count)s error(s).")

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(self.code_name, self.summary, count=len(self.errors))

    code_name = "input"


class FrameworkInvalid(InputInvalid):
    """The framework is refused; `errors` lists every problem (RowError)."""

    code_name = "framework"
    summary = gettext_noop("The framework has %(count)s error(s).")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator. `method` is "" for an indicator with sub-indicators (its score is the
    sum of theirs) and one of METHODS for a leaf; `levels` are (label, share of the maximum)
    for the levels method; `formula` the expression of the formula method."""

    code: str
    parent: str | None
    title: str
    max_score: Decimal
    method: str
    levels: tuple[tuple[str, Decimal], ...] = ()
    guide: str = ""
    evidence: str = ""
    formula: str = ""

    @property
    def is_leaf(self) -> bool:
        return self.method != ""

    def level_share(self, label: str) -> Decimal | None:
        """The share of the maximum of a level (labels compared without case); None if the
        indicator has no such level."""
        wanted = cell(label).casefold()
        for name, share in self.levels:
            if name.casefold() == wanted:
                return share
        return None

    def to_row(self) -> dict[str, str]:
        """The indicator as a framework file's row (every column, text)."""
        return {
            "code": self.code,
            "parent": self.parent or "",
            "title": self.title,
            "max_score": plain(self.max_score),
            "method": self.method,
            "levels": format_levels(self.levels),
            "guide": self.guide,
            "evidence": self.evidence,
            "formula": self.formula,
        }


def format_levels(levels: Iterable[tuple[str, Decimal]]) -> str:
    """(("A", 1), ("B", 0.8)) → "A:1,B:0.8"."""
    return ",".join(f"{name}:{plain(Decimal(share))}" for name, share in levels)


def parse_levels(text: str) -> tuple[tuple[str, Decimal], ...]:
    """ "A:1,B:0.8,C:0.6,D:0" → (("A", 1), ("B", 0.8), …): each level a label and its share
    of the maximum (0 to 1), labels unique whatever their case. EngineError otherwise."""
    text = cell(text)
    levels: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for part in LEVEL_SEPARATOR.split(text):
        part = part.strip()
        if not part:
            continue
        pieces = LEVEL_COLON.split(part)
        if len(pieces) != 2 or not pieces[0].strip():
            raise EngineError(
                "levels",
                gettext_noop(
                    "Write the levels as label:share, separated by commas, such as "
                    "A:1,B:0.8,C:0.6,D:0 (not “%(part)s”)."
                ),
                part=part,
            )
        name = pieces[0].strip()
        try:
            share = parse_decimal(pieces[1])
        except ValueError:
            raise EngineError(
                "levels",
                gettext_noop("The share of level %(level)s is not a number (%(value)s)."),
                level=name,
                value=pieces[1].strip(),
            ) from None
        if not 0 <= share <= 1:
            raise EngineError(
                "levels",
                gettext_noop(
                    "The share of level %(level)s must be from 0 to 1 (a share of the "
                    "maximum), not %(value)s."
                ),
                level=name,
                value=pieces[1].strip(),
            )
        if name.casefold() in seen:
            raise EngineError(
                "levels", gettext_noop("The level %(level)s is given twice."), level=name
            )
        seen.add(name.casefold())
        levels.append((name, share))
    if not levels:
        raise EngineError(
            "levels",
            gettext_noop("Write the levels as label:share, such as A:1,B:0.8,C:0.6,D:0."),
        )
    return tuple(levels)


# ---- checking ------------------------------------------------------------------------------


@dataclass
class _Draft:
    """An indicator while it is checked: what could be read of its row (None: unreadable)."""

    row: int | None
    code: str
    parent: str | None
    title: str = ""
    max_score: Decimal | None = None
    method: str | None = ""  # None: an unknown method (already reported)
    levels: tuple | None = ()  # None: bad levels (already reported)
    formula: str = ""
    guide: str = ""
    evidence: str = ""


def _sort_key(error: RowError):
    column = ALL_COLUMNS.index(error.column) if error.column in ALL_COLUMNS else -1
    return (error.row if error.row is not None else 0, column)


def _check_tree(drafts: Sequence[_Draft]) -> list[RowError]:
    """The problems of the tree and of each indicator's method against its place in it."""
    errors: list[RowError] = []

    def error(d: _Draft, column, err_code, template, /, **params):
        errors.append(RowError(d.row, column, err_code, template, indicator=d.code, **params))

    index: dict[str, _Draft] = {}
    for d in drafts:
        first = index.get(d.code)
        if first is not None:
            if first.row is not None and d.row is not None:
                template = gettext_noop("The code %(code)s is also on row %(row)s.")
            else:
                template = gettext_noop("The code %(code)s is used twice.")
            error(d, "code", "duplicate_code", template, code=d.code, row=first.row)
            continue
        index[d.code] = d
    children: dict[str, list[_Draft]] = {code: [] for code in index}
    for d in index.values():
        if d.parent is None:
            continue
        if d.parent not in index:
            error(
                d,
                "parent",
                "unknown_parent",
                gettext_noop("Unknown parent %(parent)s: no indicator has this code."),
                parent=d.parent,
            )
            continue
        if d.parent != d.code:  # a self-parent is reported as a cycle, not as a child
            children[d.parent].append(d)

    # Cycles: follow each indicator's parents until a root, an unknown parent or a code met
    # before; a code met again on the same walk closes a cycle, reported once.
    done: dict[str, bool] = {}  # code → in or under a cycle
    in_cycle: set[str] = set()
    for start in index.values():
        path: list[str] = []
        on_path: set[str] = set()
        code: str | None = start.code
        broken = False
        while code is not None and code in index and code not in done:
            if code in on_path:
                cycle = path[path.index(code) :]
                in_cycle.update(cycle)
                first = min((index[c] for c in cycle), key=lambda x: x.row or 0)
                error(
                    first,
                    "parent",
                    "cycle",
                    gettext_noop("The parents of %(codes)s form a cycle."),
                    codes=" → ".join([*cycle, cycle[0]]),
                )
                broken = True
                break
            path.append(code)
            on_path.add(code)
            code = index[code].parent
        if not broken and code is not None and code in done:
            broken = done[code]
        for c in path:
            done.setdefault(c, broken or c in in_cycle)

    for d in index.values():
        kids = children[d.code]
        if kids and d.method:
            error(
                d,
                "method",
                "method_on_parent",
                gettext_noop(
                    "An indicator with sub-indicators takes its score from them: leave its "
                    "method empty."
                ),
            )
        elif not kids and d.method == "":
            error(
                d,
                "method",
                "no_method",
                gettext_noop(
                    "An indicator without sub-indicators needs a method: points, levels, "
                    "yesno, veto or formula."
                ),
            )
        if d.max_score is not None:
            if d.method == "veto" and d.max_score != 0:
                error(
                    d,
                    "max_score",
                    "veto_max",
                    gettext_noop("A veto item (一票否决) has the maximum score 0, not %(max)s."),
                    max=plain(d.max_score),
                )
            elif d.method and d.method != "veto" and d.max_score <= 0:
                error(
                    d,
                    "max_score",
                    "max_zero",
                    gettext_noop("The maximum score of a scored indicator must be above 0."),
                )
        if d.method == "levels" and d.levels == ():
            error(
                d,
                "levels",
                "levels_missing",
                gettext_noop("The levels method needs levels, such as A:1,B:0.8,C:0.6,D:0."),
            )
        elif d.method != "levels" and d.method is not None and d.levels:
            error(
                d,
                "levels",
                "levels_unused",
                gettext_noop("Levels are only for the levels method."),
            )
        if d.method == "formula" and not d.formula:
            error(
                d,
                "formula",
                "formula_missing",
                gettext_noop("The formula method needs a formula."),
            )
        elif d.method != "formula" and d.method is not None and d.formula:
            error(
                d,
                "formula",
                "formula_unused",
                gettext_noop("A formula is only for the formula method."),
            )
        if kids and not done.get(d.code) and d.max_score is not None:
            maxima = [k.max_score for k in kids]
            if None not in maxima:
                total = sum(maxima, Decimal(0))
                if total != d.max_score:
                    error(
                        d,
                        "max_score",
                        "sum",
                        gettext_noop(
                            "The maximum scores of its sub-indicators add up to %(sum)s, "
                            "not %(max)s."
                        ),
                        sum=plain(total),
                        max=plain(d.max_score),
                    )
    return errors


def _empty() -> RowError:
    return RowError(None, "", "empty", gettext_noop("The framework has no indicators."))


def _method(text: str) -> str | None:
    method = cell(text).casefold()
    return method if method in METHODS or method == "" else None


# ---- the framework --------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkSpec:
    """A checked framework: `indicators` in their order (the file's), `get(code)`,
    `children(code)`, `roots`, `leaves`, `total_max` (the sum of the roots' maxima), `walk()`
    (depth first). FrameworkInvalid when the indicators do not make a valid tree."""

    indicators: tuple[IndicatorSpec, ...]
    _index: dict = field(init=False, repr=False, compare=False)
    _children: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        indicators = tuple(self.indicators)
        object.__setattr__(self, "indicators", indicators)
        drafts = []
        errors = []
        for spec in indicators:
            if not spec.code:
                errors.append(
                    RowError(None, "code", "required", gettext_noop("An indicator has no code."))
                )
                continue
            method = spec.method if spec.method in METHODS or spec.method == "" else None
            max_score = spec.max_score
            if not isinstance(max_score, Decimal) or not max_score.is_finite():
                errors.append(
                    RowError(
                        None,
                        "max_score",
                        "number",
                        gettext_noop("The maximum score must be a number, not “%(value)s”."),
                        indicator=spec.code,
                        value=max_score,
                    )
                )
                max_score = None
            elif max_score < 0 or not on_grid(max_score):
                errors.append(
                    RowError(
                        None,
                        "max_score",
                        "number",
                        gettext_noop(
                            "The maximum score must be 0 or more with at most two decimals, not "
                            "%(value)s."
                        ),
                        indicator=spec.code,
                        value=plain(max_score),
                    )
                )
                max_score = None
            if method is None:
                errors.append(_unknown_method(None, spec.method, spec.code))
            if spec.formula:
                try:
                    compile_formula(spec.formula)
                except FormulaError as exc:
                    errors.append(_formula_error(None, exc, spec.code))
            drafts.append(
                _Draft(
                    row=None,
                    code=spec.code,
                    parent=spec.parent or None,
                    title=spec.title,
                    max_score=max_score,
                    method=method,
                    levels=tuple(spec.levels),
                    formula=spec.formula,
                )
            )
        errors += _check_tree(drafts)
        if not indicators:
            errors.append(_empty())
        if errors:
            order: dict[str, int] = {}
            for i, spec in enumerate(indicators):
                order.setdefault(spec.code, i)
            errors.sort(key=lambda e: (order.get(e.indicator, -1), _sort_key(e)))
            raise FrameworkInvalid(errors)
        object.__setattr__(self, "_index", {spec.code: spec for spec in indicators})
        kids: dict[str | None, list[IndicatorSpec]] = {None: []}
        for spec in indicators:
            kids.setdefault(spec.code, [])
            kids.setdefault(spec.parent or None, []).append(spec)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in kids.items()})

    def __iter__(self) -> Iterator[IndicatorSpec]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, code) -> bool:
        return code in self._index

    def get(self, code: str) -> IndicatorSpec:
        """The indicator with this code (KeyError if none)."""
        return self._index[code]

    def children(self, code: str | None) -> tuple[IndicatorSpec, ...]:
        """The sub-indicators of `code` in order (the roots for None)."""
        if code is not None and code not in self._index:
            raise KeyError(code)
        return self._children[code]

    @property
    def roots(self) -> tuple[IndicatorSpec, ...]:
        return self._children[None]

    @property
    def leaves(self) -> tuple[IndicatorSpec, ...]:
        return tuple(spec for spec in self.indicators if spec.is_leaf)

    @property
    def total_max(self) -> Decimal:
        return sum((spec.max_score for spec in self.roots), Decimal(0))

    @property
    def veto_items(self) -> tuple[IndicatorSpec, ...]:
        return tuple(spec for spec in self.indicators if spec.method == "veto")

    def walk(self, code: str | None = None) -> Iterator[IndicatorSpec]:
        """The indicators under `code` (all for None) depth first, each before its children."""
        for spec in self.children(code):
            yield spec
            yield from self.walk(spec.code)

    def depth(self, code: str) -> int:
        """1 for a root, 2 for its children, …"""
        depth = 1
        spec = self.get(code)
        while spec.parent:
            depth += 1
            spec = self.get(spec.parent)
        return depth

    def merged(self, extra: FrameworkSpec) -> FrameworkSpec:
        """This framework with `extra`'s indicators added (their roots become roots): a
        target's own indicators ("合格+订单"). FrameworkInvalid when codes clash."""
        return FrameworkSpec(self.indicators + tuple(extra.indicators))

    def to_rows(self) -> list[dict[str, str]]:
        """The framework as a file's rows (`parse_framework_rows` reads them back)."""
        return [spec.to_row() for spec in self.indicators]


def _unknown_method(row, value, indicator="") -> RowError:
    return RowError(
        row,
        "method",
        "unknown_method",
        gettext_noop(
            "Unknown method %(value)s: use points, levels, yesno, veto or formula (empty for "
            "an indicator with sub-indicators)."
        ),
        indicator=indicator,
        value=value,
    )


def _formula_error(row, exc: EngineError, indicator="") -> RowError:
    return RowError(
        row,
        "formula",
        exc.code,
        exc.template,
        indicator=indicator,
        **exc.params,
    )


def numbered_rows(rows, first_row_number: int) -> Iterator[tuple[int, Mapping]]:
    """(row number, record): rows given as records are numbered from `first_row_number`;
    rows given as (number, record) pairs (`read_table`'s) keep their number."""
    number = first_row_number
    for item in rows:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int):
            yield item
            number = item[0] + 1
        else:
            yield number, item
            number += 1


REQUIRED = gettext_noop("This column is required.")


def parse_framework_rows(
    rows: Iterable[Mapping[str, object]], *, first_row_number: int = 2
) -> FrameworkSpec:
    """The framework of a file's rows (records keyed by the column names; or (row number,
    record) pairs), every problem raised at once in FrameworkInvalid."""
    errors: list[RowError] = []
    drafts: list[_Draft] = []
    for number, record in numbered_rows(rows, first_row_number):
        values = {key: cell(record.get(key)) for key in ALL_COLUMNS}
        code = values["code"]

        def error(column, err_code, template, /, _code=code, _number=number, **params):
            errors.append(RowError(_number, column, err_code, template, indicator=_code, **params))

        if not code:
            error("code", "required", REQUIRED)
        if not values["title"]:
            error("title", "required", REQUIRED)
        max_score = None
        if not values["max_score"]:
            error("max_score", "required", REQUIRED)
        else:
            try:
                max_score = parse_decimal(values["max_score"])
            except ValueError:
                error(
                    "max_score",
                    "number",
                    gettext_noop("The maximum score must be a number, not “%(value)s”."),
                    value=values["max_score"],
                )
            else:
                if max_score < 0:
                    error(
                        "max_score",
                        "number",
                        gettext_noop("The maximum score cannot be negative (%(value)s)."),
                        value=values["max_score"],
                    )
                    max_score = None
                elif not on_grid(max_score):
                    error(
                        "max_score",
                        "decimals",
                        gettext_noop(
                            "A maximum score has at most two decimals (%(value)s): scores are "
                            "given to two decimals."
                        ),
                        value=values["max_score"],
                    )
                    max_score = None
        method = _method(values["method"])
        if method is None:
            errors.append(_unknown_method(number, values["method"], code))
        levels: tuple | None = ()
        if values["levels"]:
            try:
                levels = parse_levels(values["levels"])
            except EngineError as exc:
                error("levels", exc.code, exc.template, **exc.params)
                levels = None
        if values["formula"]:
            try:
                compile_formula(values["formula"])
            except FormulaError as exc:
                errors.append(_formula_error(number, exc, code))
        if not code:
            continue
        drafts.append(
            _Draft(
                row=number,
                code=code,
                parent=values["parent"] or None,
                title=values["title"],
                max_score=max_score,
                method=method,
                levels=levels,
                formula=values["formula"],
                guide=values["guide"],
                evidence=values["evidence"],
            )
        )
    errors += _check_tree(drafts)
    if not drafts and not errors:
        errors.append(_empty())
    if errors:
        errors.sort(key=_sort_key)
        raise FrameworkInvalid(errors)
    return FrameworkSpec(
        tuple(
            IndicatorSpec(
                code=d.code,
                parent=d.parent,
                title=d.title,
                max_score=d.max_score,
                method=d.method,
                levels=d.levels,
                guide=d.guide,
                evidence=d.evidence,
                formula=d.formula,
            )
            for d in drafts
        )
    )


# ---- files -----------------------------------------------------------------------------------


def _source_bytes(source) -> bytes | None:
    """The bytes of a path, bytes or binary file object, or None when too large to peek at
    (the reader refuses it then, saying why)."""
    from dudao.core.spreadsheets import limits

    limit = limits().file_bytes
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if path.stat().st_size > limit:
                return None
            return path.read_bytes()
        except OSError:
            return None
    if isinstance(source, bytes):
        return source
    source.seek(0)
    raw = source.read(limit + 1)
    source.seek(0)
    return raw if len(raw) <= limit else None


def _optional_present(raw: bytes | None, optional: Sequence[str]) -> tuple[str, ...]:
    """Which optional columns the header row of the file holds (none when it cannot be read:
    the reader says why)."""
    from dudao.core.spreadsheets import (
        SheetError,
        iter_csv_rows,
        iter_rows,
        normalise_header,
    )

    if raw is None or not optional:
        return ()
    try:
        if zipfile.is_zipfile(io.BytesIO(raw)):
            records = iter_rows(io.BytesIO(raw))
        else:
            records = iter_csv_rows(raw)
        for _number, values in records:
            found = {normalise_header(v) for v in values} - {""}
            if found:
                return tuple(name for name in optional if name in found)
    except (SheetError, zipfile.BadZipFile, KeyError, IndexError, ValueError, SyntaxError):
        return ()
    return ()


def read_sheet(
    source, columns: Sequence[str], optional: Sequence[str] = (), *, filename: str | None = None
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV (UTF-8 with or without BOM, or GB18030; comma or tab) or XLSX file
    (the first sheet), the header row first with `columns` and any of `optional` in any order:
    [(row number, {column: text})], blank rows skipped. `source` is a path, bytes or a binary
    file object (give `filename` then). SheetError refuses the whole file, saying why."""
    from dudao.core.spreadsheets import read_table

    raw = _source_bytes(source)
    headers = (*columns, *_optional_present(raw, optional))
    if isinstance(source, (str, Path)):
        filename = filename or Path(source).name
    rows = read_table(source, headers, filename=filename, allow_csv=True)
    return [(number, {k: cell(v) for k, v in record.items()}) for number, record in rows]


def read_framework_file(source, *, filename: str | None = None) -> FrameworkSpec:
    """The framework in a CSV or XLSX file (columns COLUMNS, optionally OPTIONAL_COLUMNS);
    FrameworkInvalid with every problem (a file that cannot be read: one error, row None)."""
    from dudao.core.spreadsheets import SheetError

    try:
        rows = read_sheet(source, COLUMNS, OPTIONAL_COLUMNS, filename=filename)
    except SheetError as exc:
        raise FrameworkInvalid([file_error(exc)]) from None
    return parse_framework_rows(rows)


def file_error(exc) -> RowError:
    """A SheetError (already in the user's language) as a RowError without a row."""
    return RowError(None, "", exc.code, "%(message)s", message=exc.message)


__all__ = [
    "ALL_COLUMNS",
    "COLUMNS",
    "METHODS",
    "OPTIONAL_COLUMNS",
    "EngineError",
    "FrameworkInvalid",
    "FrameworkSpec",
    "IndicatorSpec",
    "InputInvalid",
    "RowError",
    "format_levels",
    "parse_framework_rows",
    "parse_levels",
    "read_framework_file",
    "read_sheet",
]
