"""The 双随机 draw (docs/rules.md §21): `dudao.campaigns.draw`, pure Python.

A golden example checkable by hand (`printf '%s' '<seed>|school|<code>' | sha256sum`), the
largest-remainder shares and the half-up percentage computed by hand, the refusals, and
property tests: the same seed and lists give the same draw whatever their order; recusal, the
employer, exclude-own and the team size are never violated; the loads are as even as any
assignment could make them (brute force on small cases), within one without conflicts."""

import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dudao.campaigns.draw import (
    DrawError,
    InspectorRow,
    SchoolRow,
    Target,
    draw,
    largest_remainder,
    round_half_up,
    school_key,
    sha_key,
    stratum_key,
    team_key,
)

SEED = "临教督〔2026〕3号"


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the tests' settings speak Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


SCHOOLS = [
    SchoolRow("3301000001", "一小", "小学", "城区", "D2"),
    SchoolRow("3301000002", "二小", "小学", "城区", "D3"),
    SchoolRow("3301000003", "一中", "初中", "城区", ""),
    SchoolRow("3301000004", "二中", "初中", "城区", "D1"),
    SchoolRow("3301000005", "三小", "小学", "乡镇", ""),
    SchoolRow("3301000006", "三中", "初中", "乡镇", "D2"),
]
INSPECTORS = [
    InspectorRow("D1", "张", "3301000003"),
    InspectorRow("D2", "李", ""),
    InspectorRow("D3", "王", ""),
]


def codes(result):
    return [t.school for t in result.targets]


# ---- the golden example ---------------------------------------------------------------------


def test_the_keys_are_sha256_of_the_documented_texts():
    # printf '%s' 'abc' | sha256sum
    assert sha_key("a", "b", "c") == sha_key("a|b|c")
    assert sha_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert school_key(SEED, "3301000001") == sha_key(f"{SEED}|school|3301000001")
    assert stratum_key(SEED, "城区") == sha_key(f"{SEED}|stratum|城区")
    assert team_key(SEED, "3301000006", "D3") == sha_key(f"{SEED}|team|3301000006|D3")


def test_golden_example():
    # The schools' keys (first 8 hex digits): 03 1b88611e, 06 1cbede01, 05 1d308f32,
    # 02 248342f1, 04 4623ad9e, 01 a3b1b503.
    assert [school_key(SEED, s.code)[:8] for s in SCHOOLS] == [
        "a3b1b503",
        "248342f1",
        "1b88611e",
        "4623ad9e",
        "1d308f32",
        "1cbede01",
    ]
    # Without strata: the three smallest keys, in key order.
    result = draw(SCHOOLS, INSPECTORS, seed=SEED, count=3)
    assert codes(result) == ["3301000003", "3301000006", "3301000005"]
    assert all(t.inspectors == () for t in result.targets)

    # By zone: 城区 4 schools, 乡镇 2; 3 targets → 3×4/6 = 2 and 3×2/6 = 1. 城区's smallest
    # keys are 03 and 02, 乡镇's is 06; listed in key order.
    # Teams of 2: D1 is employed by 03. 03 → D2, D3 (the only free ones). 06: loads D1 0,
    # D2 1, D3 1 → D1, then D3 (team keys of 06: D3 1ee8fa75 < D2 b1078711). 02: loads D1 1,
    # D2 1, D3 2 → D1, D2. Each team is listed in team-key order (03: D2 2175e03a, D3
    # 71117d7d; 06: D3 1ee8fa75, D1 dc4b3b26; 02: D2 0a9d2f07, D1 2ac62d26).
    result = draw(SCHOOLS, INSPECTORS, seed=SEED, count=3, strata="zone", team_size=2)
    assert result.to_dict() == {
        "seed": SEED,
        "targets": [
            {"school": "3301000003", "inspectors": ["D2", "D3"]},
            {"school": "3301000006", "inspectors": ["D3", "D1"]},
            {"school": "3301000002", "inspectors": ["D2", "D1"]},
        ],
    }
    assert result.targets[0] == Target("3301000003", ("D2", "D3"))
    assert result.loads == {"D1": 2, "D2": 2, "D3": 2}
    assert [(s.name, s.size, s.drawn) for s in result.shares] == [("乡镇", 2, 1), ("城区", 4, 2)]
    assert '"seed": "临教督〔2026〕3号"' in result.to_json()


