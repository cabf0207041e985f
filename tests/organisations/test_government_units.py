"""Government units (督政对象) in the registry: the services' rules, guards and audit rows, the
list and form pages, the Excel import (all or nothing, errors by row) and the demo's units."""

import io

import pytest
from django.urls import include, path, reverse
from django.utils import translation
from openpyxl import load_workbook

import dudao.urls
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.core.guards import SYSTEM
from dudao.demo.government_units import reset_government_units, seed_government_units
from dudao.imports import services as imports
from dudao.imports.importers import IMPORTERS
from dudao.imports.models import ImportJob
from dudao.organisations import services
from dudao.organisations.models import GovernmentUnit, Region
from tests.factories import RegionFactory
from tests.imports.helpers import upload, xlsx_bytes

# The pages are mounted by dudao/urls.py at /registry/units/; until then, here.
urlpatterns = list(dudao.urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "units" for p in urlpatterns):
    urlpatterns.append(path("registry/units/", include("dudao.organisations.unit_urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def english():
    """The refusals are matched by their English msgids (the catalogue translates them)."""
    with translation.override("en"):
        yield


Kind = GovernmentUnit.Kind
HEADERS = ["名称", "类型", "上级", "乡镇（街道）", "联系人", "电话"]


def units(office=None):
    qs = GovernmentUnit.objects.unscoped()
    return qs.filter(office=office) if office is not None else qs


def county_gov(world, **extra):
    return services.create_unit(
        world.admin, world.office, kind=Kind.COUNTY_GOVERNMENT, name="上城区人民政府", **extra
    )


def township_region(world):
    return Region.objects.get(level="township", parent=world.office.region)


def audit_rows():
    return AuditEntry.objects.unscoped().filter(target_type="organisations.GovernmentUnit")


# ---- services -----------------------------------------------------------------------------


def test_create_the_county_its_departments_and_a_township(world):
    county = county_gov(world, contact="陈立新", phone="0571-87001000")
    # A department goes under the county government by default.
    education = services.create_unit(
        world.admin, world.office, kind=Kind.DEPARTMENT, name=" 上城区  教育局 "
    )
    township = services.create_unit(
        world.admin,
        world.office,
        kind=Kind.TOWNSHIP,
        name="湖滨街道办事处",
        region=township_region(world),
    )
    assert education.parent == county and education.name == "上城区 教育局"
    assert township.region.name == "上城区湖滨街道"
    assert list(units(world.office).order_by("kind").values_list("kind", flat=True)) == [
        "county",
        "department",
        "township",
    ]
    rows = audit_rows().filter(action=AuditEntry.Action.CREATE)
    assert rows.count() == 3 and {r.actor_id for r in rows} == {world.admin.pk}
    assert rows.get(target_id=str(county.pk)).changes["after"]["phone"] == "0571-87001000"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"kind": Kind.TOWNSHIP, "name": "上城区人民政府"}, "name", "already has a unit named"),
        ({"kind": Kind.COUNTY_GOVERNMENT, "name": "另一个政府"}, "kind", "already has a county"),
        ({"kind": Kind.TOWNSHIP, "name": "某镇", "phone": "12345"}, "phone", "valid phone"),
        ({"kind": "", "name": "某镇"}, "kind", ""),
        ({"kind": Kind.TOWNSHIP, "name": "   "}, "name", ""),
    ],
)
def test_refusals_name_their_field(world, data, field, words):
    county_gov(world)
    before = units().count()
    with pytest.raises(DomainError) as info:
        services.create_unit(world.admin, world.office, **data)
    assert info.value.field == field and words in str(info.value)
    assert units().count() == before


def test_a_department_is_under_its_own_county_government(world):
    with pytest.raises(DomainError, match="has none yet") as info:
        services.create_unit(world.admin, world.office, kind=Kind.DEPARTMENT, name="教育局")
    assert info.value.field == "parent"
    county_gov(world)
    township = services.create_unit(world.admin, world.office, kind=Kind.TOWNSHIP, name="某镇政府")
    foreign = services.create_unit(
        world.other_admin, world.other_office, kind=Kind.COUNTY_GOVERNMENT, name="玄武区人民政府"
    )
    for parent in (township, foreign):
        with pytest.raises(DomainError, match="same office") as info:
            services.create_unit(
                world.admin, world.office, kind=Kind.DEPARTMENT, name="财政局", parent=parent
            )
        assert info.value.field == "parent"
    with pytest.raises(DomainError, match="Only a department") as info:
        services.create_unit(
            world.admin,
            world.office,
            kind=Kind.TOWNSHIP,
            name="乙镇政府",
            parent=county_gov_of(world),
        )
    assert not units(world.office).filter(name__in=["财政局", "乙镇政府", "教育局"]).exists()


