"""The visit list's and "my schools"' choice of a school or an inspector as a search field for
a wide scope (dudao/core/lookups.py): typed codes work without JavaScript, and the page does
not list every school."""

import pytest
from django.urls import reverse

from dudao.core import lookups
from tests.factories import SchoolFactory
from tests.factories_supervision import VisitFactory


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setattr(lookups, "SELECT_MAX", 1)


def test_visit_list_filters_by_a_typed_school_code(world, client, wide):
    mine = VisitFactory(school=world.school, inspector=world.inspector, created_by=world.admin)
    theirs = VisitFactory(
        school=world.zone_school, inspector=world.other_inspector, created_by=world.admin
    )
    SchoolFactory.create_batch(3, office=world.office, name="名单里的学校")
    client.force_login(world.admin)
    response = client.get(reverse("visits:list"))
    body = response.content.decode()
    assert "名单里的学校" not in body and 'name="school_text"' in body
    response = client.get(reverse("visits:list"), {"school_text": world.zone_school.code})
    assert list(response.context["page"].object_list) == [theirs]
    response = client.get(reverse("visits:list"), {"inspector_text": world.inspector.phone})
    assert list(response.context["page"].object_list) == [mine]
    response = client.get(reverse("visits:list"), {"school_text": world.foreign_school.code})
    assert list(response.context["page"].object_list) == []
    assert response.context["form"].errors


def test_my_schools_admin_types_an_inspector(world, client, wide):
    client.force_login(world.admin)
    response = client.get(reverse("visits:my_schools"))
    assert 'name="inspector_text"' in response.content.decode()
    response = client.get(reverse("visits:my_schools"), {"inspector_text": world.inspector.phone})
    assert [r["school"] for r in response.context["rows"]] == [world.school]
    response = client.get(reverse("visits:my_schools"), {"inspector_text": world.inspector.name})
    assert [r["school"] for r in response.context["rows"]] == [world.school]
    # another county's inspector is not found, typed or linked
    response = client.get(
        reverse("visits:my_schools"), {"inspector_text": world.foreign_inspector.phone}
    )
    assert response.context["rows"] == [] and response.context["inspector"] is None
    client.force_login(world.other_admin)
    response = client.get(reverse("visits:my_schools"), {"inspector": world.inspector.pk})
    assert response.status_code == 404