def test_exclude_own_in_the_golden_example():
    # 02's responsible inspector is D3 and 06's is D2: with --exclude-own, 06 (loads D1 0,
    # D2 1, D3 1) → D1, D3, then 02 (D1 1, D2 1; D3 excluded) → D2, D1. Unchanged here.
    result = draw(
        SCHOOLS, INSPECTORS, seed=SEED, count=3, strata="zone", team_size=2, exclude_own=True
    )
    assert [t.inspectors for t in result.targets] == [("D2", "D3"), ("D3", "D1"), ("D2", "D1")]
    # Every school with a team of 2: 01 (D2's) gets D1 and D3, 04 (D1's) D2 and D3, 03
    # (employing D1) D2 and D3; nobody checks their own school.
    result = draw(SCHOOLS, INSPECTORS, seed=SEED, count=6, team_size=2, exclude_own=True)
    for target in result.targets:
        school = next(s for s in SCHOOLS if s.code == target.school)
        assert school.responsible_inspector not in target.inspectors


def test_method_names_the_parameters():
    result = draw(SCHOOLS, INSPECTORS, seed=SEED, percent="50", strata="zone", team_size=2)
    method = result.method
    assert "dudao-draw-1" in method and SEED in method and "§21" in method
    assert "50% of 6 rounded half up" in method
    assert "乡镇 1/2; 城区 2/4" in method
    assert "2 different inspectors per school out of 3" in method
    assert "1 to 2 targets per inspector" not in method  # 3 × 2 = 6 places, 2 each
    assert "2 to 2 targets per inspector" in method
    assert "No inspectors are drawn." in draw(SCHOOLS, seed=SEED, count=1).method


# ---- counts, percentages, strata --------------------------------------------------------------


def schools(n, zone=lambda i: "", type=lambda i: ""):
    return [SchoolRow(f"33010{i:05d}", f"S{i}", type(i), zone(i)) for i in range(n)]


@pytest.mark.parametrize(
    ("percent", "eligible", "count"),
    [
        (25, 10, 3),  # 2.5 → 3 (not the banker's 2)
        (15, 10, 2),  # 1.5 → 2
        (5, 10, 1),  # 0.5 → 1
        ("12.5", 4, 1),  # 0.5 → 1
        (Decimal("33.3"), 3, 1),  # 0.999 → 1
        (50, 3, 2),  # 1.5 → 2
        ("10%", 24, 2),  # 2.4 → 2
        (100, 7, 7),
    ],
)
def test_a_percentage_rounds_half_up(percent, eligible, count):
    assert len(draw(schools(eligible), seed="s", percent=percent).targets) == count


def test_round_half_up():
    assert [round_half_up(Fraction(n, 2)) for n in range(6)] == [0, 1, 1, 2, 2, 3]


def test_largest_remainder_by_hand():
    # 4 of 10 over 5, 3, 2: quotas 2, 1.2, 0.8 → 2, 1, 0 and one more to the largest
    # remainder (0.8).
    assert largest_remainder({"A": 5, "B": 3, "C": 2}, 4, "s") == {"A": 2, "B": 1, "C": 1}
    # 7 of 10: 3.5, 2.1, 1.4 → 3, 2, 1 and one more: A (0.5).
    assert largest_remainder({"A": 5, "B": 3, "C": 2}, 7, "s") == {"A": 4, "B": 2, "C": 1}
    # 5 of 10: 2.5, 1.5, 1.0 → 2, 1, 1 and a tie between A and B: the smaller stratum key.
    first = min("AB", key=lambda n: stratum_key("s", n))
    shares = largest_remainder({"A": 5, "B": 3, "C": 2}, 5, "s")
    assert shares == {"A": 2 + (first == "A"), "B": 1 + (first == "B"), "C": 1}
    # Everything, nothing left over.
    assert largest_remainder({"A": 5, "B": 3, "C": 2}, 10, "s") == {"A": 5, "B": 3, "C": 2}