def county_gov_of(world):
    return services.county_government_of(world.office)


def test_a_township_is_in_the_office_county(world):
    foreign_township = Region.objects.get(level="township", parent=world.other_office.region)
    for region in (foreign_township, world.office.region):
        with pytest.raises(DomainError, match="not in this office's county") as info:
            services.create_unit(
                world.admin, world.office, kind=Kind.TOWNSHIP, name="某镇", region=region
            )
        assert info.value.field == "region"
    services.create_unit(
        world.admin, world.office, kind=Kind.TOWNSHIP, name="甲", region=township_region(world)
    )
    with pytest.raises(DomainError, match="already stands for"):
        services.create_unit(
            world.admin, world.office, kind=Kind.TOWNSHIP, name="乙", region=township_region(world)
        )
    with pytest.raises(DomainError, match="Only a township government"):
        services.create_unit(
            world.admin,
            world.office,
            kind=Kind.COUNTY_GOVERNMENT,
            name="丙",
            region=RegionFactory(
                code="330102002",
                name="上城区清波街道",
                level="township",
                parent=world.office.region,
            ),
        )


def test_the_same_name_in_another_office_is_fine(world):
    county_gov(world)
    services.create_unit(
        world.other_admin, world.other_office, kind=Kind.TOWNSHIP, name="上城区人民政府"
    )
    assert units().filter(name="上城区人民政府").count() == 2


def test_update_checks_the_version_and_audits(world):
    county = county_gov(world)
    seen = services.unit_version(county)
    services.update_unit(world.admin, county, expected_version=seen, contact="王主任")
    county.refresh_from_db()
    assert county.contact == "王主任"
    update = audit_rows().get(action=AuditEntry.Action.UPDATE)
    assert update.changes == {"contact": ["", "王主任"]}
    # A form shown before that change is stale: refused, nothing written.
    with pytest.raises(StaleObject):
        services.update_unit(world.admin, county, expected_version=seen, contact="李主任")
    county.refresh_from_db()
    assert county.contact == "王主任" and audit_rows().filter(action="update").count() == 1


def test_county_with_departments_keeps_its_kind(world):
    county = county_gov(world)
    services.create_unit(world.admin, world.office, kind=Kind.DEPARTMENT, name="教育局")
    with pytest.raises(DomainError, match="stays the county government"):
        services.update_unit(world.admin, county, kind=Kind.TOWNSHIP)
    county.refresh_from_db()
    assert county.kind == Kind.COUNTY_GOVERNMENT


def test_deactivate_and_reactivate(world):
    county = county_gov(world)
    department = services.create_unit(
        world.admin, world.office, kind=Kind.DEPARTMENT, name="教育局"
    )
    with pytest.raises(DomainError, match="departments under the county government first"):
        services.deactivate_unit(world.admin, county)
    services.deactivate_unit(
        world.admin, department, expected_version=services.unit_version(department)
    )
    services.deactivate_unit(world.admin, county)
    with pytest.raises(DomainError, match="already inactive"):
        services.deactivate_unit(world.admin, county)
    with pytest.raises(DomainError, match="county government is inactive"):
        services.reactivate_unit(world.admin, department)
    with pytest.raises(DomainError, match="county government is inactive"):
        services.create_unit(world.admin, world.office, kind=Kind.DEPARTMENT, name="财政局")
    services.reactivate_unit(world.admin, county)
    services.reactivate_unit(world.admin, department)
    assert units(world.office).filter(is_active=True).count() == 2
    changes = [r.changes for r in audit_rows().filter(action="update").order_by("pk")]
    assert changes[0] == {"is_active": [True, False]} and len(changes) == 4


def test_stale_deactivation_is_refused(world):
    county = county_gov(world)
    seen = services.unit_version(county)
    services.update_unit(world.admin, county, phone="0571-87001000")
    with pytest.raises(StaleObject):
        services.deactivate_unit(world.admin, county, expected_version=seen)
    county.refresh_from_db()
    assert county.is_active


def _evaluate(unit):
    from dudao.evaluations.models import Framework, Round, RoundTarget, TargetKind

    framework = Framework.all_objects.create(
        office=unit.office, key="gov", title="履行教育职责", kind=TargetKind.GOVERNMENT
    )
    round_ = Round.all_objects.create(
        office=unit.office, framework=framework, title="2026年督政", year=2026
    )
    return RoundTarget.all_objects.create(round=round_, office=unit.office, unit=unit)


