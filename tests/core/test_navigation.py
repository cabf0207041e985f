"""The navigation (dudao/core/context_processors.py): each role sees the links it may open,
the monthly focus points (月度督导要点) among them for the office and its inspectors, and one
link is active, the one leading to the page (issue 11 §6)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FOCUS = "visits:focus_list"


def nav(client, user, path):
    client.force_login(user)
    response = client.get(path, follow=True)  # home sends a school to its findings
    assert response.status_code == 200, (path, response.status_code)
    return response.context["nav_items"]


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("admin", True),
        ("zone_leader", True),
        ("inspector", True),
        ("viewer", True),
        ("school", False),
    ],
)
def test_the_focus_points_are_in_the_navigation_of_whoever_may_open_them(
    world, client, persona, shown
):
    user = world.personas()[persona]
    items = nav(client, user, reverse("core:home"))
    assert (reverse(FOCUS) in [item["url"] for item in items]) == shown
    for item in items:  # every link the role is shown opens for it
        response = client.get(item["url"], follow=True)
        assert response.status_code == 200, (persona, item["url"])


@pytest.mark.parametrize(
    ("persona", "path", "active"),
    [
        ("admin", "visits:focus_list", "visits:focus_list"),
        ("admin", "visits:list", "visits:list"),
        ("inspector", "visits:my_schools", "visits:my_schools"),
        ("admin", "core:home", "core:home"),
    ],
)
def test_one_link_is_active(world, client, persona, path, active):
    items = nav(client, world.personas()[persona], reverse(path))
    assert [item["url"] for item in items if item["active"]] == [reverse(active)]
