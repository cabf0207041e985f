"""Sorting names the way people count (issue 11 §4): 第一, 第二 … 第十二责任区; 一小, 二小,
十小; 1号楼 before 10号楼. Code-point order puts 第一、第三、第二、第五、第四 (一 U+4E00, 三
U+4E09, 二 U+4E8C…) and 第十 before 第二.

`natural_key(name)` splits a name into text and numbers and reads each number: Arabic digits
(half- or full-width) and Chinese numerals (一 to 九千九百九十九: 十一, 二十, 九十九, 一百零一;
a run without 十/百/千 is read digit by digit, 一〇一 = 101). A number sorts before text at
the same place, and the text between numbers by code point, so names without numbers keep
today's order. Equal keys keep their given order (Python's sort is stable): sort by the code
or the primary key first where a tie must be broken.

Use it in Python on lists that are small or already cut (zones, a county's offices, a page of
schools): `sorted(rows, key=lambda r: natural_key(r.name))` or `natural_sorted(rows, name)`.
A list cut in SQL (a page of a thousand schools) keeps its SQL order (code): sorting only
the page would not sort the list."""

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}

# A Chinese number starts with a digit (not 〇/零, which start ordinary words such as 零陵) or
# with 十 (十小 = No. 10); 百 and 千 only continue one (千佛山 is a name, not 1000).
_NUMBER = re.compile(r"[0-9０-９]+|[一二三四五六七八九十][〇零一二三四五六七八九十百千]*")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def chinese_number(text: str) -> int:
    """The value of a run of Chinese numerals: 十一 = 11, 二十 = 20, 一百零一 = 101; without
    a unit (十, 百, 千) digit by digit: 一〇一 = 101, 二〇二六 = 2026."""
    if not any(ch in UNITS for ch in text):
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in UNITS:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:
            digit = DIGITS[ch]
    return total + (digit or 0)


def natural_key(name) -> tuple:
    """The sort key of `name` (None sorts as ""): a tuple of (0, number) and (1, text) parts."""
    text = "" if name is None else str(name)
    parts = []
    position = 0
    for match in _NUMBER.finditer(text):
        if match.start() > position:
            parts.append((1, text[position : match.start()].casefold()))
        run = match.group()
        if run[0] in DIGITS or run[0] in UNITS:
            parts.append((0, chinese_number(run)))
        else:
            parts.append((0, int(run.translate(_FULL_WIDTH))))
        position = match.end()
    if position < len(text):
        parts.append((1, text[position:].casefold()))
    return tuple(parts)


def natural_sorted(items: Iterable[T], name: Callable[[T], object] = str) -> list[T]:
    """`items` sorted by `natural_key(name(item))`, ties in their given order."""
    return sorted(items, key=lambda item: natural_key(name(item)))