def test_strata_draw_each_share_from_its_stratum():
    rows = schools(10, type=lambda i: "小学" if i < 5 else ("初中" if i < 8 else "九年一贯制学校"))
    result = draw(rows, seed="s", count=4, strata="type")
    types = {s.code: s.type for s in rows}
    drawn = [types[c] for c in codes(result)]
    assert (drawn.count("小学"), drawn.count("初中"), drawn.count("九年一贯制学校")) == (2, 1, 1)
    for name in ("小学", "初中", "九年一贯制学校"):
        members = sorted((s.code for s in rows if s.type == name), key=lambda c: school_key("s", c))
        taken = [c for c in members if c in codes(result)]
        assert taken == members[: len(taken)]
    assert codes(result) == sorted(codes(result), key=lambda c: school_key("s", c))


def test_a_blank_zone_is_a_stratum_of_its_own():
    rows = schools(4, zone=lambda i: "" if i < 2 else "城区")
    result = draw(rows, seed="s", count=2, strata="zone")
    zones = {s.code: s.zone for s in rows}
    assert sorted(zones[c] for c in codes(result)) == ["", "城区"]
    assert "(blank) 1/2" in result.method


# ---- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"count": 7}, "too_many"),
        ({"count": 0}, "count"),
        ({"count": "2.5"}, "count"),
        ({"count": True}, "count"),
        ({"percent": 0}, "percent"),
        ({"percent": "101"}, "percent"),
        ({"percent": "NaN"}, "percent"),
        ({"percent": "abc"}, "percent"),
        ({"percent": 1}, "percent_none"),  # 0.06 of a school
        ({}, "how_many"),
        ({"count": 1, "percent": 10}, "how_many"),
        ({"count": 1, "strata": "region"}, "strata"),
        ({"count": 1, "team_size": -1}, "team_size"),
        ({"count": 1, "team_size": 4}, "team_too_large"),
        ({"count": 1, "seed": " "}, "seed"),
    ],
)
def test_impossible_requests_are_refused(kwargs, code):
    kwargs = {"seed": SEED, **kwargs}
    with pytest.raises(DrawError) as caught:
        draw(SCHOOLS, INSPECTORS, **kwargs)
    assert caught.value.code == code
    assert str(caught.value)  # a message, English without translations


def test_schools_without_a_possible_team_are_left_out():
    # Teams of 3 out of 3 inspectors: 03 employs D1, so no team can be formed there; and a
    # recorded conflict leaves 05 out too.
    result = draw(SCHOOLS, INSPECTORS, [("D2", "3301000005")], seed=SEED, count=4, team_size=3)
    assert result.left_out == ("3301000003", "3301000005")
    assert "3301000003" not in codes(result) and "3301000005" not in codes(result)
    with pytest.raises(DrawError) as caught:
        draw(SCHOOLS, INSPECTORS, [("D2", "3301000005")], seed=SEED, count=5, team_size=3)
    assert caught.value.code == "too_many"
    assert str(caught.value) == (
        "5 schools are asked for, but only 4 of the 6 can be drawn: at 2, fewer than 3 "
        "inspectors are free of conflict."
    )
    # The percentage is of the schools that can be drawn: 50% of 4.
    assert (
        len(
            draw(
                SCHOOLS, INSPECTORS, [("D2", "3301000005")], seed=SEED, percent=50, team_size=3
            ).targets
        )
        == 2
    )


def test_duplicates_are_refused():
    with pytest.raises(DrawError, match="3301000001") as caught:
        draw([*SCHOOLS, SCHOOLS[0]], INSPECTORS, seed=SEED, count=1)
    assert caught.value.code == "duplicate_school"
    with pytest.raises(DrawError) as caught:
        draw(SCHOOLS, [*INSPECTORS, InspectorRow("D1")], seed=SEED, count=1)
    assert caught.value.code == "duplicate_inspector"


def test_messages_are_translated_when_django_is_set_up():
    from django.utils import translation

    error = DrawError("seed", "The seed is empty.")
    with translation.override("en"):
        assert str(error) == "The seed is empty."
    assert error.template == "The seed is empty." and error.params == {}


# ---- properties -------------------------------------------------------------------------------


SOME_CONFLICTS = st.floats(0, 0.4)


