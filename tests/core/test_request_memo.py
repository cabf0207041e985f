"""Values read once per request (dudao/core/request_memo.py): an inspector's schools are read
by one query however many scoped queries a page runs; never across requests; read again after
a write in the same request; computed every time outside a request."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.accounts.scoping import findings_for, inspector_school_ids, schools_for
from dudao.core.request_memo import RequestMemoMiddleware, forget, memoised
from dudao.inspectors.models import current_school_ids
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _assignment_reads(queries) -> int:
    return sum('FROM "inspectors_assignment"' in q["sql"] for q in queries)


def in_request(function):
    """Run `function()` as a view would, inside the memo of one request."""
    outcome = {}

    def view(request):
        outcome["value"] = function()
        return HttpResponse()

    RequestMemoMiddleware(view)(RequestFactory().get("/"))
    return outcome["value"]


def test_outside_a_request_every_call_computes():
    calls = []
    assert memoised("k", lambda: calls.append(1) or len(calls)) == 1
    assert memoised("k", lambda: calls.append(1) or len(calls)) == 2


def test_inside_a_request_once_per_key_and_forget_drops_it():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    def body():
        first = memoised("k", compute), memoised("k", compute), memoised("other", compute)
        forget()
        return (*first, memoised("k", compute))

    assert in_request(body) == (1, 1, 2, 3)
    # The next request starts empty.
    assert in_request(lambda: memoised("k", compute)) == 4


def test_an_inspectors_page_reads_their_schools_once(world, login):
    client = login(world.inspector_user)
    client.get(reverse("rectification:ledger"))  # the session is cached after a first page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("rectification:ledger"))
    assert response.status_code == 200
    assert _assignment_reads(queries.captured_queries) == 1
    # The inspector record comes with the user, in one query.
    user_reads = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(user_reads) == 1 and 'JOIN "inspectors_inspector"' in user_reads[0]
    whole_record = 'SELECT "inspectors_inspector"."id", "inspectors_inspector"."office_id"'
    assert not any(q["sql"].startswith(whole_record) for q in queries.captured_queries)


def test_a_reassignment_in_the_same_request_is_seen(world):
    user = world.inspector_user

    def body():
        before = inspector_school_ids(user), current_school_ids(world.inspector.pk)
        AssignmentFactory(
            inspector=world.inspector,
            school=world.far_school,
            start_date=world.assignment.start_date,
        )  # post_save forgets
        after = inspector_school_ids(user), current_school_ids(world.inspector.pk)
        visible = set(schools_for(user).values_list("pk", flat=True))
        findings_for(user).count()  # a scope built on the new ids runs
        return before, after, visible

    before, after, visible = in_request(body)
    assert before == ([world.school.pk], [world.school.pk])
    assert sorted(after[0]) == sorted([world.school.pk, world.far_school.pk])
    assert sorted(after[1]) == sorted([world.school.pk, world.far_school.pk])
    assert visible == {world.school.pk, world.far_school.pk}


def test_no_memo_leaks_between_users_in_one_request(world):
    """Keys carry the user: the zone leader's wider scope is not the inspector's."""

    def body():
        return inspector_school_ids(world.inspector_user), inspector_school_ids(world.zone_leader)

    mine, leaders = in_request(body)
    assert mine == [world.school.pk]
    assert set(leaders) >= {world.school.pk, world.zone_school.pk}
