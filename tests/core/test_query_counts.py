"""List pages run a fixed number of queries however many rows they show (no N+1)."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, InspectorFactory, SchoolFactory


@pytest.fixture
def crowded(world):
    for _ in range(30):
        school = SchoolFactory(office=world.office, zone=world.zone)
        inspector = InspectorFactory(office=world.office, zone=world.zone)
        AssignmentFactory(school=school, inspector=inspector, start_date=datetime.date(2026, 9, 1))
    return world


@pytest.mark.parametrize(
    ("name", "role", "limit"),
    [
        ("schools:list", "admin", 8),
        ("schools:list", "zone_leader", 8),
        ("schools:list", "viewer", 8),
        ("inspectors:list", "admin", 8),
        ("inspectors:zone_list", "admin", 6),
        ("inspectors:zone_detail", "admin", 8),
        ("inspectors:assignment_list", "admin", 7),
        ("audit:list", "admin", 7),
        ("core:home", "admin", 9),
    ],
)
def test_list_query_counts(crowded, client, django_assert_max_num_queries, name, role, limit):
    client.force_login(crowded.personas()[role])
    args = [crowded.zone.pk] if name == "inspectors:zone_detail" else None
    url = reverse(name, args=args)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


def test_school_list_filters(crowded, client):
    client.force_login(crowded.admin)
    body = client.get(reverse("schools:list"), {"q": "湖滨"}).content.decode()
    assert "湖滨小学" in body and "西湖小学" not in body
    body = client.get(reverse("schools:list"), {"type": "junior"}).content.decode()
    assert "城东中学" in body and "湖滨小学" not in body
    body = client.get(reverse("schools:list"), {"assigned": "no"}).content.decode()
    assert "城东中学" in body and "湖滨小学" not in body


def test_school_list_htmx_returns_fragment(crowded, client):
    client.force_login(crowded.admin)
    response = client.get(reverse("schools:list"), {"q": "湖滨"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "湖滨小学" in body


def test_bad_page_number_is_harmless(crowded, client):
    client.force_login(crowded.admin)
    assert client.get(reverse("schools:list"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("schools:list"), {"page": "9999"}).status_code == 200
