"""The pinned clock (a pytest plugin, loaded by tests/conftest.py).

Tests never read the wall clock. Every test runs with time pinned by time-machine at
`DEFAULT_NOW` (it ticks from there, so durations still pass), and factories derive every date
from `timezone.now()` / `timezone.localdate()` under that pin.

Date-sensitive tests run at every day in `TODAYS` instead: mark them (or their module) with
`@pytest.mark.any_day` and the `clock_now` fixture is parametrised over those moments, before
any other fixture is built, so fixtures and test see the same "today". `clock` gives the
test the time-machine traveller (`clock.shift(...)`, `clock.move_to(...)`).
"""

import datetime
import zoneinfo

import pytest
import time_machine

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def moment(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# A Monday in term time, mid-morning: the default for tests that are not about dates.
DEFAULT_NOW = moment(2026, 11, 23)

# The days a date-sensitive test must pass on (ids name why each one is there).
TODAYS = {
    "first-of-month": moment(2026, 12, 1),
    "last-of-month": moment(2027, 3, 31, 16),
    "new-year": moment(2027, 1, 1),
    "leap-day": moment(2028, 2, 29),
    "summer-holiday": moment(2027, 8, 10),
    "winter-holiday": moment(2027, 2, 2),
    "monday": moment(2026, 11, 30, 9),
    "sunday": moment(2027, 5, 16, 15),
    # 00:30 in Beijing is still the day before in UTC (16:30 on 30 November).
    "half-past-midnight": moment(2026, 12, 1, 0, 30),
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "any_day: run at every day of tests.clock.TODAYS (month ends, 1 January, 29 February, "
        "holidays, a Sunday, 00:30 Asia/Shanghai)",
    )


def pytest_generate_tests(metafunc):
    if "clock_now" in metafunc.fixturenames and metafunc.definition.get_closest_marker("any_day"):
        metafunc.parametrize(
            "clock_now", list(TODAYS.values()), ids=list(TODAYS), indirect=True, scope="function"
        )


@pytest.fixture
def clock_now(request) -> datetime.datetime:
    """The moment this test runs at: `DEFAULT_NOW`, or each of `TODAYS` under `any_day`."""
    return getattr(request, "param", DEFAULT_NOW)


@pytest.fixture(autouse=True)
def clock(clock_now):
    """Pin the clock before anything else is built; yields the traveller."""
    with time_machine.travel(clock_now, tick=True) as traveller:
        yield traveller


@pytest.fixture
def today(clock) -> datetime.date:
    """Today in Asia/Shanghai under the pinned clock."""
    from django.utils import timezone

    return timezone.localdate()
