"""Every list answers what the persona's scope holds (`visible_to`), and an object out of
scope answers 404 like one that does not exist."""

import pytest
from django.urls import reverse

from dudao.inspectors.models import Assignment, Inspector, Zone
from dudao.rectification.models import Finding
from dudao.schools.models import School
from dudao.visits.models import Visit
from tests.api.conftest import Api, make_finding, token_for
from tests.factories_supervision import VisitFactory

pytestmark = pytest.mark.django_db

LISTS = {
    "api:schools": School,
    "api:inspectors": Inspector,
    "api:zones": Zone,
    "api:assignments": Assignment,
    "api:visits": Visit,
    "api:findings": Finding,
}
PERSONAS = ["admin", "zone_leader", "inspector", "school", "viewer", "other_admin"]


@pytest.fixture
def supervised(world):
    """A finding and a submitted visit at each school, and a draft of the inspector's."""
    for school in (world.school, world.zone_school, world.far_school):
        make_finding(world, school=school)
        VisitFactory(school=school, created_by=world.admin)
    make_finding(world, school=world.foreign_school, actor=world.other_admin)
    VisitFactory(school=world.foreign_school, created_by=world.other_admin)
    VisitFactory(school=world.school, created_by=world.inspector_user, status="draft")
    return world


def ids(api, name):
    rows, url = [], reverse(name)
    while url:
        page = api.get(url).json()
        rows += [row["id"] for row in page["results"]]
        url = page["next"]
    return rows


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_hold_exactly_the_scope(supervised, persona):
    user = supervised.personas()[persona]
    api = Api(token_for(user))
    for name, model in LISTS.items():
        expected = set(model.objects.visible_to(user).values_list("pk", flat=True))
        got = ids(api, name)
        assert len(got) == len(set(got)), name
        assert set(got) == expected, f"{persona} {name}"


OUT_OF_SCOPE = [
    ("inspector", "api:school", lambda w: w.far_school.pk),
    ("inspector", "api:school", lambda w: w.zone_school.pk),
    ("school", "api:school", lambda w: w.zone_school.pk),
    ("admin", "api:school", lambda w: w.foreign_school.pk),
    ("viewer", "api:school", lambda w: w.foreign_school.pk),
    ("inspector", "api:inspector", lambda w: w.other_inspector.pk),
    ("admin", "api:inspector", lambda w: w.foreign_inspector.pk),
    ("other_admin", "api:zone", lambda w: w.zone.pk),
    ("other_admin", "api:assignment", lambda w: w.assignment.pk),
    ("inspector", "api:finding", lambda w: Finding.objects.unscoped().get(school=w.far_school).pk),
    ("other_admin", "api:finding", lambda w: Finding.objects.unscoped().get(school=w.school).pk),
    ("zone_leader", "api:visit", lambda w: Visit.objects.unscoped().get(status="draft").pk),
    ("viewer", "api:visit", lambda w: Visit.objects.unscoped().get(status="draft").pk),
    ("admin", "api:school", lambda w: 10**12),
]


@pytest.mark.parametrize(("persona", "name", "pk"), OUT_OF_SCOPE)
def test_out_of_scope_looks_like_not_found(supervised, persona, name, pk):
    api = Api(token_for(supervised.personas()[persona]))
    response = api.get(reverse(name, args=[pk(supervised)]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_in_scope_detail_answers_with_its_etag(supervised):
    finding = Finding.objects.unscoped().get(school=supervised.school)
    api = Api(token_for(supervised.inspector_user))
    response = api.get(reverse("api:finding", args=[finding.pk]))
    assert response.status_code == 200
    assert response["ETag"] == f'"{finding.version}"'
    assert response.json()["version"] == finding.version