def test_delete_only_a_unit_never_evaluated_and_without_departments(world):
    county = county_gov(world)
    department = services.create_unit(
        world.admin, world.office, kind=Kind.DEPARTMENT, name="教育局"
    )
    township = services.create_unit(world.admin, world.office, kind=Kind.TOWNSHIP, name="某镇政府")
    _evaluate(township)
    for unit in (county, township):
        with pytest.raises(DomainError, match="mark it inactive"):
            services.delete_unit(world.admin, unit)
    services.delete_unit(world.admin, department)
    assert set(units(world.office).values_list("name", flat=True)) == {"上城区人民政府", "某镇政府"}
    assert audit_rows().filter(action=AuditEntry.Action.DELETE).count() == 1


@pytest.mark.parametrize(
    "persona",
    ["zone_leader", "inspector_user", "school_user", "viewer", "other_admin", "superuser"],
)
def test_only_the_office_admin_writes(world, persona):
    county = county_gov(world)
    actor = getattr(world, persona)
    before = (list(units().values()), audit_rows().count())
    writes = [
        lambda: services.create_unit(actor, world.office, kind=Kind.TOWNSHIP, name="某镇政府"),
        lambda: services.update_unit(actor, county, contact="x"),
        lambda: services.deactivate_unit(actor, county),
        lambda: services.delete_unit(actor, county),
    ]
    for write in writes:
        with pytest.raises(NotPermitted):
            write()
    assert (list(units().values()), audit_rows().count()) == before
    services.deactivate_unit(world.admin, county)
    before = (list(units().values()), audit_rows().count())
    with pytest.raises(NotPermitted):
        services.reactivate_unit(actor, county)
    assert (list(units().values()), audit_rows().count()) == before


def test_no_one_signed_in_is_refused_and_system_may_act(world):
    with pytest.raises(NotPermitted):
        services.create_unit(None, world.office, kind=Kind.TOWNSHIP, name="某镇政府")
    assert services.create_unit(SYSTEM, world.office, kind=Kind.TOWNSHIP, name="某镇政府").pk


# ---- pages --------------------------------------------------------------------------------


def test_list_filters_by_kind_and_hides_inactive_units(world, client):
    county = county_gov(world)
    services.create_unit(world.admin, world.office, kind=Kind.DEPARTMENT, name="上城区教育局")
    services.create_unit(world.admin, world.office, kind=Kind.TOWNSHIP, name="湖滨街道办事处")
    old = services.create_unit(world.admin, world.office, kind=Kind.TOWNSHIP, name="撤并乡人民政府")
    services.deactivate_unit(world.admin, old)
    services.create_unit(
        world.other_admin, world.other_office, kind=Kind.COUNTY_GOVERNMENT, name="玄武区人民政府"
    )
    client.force_login(world.admin)
    url = reverse("units:list")
    body = client.get(url).content.decode()
    assert "上城区教育局" in body and county.name in body and "湖滨街道办事处" in body
    assert "撤并乡人民政府" not in body and "玄武区人民政府" not in body
    assert reverse("units:edit", args=[county.pk]) in body
    body = client.get(url, {"kind": "township", "active": "all"}).content.decode()
    assert "湖滨街道办事处" in body and "撤并乡人民政府" in body and "上城区教育局" not in body
    htmx = client.get(url, {"kind": "department"}, headers={"HX-Request": "true"})
    assert "上城区教育局" in htmx.content.decode() and "<html" not in htmx.content.decode()


def test_readers_see_the_list_without_edit_links_and_schools_do_not(world, client):
    county = county_gov(world)
    for persona in ("inspector_user", "zone_leader", "viewer"):
        client.force_login(getattr(world, persona))
        response = client.get(reverse("units:list"))
        assert response.status_code == 200 and county.name in response.content.decode()
        assert reverse("units:edit", args=[county.pk]) not in response.content.decode()
    client.force_login(world.school_user)
    assert client.get(reverse("units:list")).status_code == 403


