"""Lists count their rows up to COUNT_CAP (dudao/core/paging.py): past it the pager says
"more than" and the pages stop; the ledger counts everything."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from dudao.core import paging
from dudao.schools.models import School
from tests.factories import SchoolFactory


@pytest.fixture
def twelve(world):
    SchoolFactory.create_batch(12 - 3, office=world.office)  # with the world's three
    return School.all_objects.filter(office=world.office).order_by("pk")


def test_the_count_stops_at_the_cap(twelve):
    paginator = paging.CappedPaginator(twelve, 2, cap=5)
    assert paginator.count == 5 and paginator.capped and paginator.num_pages == 3
    assert list(paginator.page(3).object_list) == list(twelve[4:5])
    exact = paging.CappedPaginator(twelve, 2, cap=None)
    assert exact.count == 12 and not exact.capped and exact.num_pages == 6
    under = paging.CappedPaginator(twelve, 2, cap=12)
    assert under.count == 12 and not under.capped


def test_the_cap_is_one_query(twelve, django_assert_num_queries):
    paginator = paging.CappedPaginator(twelve, 2, cap=5)
    with django_assert_num_queries(1):
        assert paginator.count == 5 and paginator.capped


def test_paginate_uses_the_cap_unless_told(twelve, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    request = RequestFactory().get("/", {"page": "9"})
    page, _ = paging.paginate(request, twelve, per_page=2)
    assert page.paginator.capped and page.number == 3  # a page past the cap: the last one
    page, _ = paging.paginate(request, twelve, per_page=2, cap=None)
    assert not page.paginator.capped and page.paginator.count == 12


def test_a_capped_list_says_more_than(world, client, monkeypatch):
    SchoolFactory.create_batch(30, office=world.office)
    monkeypatch.setattr(paging, "COUNT_CAP", 26)
    client.force_login(world.admin)
    body = client.get(reverse("schools:list")).content.decode()
    assert "超过 26 条" in body
    monkeypatch.setattr(paging, "COUNT_CAP", 1000)
    body = client.get(reverse("schools:list")).content.decode()
    assert "超过" not in body and "共 33 条" in body