@st.composite
def cases(draw_, max_schools=12, max_inspectors=8, conflict_rate=SOME_CONFLICTS):
    n_schools = draw_(st.integers(1, max_schools))
    n_inspectors = draw_(st.integers(0, max_inspectors))
    zones = ["城区", "乡镇", ""]
    types = ["小学", "初中"]
    ids = [f"D{i}" for i in range(n_inspectors)]
    school_codes = [f"33010000{i:02d}" for i in range(n_schools)]
    rows = [
        SchoolRow(
            code,
            f"S{i}",
            draw_(st.sampled_from(types)),
            draw_(st.sampled_from(zones)),
            draw_(st.sampled_from(["", *ids])),
        )
        for i, code in enumerate(school_codes)
    ]
    inspectors = [InspectorRow(i, "", draw_(st.sampled_from(["", "", *school_codes]))) for i in ids]
    rate = draw_(conflict_rate)
    rnd = random.Random(draw_(st.integers(0, 2**32)))
    conflicts = {(i, c) for i in ids for c in school_codes if rnd.random() < rate}
    params = {
        "seed": draw_(st.text(min_size=1, max_size=12).filter(str.strip)),
        "strata": draw_(st.sampled_from([None, "zone", "type"])),
        "team_size": draw_(st.integers(0, min(3, n_inspectors))),
        "exclude_own": draw_(st.booleans()),
    }
    if draw_(st.booleans()):
        params["count"] = draw_(st.integers(1, n_schools))
    else:
        params["percent"] = draw_(st.sampled_from([10, 25, "33.3", 50, "62.5", 100]))
    return rows, inspectors, conflicts, params


def attempt(rows, inspectors, conflicts, params):
    try:
        return draw(rows, inspectors, conflicts, **params)
    except DrawError as exc:
        assert exc.code in ("too_many", "percent_none")
        return None


def free_for(school, inspector, conflicts, exclude_own):
    return (
        (inspector.id, school.code) not in conflicts
        and inspector.employer_school_code != school.code
        and not (exclude_own and school.responsible_inspector == inspector.id)
    )


@settings(max_examples=150, deadline=None)
@given(cases())
def test_the_same_seed_and_lists_give_the_same_draw_in_any_order(case):
    rows, inspectors, conflicts, params = case
    result = attempt(rows, inspectors, conflicts, params)
    shuffled = random.Random(1)
    rows2, inspectors2 = rows[:], inspectors[:]
    shuffled.shuffle(rows2)
    shuffled.shuffle(inspectors2)
    again = attempt(rows2, inspectors2, list(conflicts), params)
    assert (result and result.to_dict()) == (again and again.to_dict())
    if result:
        assert (result.eligible, result.left_out, result.loads, result.method) == (
            again.eligible,
            again.left_out,
            again.loads,
            again.method,
        )


@settings(max_examples=200, deadline=None)
@given(cases())
def test_the_rules_are_never_broken(case):
    rows, inspectors, conflicts, params = case
    result = attempt(rows, inspectors, conflicts, params)
    if result is None:
        return
    by_code = {s.code: s for s in rows}
    by_id = {i.id: i for i in inspectors}
    drawn = codes(result)
    assert len(drawn) == len(set(drawn)) == result.count
    if "percent" in params:
        assert result.count == round_half_up(
            Fraction(Decimal(str(params["percent"]))) * len(result.eligible) / 100
        )
    k = params["team_size"]
    for target in result.targets:
        school = by_code[target.school]
        assert len(target.inspectors) == len(set(target.inspectors)) == k
        for inspector in target.inspectors:
            assert free_for(school, by_id[inspector], conflicts, params["exclude_own"])
    # Left out exactly the schools with fewer than k free inspectors.
    for school in rows:
        free = sum(free_for(school, i, conflicts, params["exclude_own"]) for i in inspectors)
        assert (school.code in result.left_out) == (free < k)
    # Strata: each stratum's share by largest remainder, the smallest keys within it.
    if params["strata"]:
        sizes, taken = {}, {}
        for code in result.eligible:
            name = getattr(by_code[code], params["strata"])
            sizes[name] = sizes.get(name, 0) + 1
        for code in drawn:
            name = getattr(by_code[code], params["strata"])
            taken[name] = taken.get(name, 0) + 1
        for name, size in sizes.items():
            exact = Fraction(result.count * size, len(result.eligible))
            assert int(exact) <= taken.get(name, 0) <= int(exact) + 1
        assert sum(sizes.values()) == len(result.eligible)
    else:
        keys = sorted(result.eligible, key=lambda c: school_key(params["seed"], c))
        assert set(drawn) == set(keys[: result.count])