def test_list_queries_do_not_grow_with_units(world, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    county = county_gov(world)
    client.force_login(world.viewer)
    url = reverse("units:list")

    def count():
        client.get(url)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.create_unit(world.admin, world.office, kind=Kind.DEPARTMENT, name="部门0")
    first = count()
    for i in range(1, 15):
        services.create_unit(world.admin, world.office, kind=Kind.DEPARTMENT, name=f"部门{i}")
        services.create_unit(world.admin, world.office, kind=Kind.TOWNSHIP, name=f"乡镇{i}")
    assert count() == first
    assert county.pk
    with django_assert_max_num_queries(first):
        client.get(url)


def test_create_and_edit_through_the_forms(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse("units:create"),
        {
            "kind": "county",
            "name": "上城区人民政府",
            "contact": "陈立新",
            "phone": "",
            "position": 1,
        },
    )
    assert response.status_code == 302
    county = units(world.office).get()
    form = client.get(reverse("units:create")).context["form"]
    assert form["parent"].value() == county.pk  # a new department goes under it
    response = client.get(reverse("units:edit", args=[county.pk]))
    version = response.context["form"]["expected_version"].value()
    assert version == services.unit_version(county)
    data = {"kind": "county", "name": "上城区政府", "position": 1, "expected_version": version}
    assert client.post(reverse("units:edit", args=[county.pk]), data).status_code == 302
    county.refresh_from_db()
    assert county.name == "上城区政府"
    # The same form sent again is stale: shown with the error, nothing changed.
    data["name"] = "又改了"
    response = client.post(reverse("units:edit", args=[county.pk]), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    county.refresh_from_db()
    assert county.name == "上城区政府"


def test_a_refusal_shows_on_its_field(world, client):
    client.force_login(world.admin)
    response = client.post(reverse("units:create"), {"kind": "department", "name": "教育局"})
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert not units().exists()


def test_deactivate_reactivate_and_delete_pages(world, client):
    county = county_gov(world)
    township = services.create_unit(world.admin, world.office, kind=Kind.TOWNSHIP, name="某镇政府")
    client.force_login(world.admin)
    version = services.unit_version(township)
    response = client.post(reverse("units:deactivate", args=[township.pk]), {"version": version})
    assert response.status_code == 302
    township.refresh_from_db()
    assert not township.is_active
    # A second click with the old page: refused with a message, nothing changed.
    response = client.post(reverse("units:reactivate", args=[township.pk]), {"version": version})
    assert response.status_code == 302
    township.refresh_from_db()
    assert not township.is_active
    client.post(reverse("units:reactivate", args=[township.pk]))
    township.refresh_from_db()
    assert township.is_active
    _evaluate(township)
    client.post(reverse("units:delete", args=[township.pk]))
    assert units().filter(pk=township.pk).exists()
    client.post(reverse("units:delete", args=[county.pk]))
    assert not units().filter(pk=county.pk).exists()


def test_another_countys_unit_is_not_found(world, client):
    foreign = services.create_unit(
        world.other_admin, world.other_office, kind=Kind.TOWNSHIP, name="玄武某镇"
    )
    client.force_login(world.admin)
    for name in ("units:edit", "units:deactivate", "units:delete"):
        assert client.post(reverse(name, args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


# ---- the Excel import ---------------------------------------------------------------------


def _import(world, rows):
    job = imports.create_job(
        world.admin,
        world.office,
        services.IMPORT_KIND,
        upload(xlsx_bytes(HEADERS, rows), "units.xlsx"),
    )
    return ImportJob.objects.unscoped().get(pk=job.pk)


GOOD_ROWS = [
    ["上城区教育局", "县直部门", "", "", "周建国", "0571-87001010"],
    ["上城区人民政府", "县政府", "", "", "陈立新", "0571-87001000"],
    ["上城区财政局", "部门", "上城区人民政府", "", "", ""],
    ["湖滨街道办事处", "乡镇政府", "", "上城区湖滨街道", "王红梅", 13800000009],
]


def test_import_registered_and_off_the_imports_page():
    assert services.IMPORT_KIND in IMPORTERS
    assert services.IMPORT_KIND not in imports.listed_kinds()


def test_import_preview_then_all_rows(world):
    job = _import(world, GOOD_ROWS)
    assert job.status == "preview", job.errors
    assert job.summary["created"] == 4
    assert not units().exists()
    assert imports.confirm_job(world.admin, job)
    job.refresh_from_db()
    assert job.status == "done" and job.summary["created"] == 4
    county = units(world.office).get(kind=Kind.COUNTY_GOVERNMENT)
    assert set(county.departments.values_list("name", flat=True)) == {
        "上城区教育局",
        "上城区财政局",
    }
    township = units(world.office).get(kind=Kind.TOWNSHIP)
    assert township.region == township_region(world) and township.phone == "13800000009"
    assert audit_rows().filter(action="create").count() == 4
    # The same file again changes nothing.
    again = _import(world, GOOD_ROWS)
    assert again.summary["unchanged"] == 4
    assert imports.confirm_job(world.admin, again)
    again.refresh_from_db()
    assert again.summary == {"created": 0, "updated": 0, "unchanged": 4}


def test_import_errors_name_rows_and_nothing_is_written(world):
    foreign = Region.objects.get(level="township", parent=world.other_office.region)
    rows = [
        ["上城区人民政府", "县政府", "", "", "", ""],
        ["上城区教育局", "县直部门", "不存在的政府", "", "", ""],  # row 3
        ["上城区人民政府", "县政府", "", "", "", ""],  # row 4: repeated
        ["某镇政府", "乡镇政府", "", foreign.name, "", ""],  # row 5: another county's township
        ["另一个县政府", "县政府", "", "", "", ""],  # row 6: a second county government
        ["某乡政府", "乡政府啊", "", "", "", ""],  # row 7: unknown kind
        ["某部门", "县直部门", "", "", "", "12345"],  # row 8: phone
        ["乙镇政府", "乡镇政府", "上城区人民政府", "", "", ""],  # row 9: only departments
    ]
    job = _import(world, rows)
    assert job.status == "invalid"
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {
        (3, "上级"),
        (4, "名称"),
        (5, "乡镇（街道）"),
        (6, "类型"),
        (7, "类型"),
        (8, "电话"),
        (9, "上级"),
    }, job.errors
    assert not units().exists()


def test_a_row_refused_at_apply_rolls_everything_back(world, monkeypatch):
    job = _import(world, GOOD_ROWS)
    assert job.status == "preview"
    real = services.create_unit
    calls = []

    def failing(actor, office, **data):
        calls.append(data["name"])
        if len(calls) == 3:
            raise DomainError("refused", field="name")
        return real(actor, office, **data)

    monkeypatch.setattr(services, "create_unit", failing)
    imports.confirm_job(world.admin, job)
    job.refresh_from_db()
    # Written county first, then the township, then the departments: the third is row 2.
    assert job.status == "invalid" and job.errors == [
        {"row": 2, "column": "名称", "message": "refused"}
    ]
    assert not units().exists()


def test_template_and_export_round_trip(world, client):
    county = county_gov(world, contact="陈立新")
    services.create_unit(world.admin, world.office, kind=Kind.DEPARTMENT, name="上城区教育局")
    services.create_unit(
        world.admin,
        world.office,
        kind=Kind.TOWNSHIP,
        name="湖滨街道办事处",
        region=township_region(world),
    )
    client.force_login(world.admin)
    template = client.get(reverse("units:template"))
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    export = client.get(reverse("units:export"), {"active": "all"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("上城区人民政府", "县政府", None, None, "陈立新", None)
    assert rows[2][:3] == ("上城区教育局", "县直部门", county.name)
    assert rows[3][3] == "上城区湖滨街道"
    job = imports.create_job(
        world.admin, world.office, services.IMPORT_KIND, upload(export.content, "units.xlsx")
    )
    job.refresh_from_db()
    assert job.summary["unchanged"] == 3, job.errors


def test_import_page_uploads_to_the_pipeline(world, client):
    client.force_login(world.admin)
    assert client.get(reverse("units:import")).status_code == 200
    response = client.post(reverse("units:import"), {})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    data = xlsx_bytes(HEADERS, GOOD_ROWS)
    response = client.post(reverse("units:import"), {"file": upload(data, "units.xlsx")})
    job = ImportJob.objects.unscoped().get(kind=services.IMPORT_KIND)
    assert response.status_code == 302 and response.url == reverse("imports:job", args=[job.pk])
    assert job.status == "preview"


# ---- the demo -----------------------------------------------------------------------------


def test_demo_units_of_an_office(world):
    RegionFactory(
        code="330102101", name="上城区城关镇", level="township", parent=world.office.region
    )
    made = seed_government_units(world.office)
    names = [u.name for u in made]
    assert names[:3] == ["上城区人民政府", "上城区教育局", "上城区财政局"]
    assert names[-2:] == ["上城区湖滨街道办事处", "上城区城关镇人民政府"]
    assert len(made) == 8
    assert all(u.parent == made[0] for u in made[1:6])
    assert made[-1].region.name == "上城区城关镇" and made[0].phone == "0571-6011000"
    reset_government_units([world.office.pk])
    assert not units().exists()
