"""The result as an XLSX workbook in the official layout (校际差异系数表): one row per level and
measure (平均值, 差异系数), one column per indicator, the composite (2012) or the limit and
conclusion (2017); then a sheet per level with every school's values, and the excluded schools.
Sheet and column titles are Chinese: the official format, like the input template."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from dudao.core.spreadsheets import append, new_workbook, print_setup, put, set_widths, style_header

from .engine import Result, round_half_up

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
FAIL_FILL = PatternFill("solid", fgColor="F8CBAD")


def _yes(value):
    return {True: "达标", False: "未达标", None: "—"}[value]


def _style_header(ws, row, columns):
    style_header(ws, row, columns, plain=True)


def _summary_sheet(ws, result: Result):
    ruleset = result.ruleset
    decimals = ruleset.cv_decimals
    quality = result.regime == "quality"
    indicators = ruleset.indicators
    year = f"{result.year}年" if result.year else ""
    title = f"{year}县域义务教育校际差异系数表（{result.rule_set['title']}）"
    width = 2 + len(indicators) + (2 if not quality else 1)
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    put(
        ws,
        2,
        1,
        f"规则集：{result.rule_set['name']} 版本 {result.rule_set['version']}；"
        f"差异系数{'按在校生数加权' if result.weighted_cv else '不加权'}",
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    header = ["学段", "项目"]
    for ind in indicators:
        unit = f"（{ind['unit']}）" if ind.get("unit") else ""
        header.append(f"{ind['label']}{unit}")
    header += ["综合差异系数", "结论"] if not quality else ["结论"]
    append(ws, [])
    append(ws, header)
    header_row = ws.max_row
    _style_header(ws, header_row, len(header))
    ws.row_dimensions[header_row].height = 60
    for _level, lv in result.levels.items():
        means = [round_half_up(i.mean, 2) for i in lv.indicators]
        cvs = [i.cv_rounded for i in lv.indicators]
        if quality:
            standards = [i.standard for i in lv.indicators]
            append(ws, [lv.label, "标准值", *standards, ""])
            append(ws, [lv.label, "平均值", *means, ""])
            append(ws, [lv.label, "差异系数", *cvs, _yes(lv.passed)])
            append(ws, [lv.label, "差异系数上限", *[lv.cv_threshold] * len(cvs), ""])
            append(
                ws,
                [lv.label, "达标学校数", *[i.schools_meeting_standard for i in lv.indicators], ""],
            )
            rows = 5
        else:
            composite = round_half_up(lv.composite_cv, decimals)
            append(ws, [lv.label, "平均值", *means, "", ""])
            append(ws, [lv.label, "差异系数", *cvs, composite, _yes(lv.passed)])
            append(ws, [lv.label, "综合差异系数上限", *[""] * len(cvs), lv.composite_threshold, ""])
            rows = 3
        start = ws.max_row - rows + 1
        ws.merge_cells(start_row=start, start_column=1, end_row=ws.max_row, end_column=1)
        for r in range(start, ws.max_row + 1):
            for c in range(1, len(header) + 1):
                cell = ws.cell(row=r, column=c)
                cell.border = BORDER
                cell.alignment = Alignment(horizontal="center", vertical="center")
        if quality:
            cv_row = start + 2
            for j, ind in enumerate(lv.indicators, start=3):
                if ind.passed is False:
                    ws.cell(row=cv_row, column=j).fill = FAIL_FILL
        if lv.note:
            append(ws, [lv.label, lv.note])
    append(ws, [])
    append(ws, ["县域结论", _yes(result.passed if result.levels else None)])
    if quality and result.failing_schools:
        append(ws, ["未达标学校数", len(result.failing_schools)])
    if result.excluded:
        append(ws, ["排除学校数", len(result.excluded)])
    set_widths(ws, [10, 16] + [16] * (len(header) - 2))
    print_setup(ws, landscape=True, header_rows=f"{header_row}:{header_row}", freeze="")


def _schools_sheet(ws, result: Result, level: str):
    lv = result.levels[level]
    quality = result.regime == "quality"
    keys = [i.key for i in lv.indicators]
    header = ["学校标识码", "学校名称", "学校类型", "在校生数", "拆分比例"]
    header += [f"{i.label}" for i in lv.indicators]
    if quality:
        header += ["达标项数", "未达标指标", "低于标准85%的指标", "是否达标"]
    append(ws, header)
    _style_header(ws, 1, len(header))
    print_setup(ws, landscape=True, freeze="C2")
    labels = {i.key: i.label for i in lv.indicators}
    for s in lv.schools:
        row = [s.code, s.name, s.school_type, s.enrolment, round(s.share, 4)]
        row += [round(s.values[k], 4) for k in keys]
        if quality:
            row += [
                s.met_count,
                "、".join(labels[k] for k in s.unmet),
                "、".join(labels[k] for k in s.below_share),
                _yes(s.passed),
            ]
        append(ws, row)
        if quality and not s.passed:
            ws.cell(row=ws.max_row, column=len(header)).fill = FAIL_FILL
    set_widths(ws, [14 if c != 2 else 24 for c in range(1, len(header) + 1)])


def _rules_sheet(ws, result: Result):
    """The rule set the figures come from: name, version, source, parameters and notes (the
    items marked *(unconfirmed)* are editable defaults)."""
    ruleset = result.ruleset
    append(ws, ["规则集", ruleset.name])
    append(ws, ["版本", ruleset.version])
    append(ws, ["名称", ruleset.title])
    append(ws, ["依据", ruleset.data.get("source", "")])
    append(ws, ["差异系数", "按在校生数加权" if ruleset.weighted_cv else "不加权"])
    for level, spec in ruleset.levels.items():
        limit = spec.get("composite_cv_max", spec.get("cv_max"))
        name = "综合差异系数上限" if ruleset.regime == "basic" else "差异系数上限"
        append(ws, [f"{spec.get('label', level)}{name}", limit])
    if ruleset.regime == "quality":
        rule = ruleset.school_rule
        append(ws, ["每校至少达标项数", rule.get("min_standards_met")])
        append(ws, ["其余指标不低于标准的比例", rule.get("remaining_share")])
    for school_type, ratios in ruleset.split_ratios.items():
        append(ws, [f"{school_type}拆分比例", " : ".join(f"{v:g}" for v in ratios.values())])
    exclusions = ruleset.exclusions
    append(ws, ["排除的学校类型", "、".join(exclusions.get("school_types") or []) or "无"])
    append(ws, ["排除的办学性质", "、".join(exclusions.get("ownership") or []) or "无"])
    append(ws, ["排除的举办者", "、".join(exclusions.get("sponsors") or []) or "无"])
    minimum = exclusions.get("min_enrolment")
    append(ws, ["在校生数下限", "不启用" if minimum is None else minimum])
    append(ws, [])
    append(ws, ["说明"])
    for note in ruleset.data.get("notes", []):
        append(ws, ["", note])
    set_widths(ws, [28, 100])
    print_setup(ws, header_rows="", freeze="")


def write_xlsx(result: Result, path) -> Path:
    wb = new_workbook()
    ws = wb.active
    ws.title = "校际差异系数表"
    _summary_sheet(ws, result)
    for level, lv in result.levels.items():
        _schools_sheet(wb.create_sheet(f"{lv.label}学校明细"), result, level)
    ex = wb.create_sheet("排除学校")
    append(ex, ["行号", "学校标识码", "学校名称", "学校类型", "排除原因"])
    _style_header(ex, 1, 5)
    for e in result.excluded:
        append(ex, [e.row, e.code, e.name, e.school_type, e.reason])
    set_widths(ex, [8, 14, 24, 14, 80])
    print_setup(ex, landscape=True)
    _rules_sheet(wb.create_sheet("规则说明"), result)
    path = Path(path)
    wb.save(path)
    return path
