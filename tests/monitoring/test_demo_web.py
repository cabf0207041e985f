"""The demo's resource figures on the real demo county (the step seed_demo runs)."""

import pytest

from dudao.demo.generator import MIN_SCHOOLS, DemoBuilder, DemoScope
from dudao.monitoring import demo, services
from dudao.monitoring.models import SchoolResources

pytestmark = pytest.mark.django_db


def test_demo_step_gives_three_years_with_something_to_show():
    # seed_demo's "balance monitoring" step runs as part of the builder.
    ctx = DemoBuilder(seed=3, schools=MIN_SCHOOLS, skip=("supervision",)).build()
    office = ctx.main.office
    assert services.years_with_data(office) == [2023, 2024, 2025]
    compulsory = [
        s for s in ctx.main.schools if s.is_active and s.type in services.TYPE_FROM_SCHOOL
    ]
    assert SchoolResources.all_objects.filter(office=office, year=2025).count() == len(compulsory)
    quality = services.default_ruleset(office, "quality")
    basic = services.default_ruleset(office, "basic")
    for year in (2023, 2024, 2025):
        result = services.evaluate_year(office, year, quality)  # every row passes the checks
        services.evaluate_year(office, year, basic)
    first = services.evaluate_year(office, 2023, quality)
    assert sum(len(lv.failing_schools) for lv in first.levels.values()) >= 1
    assert result.excluded  # teaching points are listed as left out
    demo.reset_step(DemoScope.current())
    assert not SchoolResources.all_objects.exists()
