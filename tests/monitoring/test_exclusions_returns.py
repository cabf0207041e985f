"""Issue 11 §7: rule sets that leave out private schools and schools run by the province or
the city (what-if included), the import preview naming the sheet it read, the monthly return
to the city (month-end job, kept month by month, XLSX through the one exporter) and the
viewer's monitoring page opening on a county with figures (docs/rules.md §17, §19)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.guards import SYSTEM
from dudao.core.schedule import run_due
from dudao.monitoring import services
from dudao.monitoring.engine import Monitor, evaluate
from dudao.monitoring.inputs import InputRefused, SchoolData, exclusion_summary
from dudao.monitoring.models import MonthlyReturn, SchoolResources
from dudao.monitoring.rules import load_ruleset, validate, variant
from dudao.reports import exporter
from dudao.schools.models import School
from tests.clock import moment
from tests.factories import OfficeFactory, RegionFactory
from tests.reports.helpers import docx_text

from .helpers import school
from .webdata import record, seed, xlsx

pytestmark = pytest.mark.django_db


def rows_with(**who):
    """Four primary schools; `who` maps an index to (办学性质, 举办者)."""
    out = []
    for i in range(4):
        rec = school(
            f"330100000{i}",
            enrol_primary=400 + 100 * i,
            teachers_primary=30 + i,
            floor_area=2000 + 300 * i,
            sports_area=3000 + 200 * i,
            equipment_value=800000 + 90000 * i,
            computers=40 + 5 * i,
            books=9000 + 800 * i,
            multimedia_rooms=10 + i,
            qualified_primary=20,
            senior_title_primary=10,
        )
        ownership, sponsor = who.get(f"s{i}", ("", ""))
        rec["办学性质"], rec["举办者"] = ownership, sponsor
        out.append(rec)
    return out


# --- the rule sets' exclusions ------------------------------------------------------------------


def test_basic_2012_leaves_out_private_and_province_or_city_schools_by_default():
    records = rows_with(s1=("民办", "县属"), s2=("公办", "市属"), s3=("公办", "省属"))
    data = SchoolData.from_records(records, "basic-2012")
    assert data.codes == ["3301000000"]
    reasons = {e.code: (e.reason_code, e.detail) for e in data.excluded}
    assert reasons == {
        "3301000001": ("ownership", "民办"),
        "3301000002": ("sponsor", "市属"),
        "3301000003": ("sponsor", "省属"),
    }
    summary = exclusion_summary(data.excluded)
    assert [(s["label"], s["count"]) for s in summary] == [("民办", 1), ("市属", 1), ("省属", 1)]
    # quality-2017 keeps them (its exclusions name no ownership or sponsor)
    assert len(SchoolData.from_records(records, "quality-2017")) == 4


def test_exclusions_are_data_an_office_can_change():
    rules = variant("basic-2012", {"exclusions": {"ownership": [], "sponsors": ["省属"]}})
    data = SchoolData.from_records(rows_with(s1=("民办", ""), s2=("", "市属")), rules)
    assert len(data) == 4
    data = SchoolData.from_records(rows_with(s3=("", "省属")), rules)
    assert [e.reason_code for e in data.excluded] == ["sponsor"]
    assert validate({**load_ruleset("basic-2012").data, "exclusions": {"ownership": ["x"]}})


def test_the_what_if_keeps_excluded_schools_out_and_reapplies_the_minimum():
    rules = variant(
        "basic-2012",
        {"exclusions": {"min_enrolment": 450, "min_enrolment_school_types": ["小学"]}},
    )
    data = SchoolData.from_records(rows_with(s3=("民办", "")), rules)
    assert data.codes == ["3301000001", "3301000002"]  # 400 students < 450; 民办
    monitor = Monitor(data, rules, 2025)
    with pytest.raises(InputRefused) as refused:
        monitor.what_if({"3301000003": {"小学专任教师数": 3}})
    assert refused.value.errors[0].code == "excluded"
    after = monitor.what_if({"3301000002": {"小学在校生数": -200}})  # 600 → 400 < 450
    assert [e.code for e in after.excluded if e.reason_code == "min_enrolment"] == [
        "3301000000",
        "3301000002",
    ]
    edited = rows_with(s3=("民办", ""))
    edited[2]["enrol_primary"] -= 200
    fresh = evaluate(SchoolData.from_records(edited, rules), rules, 2025)
    assert after.to_dict()["levels"] == fresh.to_dict()["levels"]


def make_private(world):
    School.all_objects.filter(pk=world.zone_school.pk).update(ownership="private")


def test_the_evaluation_page_and_report_say_how_many_were_left_out_and_why(world, client):
    seed(world)
    make_private(world)
    resources = SchoolResources.objects.unscoped().get(school=world.far_school, year=2025)
    services.save_resources(
        world.admin, world.far_school, 2025, resources.figures(), sponsor="市属"
    )
    ruleset = services.default_ruleset(world.office, "basic")
    result = services.evaluate_year(world.office, 2025, ruleset)
    assert {(e.code, e.reason_code) for e in result.excluded} == {
        (world.zone_school.code, "ownership"),
        (world.far_school.code, "sponsor"),
    }
    client.force_login(world.admin)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("monitoring:evaluation", args=[2025, ruleset.pk]))
    body = page.content.decode()
    assert 'data-excluded="2"' in body and "民办 1、市属 1" in body
    report = client.get(reverse("monitoring:report_docx", args=[2025, ruleset.pk]))
    assert "民办 1、市属 1" in docx_text(report.content)


def test_a_new_year_keeps_the_schools_sponsor(world):
    seed(world, years=(2025,))
    row = SchoolResources.objects.unscoped().get(school=world.school, year=2025)
    services.save_resources(world.admin, world.school, 2025, row.figures(), sponsor="省属")
    new, _changed = services.save_resources(world.admin, world.school, 2026, row.figures())
    assert new.sponsor == "省属"
    with pytest.raises(DomainError):
        services.save_resources(world.admin, world.school, 2026, row.figures(), sponsor="x")


# --- the sheet the import reads ----------------------------------------------------------------


def test_the_preview_names_the_sheet_read_and_the_others(world, tmp_path, client):
    content, name = xlsx([record(world.school)], tmp_path)
    job = services.import_preview(world.admin, 2025, io.BytesIO(content), name)
    assert job.params["sheets"] == ["学校资源数据", "填写说明"]
    client.force_login(world.admin)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("monitoring:import_preview", args=[job.pk])).content.decode()
    assert 'data-sheet="学校资源数据"' in body and "填写说明" in body


def test_a_csv_has_no_sheets(world):
    header = "学校标识码,学校名称\n"
    job = services.import_preview(world.admin, 2025, io.BytesIO(header.encode()), "a.csv")
    assert job.params["sheets"] == []


# --- the monthly return to the city ------------------------------------------------------------


def test_a_return_is_idempotent_while_the_month_is_open_and_kept_once_it_ends(world, clock):
    seed(world)
    item, outcome = services.take_monthly_return(world.admin, world.office)
    assert outcome == "created" and item.month == datetime.date(2026, 11, 1)
    assert item.year == 2025 and item.school_count == 3
    assert set(item.figures["results"]) == {"basic", "quality"}
    assert services.take_monthly_return(world.admin, world.office)[1] == "unchanged"
    row = SchoolResources.objects.unscoped().get(school=world.school, year=2025)
    figures = {**row.figures(), "books": row.books + 1000}
    services.save_resources(world.admin, world.school, 2025, figures)
    item, outcome = services.take_monthly_return(world.admin, world.office)
    assert outcome == "replaced" and item.version == 2
    assert MonthlyReturn.objects.unscoped().filter(office=world.office).count() == 1
    clock.move_to(moment(2026, 12, 2))
    services.save_resources(world.admin, world.school, 2025, {**figures, "books": 1})
    december, outcome = services.take_monthly_return(world.admin, world.office)
    assert outcome == "created" and december.month == datetime.date(2026, 12, 1)
    november = MonthlyReturn.objects.unscoped().get(
        office=world.office, month=datetime.date(2026, 11, 1)
    )
    assert november.version == 2 and november.figures != december.figures  # kept as it was


def test_taking_a_return_is_the_office_admins_and_needs_figures(world):
    with pytest.raises(DomainError):
        services.take_monthly_return(world.admin, world.office)  # no figures yet
    seed(world)
    for user in (world.viewer, world.other_admin, world.superuser, world.inspector_user):
        with pytest.raises(NotPermitted):
            services.take_monthly_return(user, world.office)
    assert not MonthlyReturn.objects.unscoped().exists()
    services.take_monthly_return(world.admin, world.office)
    assert AuditEntry.objects.unscoped().filter(target_type="monitoring.MonthlyReturn").count()


@pytest.mark.parametrize(
    "last_day",
    [moment(2028, 2, 29, 22, 5), moment(2026, 12, 31, 22, 5), moment(2027, 4, 30, 23, 59)],
    ids=["leap-day", "new-years-eve", "april"],
)
def test_the_month_end_job_takes_the_return_on_the_last_day(world, clock, settings, last_day):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    seed(world)
    day_before = last_day - datetime.timedelta(days=1)
    clock.move_to(day_before)
    assert "monitoring_monthly_return" in run_due(day_before)
    assert not MonthlyReturn.objects.unscoped().exists()  # not the last day: nothing
    clock.move_to(last_day)
    assert "monitoring_monthly_return" in run_due(last_day)
    item = MonthlyReturn.objects.unscoped().get()
    assert item.month == last_day.date().replace(day=1)
    assert item.source == MonthlyReturn.Source.SCHEDULE and item.taken_by is None
    assert services.take_month_end_returns(last_day.date())["unchanged"] == 1
    assert MonthlyReturn.objects.unscoped().count() == 1


@pytest.mark.any_day
def test_the_job_acts_only_on_the_last_day_of_the_month(world, today):
    seed(world)
    counts = services.take_month_end_returns()
    last = (today + datetime.timedelta(days=1)).month != today.month
    assert services.is_last_day_of_month(today) == last
    assert sum(counts.values()) == (1 if last else 0)
    assert MonthlyReturn.objects.unscoped().exists() == last


def test_the_returns_page_and_xlsx_per_role(world, client):
    seed(world)
    make_private(world)
    item, _ = services.take_monthly_return(SYSTEM, world.office)
    url = reverse("monitoring:returns")
    for user in (world.admin, world.viewer):
        client.force_login(user)
        body = client.get(url, {"office": world.office.pk}).content.decode()
        assert 'data-month="2026-11"' in body
    client.force_login(world.other_admin)
    assert 'data-month="2026-11"' not in client.get(url).content.decode()
    assert client.get(reverse("monitoring:return_xlsx", args=[item.pk])).status_code == 404
    client.force_login(world.viewer)
    response = client.get(reverse("monitoring:return_xlsx", args=[item.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_return_xlsx_has_one_row_per_level_and_indicator(world):
    from openpyxl import load_workbook

    seed(world)
    make_private(world)
    item, _ = services.take_monthly_return(SYSTEM, world.office)
    report = exporter.build("monitoring_return", world.viewer, item.pk)
    assert report.figures["excluded"] == 1
    export = exporter.export("monitoring_return", exporter.XLSX, world.viewer, item.pk)
    wb = load_workbook(io.BytesIO(export.content))
    cells = [
        [c for c in row if c is not None] for ws in wb for row in ws.iter_rows(values_only=True)
    ]
    flat = [str(c) for row in cells for c in row]
    assert "综合差异系数" in flat and "生均图书册数" in flat and "民办" in flat
    basic_rows = [row for row in cells if row and row[0] in ("小学", "初中") and len(row) >= 4]
    assert len(basic_rows) >= 9  # 8 indicators and the composite for the primary level
    with pytest.raises(Exception):  # noqa: B017 - the other county's admin: not found
        exporter.build("monitoring_return", world.other_admin, item.pk)


def test_the_viewer_opens_on_a_county_with_figures(world, client):
    city = world.office.region.parent
    empty_county = RegionFactory(code="330106", name="西湖区", level="county", parent=city)
    empty = OfficeFactory(region=empty_county, name="一区人民政府教育督导室")  # sorts first
    seed(world)
    client.force_login(world.viewer)
    response = client.get(reverse("monitoring:index"))
    assert response.context["office"] == world.office
    assert response.context["offices"].first() == empty  # still offered, not the default
    assert client.get(reverse("monitoring:index"), {"office": empty.pk}).status_code == 200
    client.force_login(world.other_admin)
    assert client.get(reverse("monitoring:index")).context["office"] == world.other_office


def test_now_is_pinned():
    assert timezone.localdate() == datetime.date(2026, 11, 23)
