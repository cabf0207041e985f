"""The search field for a school or an inspector (dudao/core/lookups.py): the endpoint's
suggestions come from the reader's scope only, a typed code or exact name is resolved without
JavaScript, and a wide scope is never written out as a <select> of every row."""

import re

import pytest
from django.urls import reverse

from dudao.core import lookups
from tests.factories import InspectorFactory, SchoolFactory


def picked(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-pk="(\d+)"', response.content.decode())]


def lookup(client, kind, q=""):
    return picked(client.get(reverse("core:lookup", args=[kind]), {"q": q}))


@pytest.fixture
def wide(monkeypatch):
    """Every scope counts as wide: the field is a search box even for the test's few rows."""
    monkeypatch.setattr(lookups, "SELECT_MAX", 1)


def test_admin_finds_own_county_schools_only(world, client):
    client.force_login(world.admin)
    found = lookup(client, "school")
    assert {world.school.pk, world.zone_school.pk, world.far_school.pk} <= set(found)
    assert world.foreign_school.pk not in found
    assert lookup(client, "school", world.foreign_school.code) == []
    assert lookup(client, "school", world.foreign_school.name) == []
    assert lookup(client, "school", world.far_school.code[:6]) != []
    assert lookup(client, "school", world.far_school.name) == [world.far_school.pk]


def test_inspector_finds_only_own_schools_and_self(world, client):
    client.force_login(world.inspector_user)
    assert lookup(client, "school") == [world.school.pk]
    assert lookup(client, "school", world.zone_school.name) == []
    assert lookup(client, "inspector") == [world.inspector.pk]
    assert lookup(client, "inspector", world.other_inspector.name) == []


def test_other_county_never_appears_among_inspectors(world, client):
    client.force_login(world.admin)
    found = lookup(client, "inspector")
    assert world.inspector.pk in found and world.foreign_inspector.pk not in found
    assert lookup(client, "inspector", world.foreign_inspector.phone) == []
    client.force_login(world.other_admin)
    assert lookup(client, "inspector", world.inspector.name) == []
    assert lookup(client, "school", world.school.code) == []


def test_viewer_searches_the_region(world, client):
    client.force_login(world.viewer)
    assert lookup(client, "school", world.far_school.code) == [world.far_school.pk]


def test_at_most_twenty_matches(world, client):
    SchoolFactory.create_batch(lookups.MATCHES_MAX + 5, office=world.office, name="同名小学")
    client.force_login(world.admin)
    assert len(lookup(client, "school", "同名")) == lookups.MATCHES_MAX


def test_unknown_kind_and_school_user(world, client):
    client.force_login(world.admin)
    assert client.get(reverse("core:lookup", args=["user"])).status_code == 404
    client.force_login(world.school_user)
    assert client.get(reverse("core:lookup", args=["school"])).status_code == 403


def test_no_match_says_so(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("core:lookup", args=["school"]), {"q": "不存在的学校"})
    assert picked(response) == [] and "lookup-none" in response.content.decode()


# The field -------------------------------------------------------------------------------


def form(data, user):
    from dudao.visits.forms import VisitFilterForm

    return VisitFilterForm(data, user=user)


def test_field_resolves_a_typed_code_or_exact_name(world, wide):
    f = form({"school_text": world.far_school.code}, world.admin)
    assert f.is_valid() and f.cleaned_data["school"] == world.far_school
    f = form({"school_text": f"  {world.far_school.name} "}, world.admin)
    assert f.is_valid() and f.cleaned_data["school"] == world.far_school
    label = f"{world.far_school.code} {world.far_school.name}"  # what the box shows
    f = form({"school_text": label}, world.admin)
    assert f.is_valid() and f.cleaned_data["school"] == world.far_school
    f = form({"inspector_text": world.other_inspector.phone}, world.admin)
    assert f.is_valid() and f.cleaned_data["inspector"] == world.other_inspector


def test_field_refuses_what_is_not_yours(world, wide):
    f = form({"school_text": world.foreign_school.code}, world.admin)
    assert not f.is_valid() and "school" in f.errors
    f = form({"school": world.foreign_school.pk}, world.admin)
    assert not f.is_valid() and "school" in f.errors
    f = form({"school_text": world.zone_school.code}, world.inspector_user)
    assert not f.is_valid()


def test_field_asks_for_the_code_when_a_name_is_shared(world, wide):
    SchoolFactory(office=world.office, name=world.far_school.name)
    f = form({"school_text": world.far_school.name}, world.admin)
    assert not f.is_valid() and "school" in f.errors
    f = form({"school_text": world.far_school.code}, world.admin)
    assert f.is_valid() and f.cleaned_data["school"] == world.far_school


def test_field_keeps_a_picked_id_while_the_text_reads_as_it(world, wide):
    twin = InspectorFactory(office=world.office, name=world.inspector.name)
    label = world.inspector.name
    f = form({"inspector": twin.pk, "inspector_text": label}, world.admin)
    assert f.is_valid() and f.cleaned_data["inspector"] == twin
    # the text changed since the pick: the text wins
    f = form({"inspector": twin.pk, "inspector_text": world.other_inspector.name}, world.admin)
    assert f.is_valid() and f.cleaned_data["inspector"] == world.other_inspector
    # the box emptied: no filter, whatever id is left
    f = form({"inspector": twin.pk, "inspector_text": ""}, world.admin)
    assert f.is_valid() and f.cleaned_data["inspector"] is None


def test_small_scope_keeps_a_select(world):
    html = str(form(None, world.inspector_user)["school"])
    assert html.startswith("<select") and world.school.name in html
    assert world.zone_school.name not in html


def test_wide_scope_renders_a_search_box(world, wide):
    html = str(form({"school": world.far_school.pk}, world.admin)["school"])
    assert "<select" not in html and "data-lookup" in html
    assert reverse("core:lookup", args=["school"]) in html
    assert f'value="{world.far_school.code} {world.far_school.name}"' in html
    assert world.zone_school.name not in html


def test_zones_and_townships_come_from_the_readers_scope(world, client):
    """The school list's zone and township filters (a province viewer has a thousand of
    each): suggestions of the reader's own zones and of the townships of their schools."""
    from dudao.organisations.models import Region
    from dudao.schools.models import School

    def township(office, code, name):
        return Region.objects.create(
            code=code, name=name, level=Region.Level.TOWNSHIP, parent=office.region
        )

    School.all_objects.filter(pk=world.school.pk).update(
        township=township(world.office, "990102901", "清波街道")
    )
    School.all_objects.filter(pk=world.foreign_school.pk).update(
        township=township(world.other_office, "990202901", "玄武门街道")
    )
    world.school.refresh_from_db()
    world.foreign_school.refresh_from_db()
    foreign_zone = world.foreign_school.zone or world.foreign_inspector.zone
    client.force_login(world.admin)
    assert world.zone.pk in lookup(client, "zone")
    assert world.zone.pk in lookup(client, "zone", world.zone.name[:2])
    if foreign_zone is not None:
        assert foreign_zone.pk not in lookup(client, "zone")
    townships = lookup(client, "township")
    assert world.school.township_id in townships
    assert world.foreign_school.township_id not in townships
    assert lookup(client, "township", "玄武") == []
    client.force_login(world.inspector_user)
    assert lookup(client, "township") == [world.school.township_id]


def test_school_list_filters_by_a_typed_zone_without_javascript(world, client, monkeypatch):
    monkeypatch.setattr(lookups, "SELECT_MAX", 0)  # the county's one zone: a search box too
    client.force_login(world.admin)
    page = client.get(reverse("schools:list"), {"zone_text": world.zone.name})
    body = page.content.decode()
    assert world.zone_school.name in body and world.far_school.name not in body
    assert 'name="zone_text"' in body and 'type="hidden" name="zone"' in body