@settings(max_examples=100, deadline=None)
@given(cases(max_schools=30, max_inspectors=12, conflict_rate=st.just(0)))
def test_without_conflicts_the_loads_differ_by_one_at_most(case):
    rows, inspectors, _conflicts, params = case
    params["exclude_own"] = False
    rows = [SchoolRow(s.code, s.name, s.type, s.zone) for s in rows]
    inspectors = [InspectorRow(i.id) for i in inspectors]
    result = attempt(rows, inspectors, set(), params)
    if result is None or not params["team_size"]:
        return
    assert max(result.loads.values()) - min(result.loads.values()) <= 1
    assert sum(result.loads.values()) == result.count * params["team_size"]


def best_spread(targets, free, ids, k):
    """The smallest busiest-minus-least-busy of any assignment (brute force)."""
    best = None
    for teams in itertools.product(*(itertools.combinations(free[t], k) for t in targets)):
        loads = dict.fromkeys(ids, 0)
        for team in teams:
            for inspector in team:
                loads[inspector] += 1
        spread = max(loads.values()) - min(loads.values())
        best = spread if best is None else min(best, spread)
    return best


@settings(max_examples=120, deadline=None)
@given(cases(max_schools=5, max_inspectors=5, conflict_rate=st.floats(0, 0.5)))
def test_the_loads_are_as_even_as_any_assignment_could_make_them(case):
    rows, inspectors, conflicts, params = case
    result = attempt(rows, inspectors, conflicts, params)
    k = params["team_size"]
    if result is None or not k:
        return
    by_code = {s.code: s for s in rows}
    free = {
        t.school: [
            i.id
            for i in inspectors
            if free_for(by_code[t.school], i, conflicts, params["exclude_own"])
        ]
        for t in result.targets
    }
    spread = max(result.loads.values()) - min(result.loads.values())
    assert spread == best_spread(codes(result), free, [i.id for i in inspectors], k)


def test_sparse_conflicts_keep_the_loads_within_one():
    # 40 schools, 12 inspectors, teams of 3, each inspector with conflicts at two schools
    # and employed by a third, everyone's own school excluded: 120 places, 10 each.
    rows = [SchoolRow(f"33010000{i:02d}", "", "", "", f"D{i % 12}") for i in range(40)]
    inspectors = [InspectorRow(f"D{i}", "", f"33010000{(3 * i) % 40:02d}") for i in range(12)]
    conflicts = {(f"D{i}", f"33010000{(i * 7 + j) % 40:02d}") for i in range(12) for j in (1, 2)}
    for seed in ("a", "b", "c", "d"):
        result = draw(
            rows, inspectors, conflicts, seed=seed, count=40, team_size=3, exclude_own=True
        )
        assert set(result.loads.values()) == {10}


def test_evening_out_moves_a_target_along_a_chain():
    # Greedy order can leave D1 with 2 and D3 with 0 when D3 may only check school C, which
    # the greedy gave to D1 first; the chain A: D1 → D2, C: D2 … is found and applied.
    rows = [SchoolRow(c) for c in ("A", "B", "C")]
    inspectors = [InspectorRow(i) for i in ("D1", "D2", "D3")]
    conflicts = {("D3", "A"), ("D3", "B")}
    for seed in map(str, range(20)):
        result = draw(rows, inspectors, conflicts, seed=seed, count=3, team_size=1)
        assert sorted(result.loads.values()) == [1, 1, 1], seed
        assert {t.school: t.inspectors for t in result.targets}["C"] == ("D3",)


def test_values_are_read_as_trimmed_texts():
    # The web app may give database ids as numbers, a blank as None, texts with spaces.
    rows = [
        SchoolRow(" 3301000001 ", "一小", "小学", "城区 ", 7),
        SchoolRow("3301000002", zone="城区", responsible_inspector=None),
    ]
    inspectors = [InspectorRow(7), InspectorRow(" 8", employer_school_code=None)]
    # 01: 7 is its responsible inspector and 8 has a conflict there: left out.
    result = draw(
        rows, inspectors, {(8, "3301000001")}, seed="s", count=1, strata="zone", team_size=1,
        exclude_own=True,
    )  # fmt: skip
    assert result.left_out == ("3301000001",)
    assert [(s.name, s.size, s.drawn) for s in result.shares] == [("城区", 1, 1)]
    assert result.targets[0].school == "3301000002"
    assert result.targets[0].inspectors in (("7",), ("8",))
    assert result.loads.keys() == {"7", "8"}
