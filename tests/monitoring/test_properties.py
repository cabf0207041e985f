"""Property tests (hypothesis) of the CV and the split."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dudao.monitoring.engine import evaluate, weighted_stats
from dudao.monitoring.inputs import SchoolData

from .helpers import school

values = st.lists(st.floats(0.5, 1e5), min_size=2, max_size=30)
enrolments = st.lists(st.integers(1, 5000), min_size=2, max_size=30)


def _pairs(xs, ps):
    n = min(len(xs), len(ps))
    return np.array(xs[:n])[:, None], np.array(ps[:n], dtype=float)


@settings(deadline=None)
@given(values, enrolments, st.floats(0.001, 1000), st.booleans())
def test_cv_unchanged_when_every_value_is_scaled(xs, ps, factor, weighted):
    x, p = _pairs(xs, ps)
    cv = weighted_stats(x, p, weighted)[2][0]
    scaled = weighted_stats(x * factor, p, weighted)[2][0]
    assert scaled == pytest.approx(cv, rel=1e-9, abs=1e-12)


@settings(deadline=None)
@given(st.floats(0.01, 1e6), enrolments, st.booleans())
def test_cv_zero_when_all_schools_are_equal(value, ps, weighted):
    p = np.array(ps, dtype=float)
    cv = weighted_stats(np.full((len(p), 1), value), p, weighted)[2][0]
    assert cv == pytest.approx(0.0, abs=1e-9)


@settings(deadline=None)
@given(values, enrolments, st.floats(0.5, 1e5))
def test_a_school_with_zero_weight_changes_nothing(xs, ps, extra):
    x, p = _pairs(xs, ps)
    mean, _sd, cv = weighted_stats(x, p)
    mean2, _sd2, cv2 = weighted_stats(np.vstack([x, [[extra]]]), np.append(p, 0.0))
    assert mean2[0] == pytest.approx(mean[0], rel=1e-12)
    assert cv2[0] == pytest.approx(cv[0], rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3000), st.integers(1, 3000), st.integers(0, 10**6))
def test_splitting_a_nine_year_school_follows_1_to_1_1(primary, junior, area):
    data = SchoolData.from_records(
        [school("N", "九年一贯制学校", enrol_primary=primary, enrol_junior=junior, floor_area=area)]
    )
    result = evaluate(data, "basic-2012")
    p = result.levels["primary"].school("N")
    j = result.levels["junior"].school("N")
    # shares A/(A+1.1B) and 1.1B/(A+1.1B); per pupil the junior part has 1.1× the primary's
    assert p.share == pytest.approx(primary / (primary + 1.1 * junior))
    assert j.share == pytest.approx(1.1 * junior / (primary + 1.1 * junior))
    assert p.share + j.share == pytest.approx(1.0)
    assert j.values["floor_area"] == pytest.approx(1.1 * p.values["floor_area"], abs=1e-9)
    assert p.values["floor_area"] * primary + j.values["floor_area"] * junior == pytest.approx(area)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), st.integers(0, 10**6)), min_size=1, max_size=20))
def test_weighted_mean_is_county_total_over_total_enrolment(schools):
    records = [school(f"S{i}", enrol_primary=p, floor_area=a) for i, (p, a) in enumerate(schools)]
    result = evaluate(SchoolData.from_records(records), "basic-2012")
    total_area = sum(a for _p, a in schools)
    total_pupils = sum(p for p, _a in schools)
    assert result.levels["primary"].indicator("floor_area").mean == pytest.approx(
        total_area / total_pupils, rel=1e-12, abs=1e-12
    )
