"""The monitoring screens per role, the what-if endpoint, editing figures and rule sets."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dudao.monitoring import services
from dudao.monitoring.engine import evaluate
from dudao.monitoring.inputs import SchoolData
from dudao.monitoring.models import Evaluation, RuleSet, SchoolResources
from tests.factories import SchoolFactory

from .webdata import figures, seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world):
    seed(world)
    return world


def rs(world, regime="basic"):
    return services.default_ruleset(world.office, regime)


def get(client, user, url, **extra):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(url, **extra)


@pytest.mark.parametrize(
    "persona,status",
    [
        ("admin", 200),
        ("viewer", 200),
        ("superuser", 200),
        ("other_admin", 200),
        ("zone_leader", 403),
        ("inspector", 403),
        ("school", 403),
    ],
)
def test_index_per_role(seeded, client, persona, status):
    response = get(client, seeded.personas()[persona], "/monitoring/")
    assert response.status_code == status


def test_index_shows_both_regimes_per_year(seeded, client):
    response = get(client, seeded.admin, "/monitoring/")
    text = response.content.decode()
    assert "Year 2025" in text and "Year 2024" in text
    assert "basic-2012" in text and "quality-2017" in text
    assert 'data-regime="basic"' in text and 'data-regime="quality"' in text


def test_viewer_reads_an_office_in_scope_only(seeded, client):
    url = f"/monitoring/?office={seeded.office.pk}"
    assert get(client, seeded.viewer, url).status_code == 200
    other = f"/monitoring/?office={seeded.other_office.pk}"
    assert get(client, seeded.viewer, other).status_code == 404
    # the other county's admin sees its own (empty) county, never this one's figures
    text = get(client, seeded.other_admin, "/monitoring/").content.decode()
    assert "Year 2025" not in text


def test_evaluation_page(seeded, client):
    for regime in ("basic", "quality"):
        url = f"/monitoring/2025/rules/{rs(seeded, regime).pk}/"
        response = get(client, seeded.admin, url)
        assert response.status_code == 200
        text = response.content.decode()
        assert seeded.school.name in text and seeded.far_school.name in text
        assert 'id="monitoring-data"' in text and "echarts-5.6.0-dudao.min.js" in text
        assert "water-filling" in text
        assert "Schools contributing most to each CV" in text
        data = response.context["data"]
        assert {lv["level"] for lv in data["levels"]} == {"primary", "junior"}
        assert data["trend"]["years"] == [2024, 2025]
    assert get(client, seeded.admin, f"/monitoring/2019/rules/{rs(seeded).pk}/").status_code == 404


def test_evaluation_of_another_offices_ruleset_is_404(seeded, client):
    copy = services.copy_ruleset(seeded.admin, rs(seeded), name="mine")
    assert get(client, seeded.admin, f"/monitoring/2025/rules/{copy.pk}/").status_code == 200
    response = get(client, seeded.other_admin, f"/monitoring/2025/rules/{copy.pk}/")
    assert response.status_code == 404


def test_smallest_additions_shown_for_indicator_over_limit(world, client):
    services.save_resources(world.admin, world.school, 2025, figures())
    services.save_resources(
        world.admin, world.zone_school, 2025, figures(floor_area=150, enrol_primary=300)
    )
    url = f"/monitoring/2025/rules/{rs(world, 'quality').pk}/"
    response = get(client, world.admin, url)
    level = response.context["data"]["levels"][0]
    floor = next(i for i in level["indicators"] if i["key"] == "floor_area")
    assert floor["over"] and floor["plan"]["needed"]
    assert floor["plan"]["items"][0]["code"] == world.zone_school.code
    assert "Smallest additions" in response.content.decode()


def what_if_records(world, change):
    rows = []
    for r in SchoolResources.all_objects.filter(office=world.office, year=2025).select_related(
        "school"
    ):
        values = r.figures()
        for key, amount in change.get(r.school.code, {}).items():
            values[key] += amount
        rows.append(
            {"code": r.school.code, "name": r.school.name, "school_type": r.school_type, **values}
        )
    return rows


@pytest.mark.parametrize("regime", ["basic", "quality"])
def test_what_if_equals_a_fresh_evaluation(seeded, client, regime):
    ruleset = rs(seeded, regime)
    previous = {seeded.zone_school.code: {"floor_area": 500.0}}
    params = {
        "changes": json.dumps(previous),
        "school": seeded.school.code,
        "field": "teachers_primary",
        "amount": "3",
    }
    response = get(
        client,
        seeded.admin,
        f"/monitoring/2025/rules/{ruleset.pk}/what-if/",
        data=params,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # htmx fragment
    after = response.context["after"].to_dict()
    change = {**previous, seeded.school.code: {"teachers_primary": 3}}
    rules = ruleset.rules()
    fresh = evaluate(SchoolData.from_records(what_if_records(seeded, change), rules), rules, 2025)
    want = fresh.to_dict()
    for level in ("primary", "junior"):
        for got_i, want_i in zip(
            after["levels"][level]["indicators"], want["levels"][level]["indicators"], strict=True
        ):
            assert got_i["cv"] == pytest.approx(want_i["cv"])
            assert got_i["mean"] == pytest.approx(want_i["mean"])
        assert after["levels"][level]["passed"] == want["levels"][level]["passed"]
    assert after["conclusion"]["passed"] == want["conclusion"]["passed"]
    # the next form carries both changes
    carried = json.loads(response.context["changes_json"])
    assert carried == {
        seeded.zone_school.code: {"floor_area": 500.0},
        seeded.school.code: {"teachers_primary": 3.0},
    }
    # nothing was saved
    assert SchoolResources.all_objects.get(school=seeded.school, year=2025).version == 1


def test_what_if_refuses_impossible_change(seeded, client):
    params = {"school": seeded.school.code, "field": "teachers_primary", "amount": "-1000"}
    response = get(
        client, seeded.admin, f"/monitoring/2025/rules/{rs(seeded).pk}/what-if/", data=params
    )
    assert response.status_code == 200
    assert response.context["what_if_error"] is not None
    assert "what-if" in response.content.decode()


def test_edit_figures_with_version_check(seeded, client):
    row = SchoolResources.all_objects.get(school=seeded.school, year=2025)
    url = f"/monitoring/2025/resources/{seeded.school.pk}/"
    page = get(client, seeded.admin, url)
    assert page.status_code == 200
    data = {**row.figures(), "school_type": row.school_type, "expected_version": row.version}
    data["books"] = row.books + 100
    response = client.post(url, data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.version == 2
    # the same form again (stale version 1): refused, nothing changes
    data["books"] = 5
    response = client.post(url, data)
    assert response.status_code == 200
    assert "changed these figures meanwhile" in response.content.decode()
    row.refresh_from_db()
    assert row.books != 5 and row.version == 2
    # the history shows both versions
    assert "History" in get(client, seeded.admin, url).content.decode()


def test_edit_shows_engine_errors_on_fields(seeded, client):
    row = SchoolResources.all_objects.get(school=seeded.school, year=2025)
    url = f"/monitoring/2025/resources/{seeded.school.pk}/"
    client.force_login(seeded.admin)
    data = {
        **row.figures(),
        "school_type": row.school_type,
        "expected_version": row.version,
        "enrol_primary": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors.get("enrol_primary")


def test_record_evaluation_view(seeded, client):
    client.force_login(seeded.admin)
    ruleset = rs(seeded, "quality")
    response = client.post(f"/monitoring/2025/rules/{ruleset.pk}/record/")
    assert response.status_code == 302
    item = Evaluation.objects.unscoped().get()
    assert (item.ruleset_name, item.ruleset_version) == ("quality-2017", "2017.1")
    document = json.loads(client.get(f"/monitoring/evaluations/{item.pk}.json").content)
    assert document["rule_set_version"] == "2017.1"


def test_ruleset_copy_and_edit_views(seeded, client):
    client.force_login(seeded.admin)
    client.cookies["django_language"] = "en"
    national = rs(seeded, "quality")
    response = client.post(f"/monitoring/rules/{national.pk}/copy/", {"name": "zj-2017"})
    copy = RuleSet.objects.get(office=seeded.office)
    assert response.url == f"/monitoring/rules/{copy.pk}/edit/"
    page = client.get(response.url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["remaining_share"] = "0.8"
    data["limit_primary"] = "0.55"
    data["min_enrolment_types"] = []
    response = client.post(response.url, data)
    assert response.status_code == 302, response.context["form"].errors
    copy.refresh_from_db()
    assert copy.version == "2"
    assert copy.data["school_rule"]["remaining_share"] == 0.8
    assert copy.data["levels"]["primary"]["cv_max"] == 0.55
    # a stale form is refused
    response = client.post(f"/monitoring/rules/{copy.pk}/edit/", data)
    assert response.status_code == 200 and "meanwhile" in response.content.decode()
    # the national rule set cannot be edited; another office cannot edit ours
    assert client.get(f"/monitoring/rules/{national.pk}/edit/").status_code == 404
    client.force_login(seeded.other_admin)
    assert client.get(f"/monitoring/rules/{copy.pk}/edit/").status_code == 404
    assert client.get(f"/monitoring/rules/{copy.pk}/").status_code == 404


def test_resources_list_query_count_does_not_grow(seeded, client):
    url = "/monitoring/2025/resources/"
    client.force_login(seeded.admin)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(12):
        school = SchoolFactory(office=seeded.office, name=f"新增小学{i}")
        services.save_resources(seeded.admin, school, 2025, figures())
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200 and "新增小学11" in response.content.decode()
    assert len(large.captured_queries) <= len(small.captured_queries)


def test_basic_ruleset_edit_form_changes_limits_and_split_ratios(seeded, client):
    client.force_login(seeded.admin)
    copy = services.copy_ruleset(seeded.admin, rs(seeded, "basic"), name="prov-2012")
    url = f"/monitoring/rules/{copy.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["min_enrolment_types"] = []
    data["limit_junior"] = "0.5"
    split = next(name for name in form.fields if name.startswith("split_") and "junior" in name)
    data[split] = "1.2"
    data.pop("exclude_teaching_points", None)  # stop excluding teaching points
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    copy.refresh_from_db()
    assert copy.version == "2"
    assert copy.data["levels"]["junior"]["composite_cv_max"] == 0.5
    assert copy.data["split_ratios"]["九年一贯制学校"]["junior"] == 1.2
    assert "教学点" not in copy.data["exclusions"]["school_types"]
    # the evaluation uses the new version
    page = client.get(f"/monitoring/2025/rules/{copy.pk}/")
    assert page.context["result"].rule_set["version"] == "2"
