"""Where each role lands after logging in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_school_users_land_on_their_findings(world, client):
    client.force_login(world.school_user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("rectification:school_findings")


@pytest.mark.parametrize("persona", ["admin", "zone_leader", "inspector", "viewer"])
def test_others_get_quick_links_to_their_work(world, client, persona):
    client.force_login(world.personas()[persona])
    body = client.get(reverse("core:home")).content.decode()
    assert reverse("dashboards:overview") in body
    assert reverse("rectification:ledger") in body
    assert (reverse("visits:my_schools") in body) == (persona in ("zone_leader", "inspector"))
