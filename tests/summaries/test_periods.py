"""Half-year and year boundaries (docs/rules.md §30), on every pinned day."""

import datetime

import pytest

from dudao.summaries import periods

D = datetime.date


@pytest.mark.any_day
def test_the_default_period_is_the_one_most_recently_due(today):
    period = periods.default_period(today)
    if 6 <= today.month <= 11:
        assert period == periods.first_half(today.year)
    elif today.month == 12:
        assert period == periods.whole_year(today.year)
    else:
        assert period == periods.whole_year(today.year - 1)
    assert period.first.month == 1 and period.first.day == 1
    assert period.first <= period.last
    # A summary is never of a period that has not begun.
    assert period.first <= today


@pytest.mark.any_day
def test_parsing_falls_back_to_the_default(today):
    default = periods.default_period(today)
    for params in (
        {},
        {"period": "h1", "year": "abc"},
        {"period": "year", "year": "1999"},
        {"period": "range", "first": "2026-05-01", "last": "2026-04-30"},
        {"period": "range", "first": "2020-01-01", "last": "2026-01-01"},
        {"period": "range", "first": "2026-13-01", "last": "2026-12-31"},
        {"period": "h2", "year": "2026"},
    ):
        assert periods.parse(params, today) == default, params


def test_half_year_and_year_boundaries():
    h1 = periods.first_half(2028)
    assert (h1.first, h1.last) == (D(2028, 1, 1), D(2028, 6, 30))
    year = periods.whole_year(2028)
    assert (year.first, year.last) == (D(2028, 1, 1), D(2028, 12, 31))
    assert D(2028, 2, 29) <= h1.last
    parsed = periods.parse(
        {"period": "range", "first": "2026-03-01", "last": "2026-05-31"}, D(2026, 11, 23)
    )
    assert (parsed.kind, parsed.first, parsed.last) == ("range", D(2026, 3, 1), D(2026, 5, 31))
    assert periods.parse(parsed.params(), D(2026, 11, 23)) == parsed
    assert periods.parse(h1.params(), D(2026, 11, 23)) == h1


def test_labels_read_as_offices_write_them():
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = (periods.first_half(2026).label, periods.whole_year(2026).label)
    assert labels == ("2026年上半年", "2026年") or labels[0].startswith("first half")


@pytest.mark.any_day
@pytest.mark.django_db
def test_visits_fall_on_the_right_side_of_each_boundary(world, today):
    from dudao.summaries import figures
    from tests.factories_supervision import VisitFactory, at

    year = today.year
    for day in (D(year - 1, 12, 31), D(year, 1, 1), D(year, 6, 30), D(year, 7, 1), D(year, 12, 31)):
        VisitFactory(
            school=world.school,
            inspector=world.inspector,
            created_by=world.admin,
            visited_at=at(day),
        )
    subject = figures.subject_for(world.admin, "office")
    counts = {
        name: figures.compute(world.admin, subject, period, today).values["visits"]
        for name, period in (
            ("h1", periods.first_half(year)),
            ("year", periods.whole_year(year)),
            ("last year", periods.whole_year(year - 1)),
            ("new year's day", periods.day_range(D(year, 1, 1), D(year, 1, 1))),
        )
    }
    assert counts == {"h1": 2, "year": 4, "last year": 1, "new year's day": 1}
