"""The ledger at province scale (issue 10): the page is cut on the bare ids before anything is
joined, so its rows, order and filters are unchanged and its query count does not grow; the
school and inspector filters are search fields for a wide scope (dudao/core/lookups.py)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.core import lookups
from dudao.rectification.ledger import filtered_findings, page_ids, rows_by_id
from dudao.rectification.models import FollowUp
from tests.factories import SchoolFactory
from tests.factories_supervision import FindingFactory

from .test_views_helpers import row_ids

LEDGER = "rectification:ledger"


def ordered_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-finding="(\d+)"', response.content.decode())]


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setattr(lookups, "SELECT_MAX", 1)


@pytest.fixture
def many(world):
    """40 findings over four schools of county A, some sharing a date (the pk breaks ties),
    one without a date found, and one of county B."""
    today = timezone.localdate()
    schools = [
        world.school,
        world.zone_school,
        world.far_school,
        SchoolFactory(office=world.office),
    ]
    rows = []
    for n in range(40):
        found_on = None if n == 7 else today - datetime.timedelta(days=n // 3)
        inspector = world.inspector if n % 2 else None
        rows.append(FindingFactory(school=schools[n % 4], found_on=found_on, inspector=inspector))
    FindingFactory(school=world.foreign_school)
    return rows


def expected_order(findings):
    """-found_on, -pk as the database sorts them (a missing date first, as PostgreSQL's DESC
    puts NULLs; SQLite puts them last)."""
    dated = sorted(
        (f for f in findings if f.found_on), key=lambda f: (f.found_on, f.pk), reverse=True
    )
    undated = sorted((f for f in findings if not f.found_on), key=lambda f: f.pk, reverse=True)
    if connection.vendor == "postgresql":
        return [f.pk for f in undated + dated]
    return [f.pk for f in dated + undated]


def test_pages_keep_the_order_and_rows(world, client, many):
    client.force_login(world.admin)
    first = ordered_ids(client.get(reverse(LEDGER)))
    second = ordered_ids(client.get(reverse(LEDGER), {"page": 2}))
    assert first + second == expected_order(many)
    assert len(first) == 25


def test_rows_by_id_equals_the_joined_queryset(world, many):
    FollowUp.objects.create(
        finding=many[3], result="rejected", checked_at=timezone.now() - datetime.timedelta(days=2)
    )
    _form, qs = filtered_findings(world.admin, {"inspector": world.inspector.pk})
    ids = list(page_ids(qs)[:25])
    rows = rows_by_id(qs, ids)
    assert [f.pk for f in rows] == ids == [pk for pk in expected_order(many) if pk in ids]
    assert all(f.inspector_id == world.inspector.pk for f in rows)
    by_pk = {f.pk: f for f in rows}
    assert by_pk[many[3].pk].last_follow_up is not None
    assert rows_by_id(qs, []) == []


def test_page_queries_do_not_grow_with_rows(world, client, many):
    client.force_login(world.admin)
    url = reverse(LEDGER)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"status": "active"})
    FindingFactory.create_batch(30, school=world.school, inspector=world.inspector)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url, {"status": "active"})
    assert len(ordered_ids(response)) == 25
    assert len(more) == len(few) <= 12, "\n".join(q["sql"] for q in more.captured_queries)
    # the joins and the follow-up subquery run only on the page's ids
    joined = [q["sql"] for q in more.captured_queries if "rectification_followup" in q["sql"]]
    assert len(joined) == 1 and "LIMIT 25" in joined[0]
    # the school's measures (its latest response) are a subquery of that same query
    assert "rectification_response" in joined[0]


def test_wide_filter_is_a_search_field_not_a_list(world, client, wide):
    others = SchoolFactory.create_batch(5, office=world.office, name="名单里的学校")
    client.force_login(world.admin)
    body = client.get(reverse(LEDGER)).content.decode()
    assert "名单里的学校" not in body and others[0].code not in body
    assert world.far_school.name not in body
    assert 'name="school_text"' in body and 'name="inspector_text"' in body
    assert "js/lookups.js" in body and reverse("core:lookup", args=["school"]) in body


def test_typed_code_filters_without_javascript(world, client, many, wide):
    client.force_login(world.admin)
    response = client.get(reverse(LEDGER), {"school_text": world.far_school.code})
    expected = {f.pk for f in many if f.school_id == world.far_school.pk}
    assert row_ids(response) == expected
    # the box now reads as the school, beside its hidden id
    body = response.content.decode()
    assert f'value="{world.far_school.code} {world.far_school.name}"' in body
    assert f'name="school" value="{world.far_school.pk}"' in body
    response = client.get(reverse(LEDGER), {"inspector_text": world.inspector.name})
    assert row_ids(response) == {f.pk for f in many if f.inspector_id == world.inspector.pk}


def test_another_countys_school_typed_shows_nothing(world, client, many, wide):
    client.force_login(world.admin)
    response = client.get(reverse(LEDGER), {"school_text": world.foreign_school.code})
    assert row_ids(response) == set()
    assert world.foreign_school.code in response.content.decode()  # left in the box
    response = client.get(reverse(LEDGER), {"school": world.foreign_school.pk})
    assert row_ids(response) == set()


def test_inspector_keeps_a_select_of_own_schools(world, client, many):
    client.force_login(world.inspector_user)
    body = client.get(reverse(LEDGER)).content.decode()
    assert '<select name="school"' in body and world.school.name in body
    assert world.far_school.name not in body
    shown = row_ids(client.get(reverse(LEDGER), {"school": world.school.pk}))
    own = {f.pk for f in many if f.school_id == world.school.pk}
    assert shown == own
