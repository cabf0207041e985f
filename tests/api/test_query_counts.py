"""List endpoints read a page in a fixed number of queries, however many rows it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import Api, make_finding, token_for
from tests.factories_supervision import VisitFactory

pytestmark = pytest.mark.django_db


def queries(api, url):
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["api:findings", "api:visits", "api:schools", "api:assignments"])
@pytest.mark.parametrize("persona", ["admin", "inspector"])
def test_a_page_costs_the_same_whatever_its_rows(world, name, persona):
    api = Api(token_for(world.personas()[persona]))
    url = reverse(name)
    api.get(url)  # the token's first use notes it (one write, once a minute)
    make_finding(world)
    VisitFactory(school=world.school, created_by=world.admin)
    few = queries(api, url)
    for _ in range(6):
        make_finding(world)
        VisitFactory(school=world.school, created_by=world.admin)
    assert queries(api, url) == few
    assert few <= 6
