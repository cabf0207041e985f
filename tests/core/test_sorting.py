"""Sorting the way people count (dudao/core/sorting.py, issue 11 §4): properties of the key
(hypothesis) and the lists that use it: the dashboard's rows and coverage groups, the
ledger's zone filter, the office's monthly summary."""

import itertools
import random

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from dudao.core.sorting import chinese_number, natural_key, natural_sorted
from dudao.dashboards import figures
from dudao.reports import exporter
from tests.factories import SchoolFactory, ZoneFactory


def chinese(n: int) -> str:
    """1..9999 written the way a name writes it: 十一, 二十, 九十九, 一百零一, 一千零五."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + digits[digit] + unit
            zero = False
        else:
            zero = True
    return out


ZONES = ["第一", "第三", "第二", "第五", "第四"]


def test_the_issue_s_zones():
    assert natural_sorted(ZONES) == ["第一", "第二", "第三", "第四", "第五"]
    assert natural_sorted(["第十二责任区", "第二责任区", "第十责任区", "第一责任区"]) == [
        "第一责任区",
        "第二责任区",
        "第十责任区",
        "第十二责任区",
    ]
    assert natural_sorted(["十小", "二小", "一小", "三小"]) == ["一小", "二小", "三小", "十小"]
    assert natural_sorted(["10号楼", "2号楼", "１号楼"]) == ["１号楼", "2号楼", "10号楼"]


NUMBERS = [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("九十九", 99), ("一百零一", 101)]
NUMBERS += [("一〇一", 101), ("二〇二六", 2026), ("一千零五", 1005), ("三百二十", 320)]


@pytest.mark.parametrize(("text", "value"), NUMBERS)
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


def test_words_that_are_not_numbers_keep_their_order():
    # 千佛山 and 零陵 are names (a number starts with 一..九 or 十), plain names by code point.
    assert natural_key("千佛山小学") == ((1, "千佛山小学"),)
    assert natural_key("零陵小学") == ((1, "零陵小学"),)
    assert natural_key(None) == natural_key("") == ()
    plain = ["实验小学", "城东中学", "湖滨小学"]
    assert natural_sorted(plain) == sorted(plain)


@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=40))
def test_zones_1_to_99_sort_by_number(numbers):
    names = [f"第{chinese(n)}责任区" for n in numbers]
    assert [chinese_number(name[1:-3]) for name in natural_sorted(names)] == sorted(numbers)


@given(st.integers(min_value=1, max_value=9999))
def test_every_number_reads_back(n):
    assert natural_key(chinese(n)) == ((0, n),)
    assert natural_key(str(n)) == ((0, n),)


@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=40), st.randoms())
def test_arabic_and_chinese_agree_and_ties_are_stable(numbers, rnd):
    """第3 and 第三 tie: the sort keeps them in their given order (stable)."""
    items = [
        (f"第{chinese(n)}责任区" if rnd.random() < 0.5 else f"第{n}责任区", i)
        for i, n in enumerate(numbers)
    ]
    ordered = natural_sorted(items, lambda item: item[0])
    keys = [natural_key(name) for name, _i in ordered]
    assert keys == sorted(keys)
    for (a, i), (b, j) in itertools.pairwise(ordered):
        if natural_key(a) == natural_key(b):
            assert i < j


@given(st.lists(st.text(alphabet="第一二三十百小中学区0123456789号 ", max_size=8), max_size=30))
def test_the_key_is_a_total_order(names):
    """Any names compare (numbers and text never meet in one comparison) and sorting twice
    changes nothing."""
    once = natural_sorted(names)
    assert natural_sorted(once) == once
    shuffled = list(names)
    random.Random(0).shuffle(shuffled)
    assert [natural_key(n) for n in natural_sorted(shuffled)] == [natural_key(n) for n in once]


# --- where it is used -----------------------------------------------------------------------


@pytest.fixture
def zones(world):
    """Four more zones of county A, created out of counting order."""
    made = {
        name: ZoneFactory(office=world.office, name=name)
        for name in ("第三责任区", "第十二责任区", "第二责任区", "第十责任区")
    }
    for zone in made.values():
        SchoolFactory(office=world.office, zone=zone)
    return made


def test_county_dashboard_rows_and_groups_in_counting_order(world, zones):
    scope = figures.scope_for(world.admin)
    data = figures.dashboard(scope, 2026, 11)
    expected = ["第一责任区", "第二责任区", "第三责任区", "第十责任区", "第十二责任区"]
    assert [row["name"] for row in data["rows"] if row["id"]] == expected
    assert [g["name"] for g in data["coverage"]["groups"] if g["id"]] == expected


def test_zone_dashboard_schools_in_counting_order(world):
    for name in ("十小", "二小", "三小"):
        SchoolFactory(office=world.office, zone=world.zone, name=name)
    scope = figures.scope_for(world.admin, zone=world.zone)
    data = figures.dashboard(scope, 2026, 11)
    names = [row["name"] for row in data["rows"]]
    assert names.index("二小") < names.index("三小") < names.index("十小")
    unvisited = [s["name"] for s in data["coverage"]["unvisited"]]
    assert unvisited.index("二小") < unvisited.index("三小") < unvisited.index("十小")


def test_ledger_zone_filter_in_counting_order(world, client, zones):
    client.force_login(world.admin)
    body = client.get(reverse("rectification:ledger")).content.decode()
    positions = [
        body.index(f">{name}</option>")
        for name in ("第一责任区", "第二责任区", "第三责任区", "第十责任区", "第十二责任区")
    ]
    assert positions == sorted(positions)


def test_office_summary_zones_in_counting_order(world, zones):
    report = exporter.build("office_monthly", world.admin, world.office, 2026, 10)
    by_zone = next(
        t for s in report.sections for t in s.tables if t.rows and t.rows[0][0] == "第一责任区"
    )
    assert [row[0] for row in by_zone.rows][:5] == [
        "第一责任区",
        "第二责任区",
        "第三责任区",
        "第十责任区",
        "第十二责任区",
    ]
