"""Writes through the API go through the services: a visit and its findings made once per
Idempotency-Key (also under two concurrent retries on PostgreSQL), If-Match guards every
update (412 when stale, 428 without it), refusals in the one error shape and the request's
language; cursor pages, the changes feed, NUL and the rate limit."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from dudao.audit.models import AuditEntry
from dudao.core.models import RequestKey
from dudao.rectification.models import Finding, FindingEvent
from dudao.visits.models import Visit
from tests.api.conftest import Api, make_finding, token_for, visit_payload

pytestmark = pytest.mark.django_db


def test_a_visit_is_submitted_with_its_findings(world):
    api = Api(token_for(world.inspector_user))
    response = api.post(reverse("api:visits"), visit_payload(world))
    assert response.status_code == 201, response.content
    body = response.json()
    visit = Visit.objects.unscoped().get()
    assert body["id"] == visit.pk and body["status"] == "submitted"
    assert response["ETag"] == f'"{visit.version}"'
    assert response["Location"].endswith(reverse("api:visit", args=[visit.pk]))
    finding = Finding.objects.unscoped().get()
    assert finding.visit == visit and finding.created_by == world.inspector_user
    assert AuditEntry.objects.unscoped().filter(target_type="visits.Visit").exists()


def test_the_same_idempotency_key_makes_one_visit(world):
    api = Api(token_for(world.inspector_user))
    key = str(uuid.uuid4())
    first = api.post(reverse("api:visits"), visit_payload(world), **{"Idempotency-Key": key})
    again = api.post(reverse("api:visits"), visit_payload(world), **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Visit.objects.unscoped().count() == 1 and Finding.objects.unscoped().count() == 1
    assert RequestKey.objects.filter(action="api.visits.create").count() == 1
    other = api.post(
        reverse("api:visits"), visit_payload(world), **{"Idempotency-Key": str(uuid.uuid4())}
    )
    assert other.json()["id"] != first.json()["id"]


def test_the_same_client_uuid_finds_the_same_visit(world):
    api = Api(token_for(world.inspector_user))
    data = visit_payload(world, client_uuid=str(uuid.uuid4()))
    first = api.post(reverse("api:visits"), data)
    again = api.post(reverse("api:visits"), data)
    assert first.json()["id"] == again.json()["id"]
    assert Visit.objects.unscoped().count() == 1 and Finding.objects.unscoped().count() == 1


def test_an_invalid_idempotency_key_is_refused(world):
    api = Api(token_for(world.inspector_user))
    response = api.post(reverse("api:visits"), visit_payload(world), **{"Idempotency-Key": "x"})
    assert response.status_code == 400
    assert not Visit.objects.unscoped().exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_uuid", [False, True])
def test_two_concurrent_retries_make_one_visit(world, with_uuid):
    """Two requests with the same key at once, from two threads (PostgreSQL: real
    concurrency; the second waits on the key's unique index, or on the visit's client_uuid,
    and answers with the first one's visit)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent path needs PostgreSQL")
    secret = token_for(world.inspector_user)
    key = str(uuid.uuid4())
    data = visit_payload(world, **({"client_uuid": str(uuid.uuid4())} if with_uuid else {}))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            response = Api(secret).post(reverse("api:visits"), data, **{"Idempotency-Key": key})
            results.append((response.status_code, response.json().get("id")))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [status for status, _id in results] == [201, 201], results
    assert len({pk for _status, pk in results}) == 1
    assert Visit.objects.unscoped().count() == 1 and Finding.objects.unscoped().count() == 1


def test_a_refusal_has_the_error_shape_in_the_requests_language(world):
    """The service's DomainError (a visit in the future) with its field, in English or
    Chinese as Accept-Language asks."""
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    data = visit_payload(world, visited_at=future)
    secret = token_for(world.inspector_user)
    english = Api(secret, **{"Accept-Language": "en"}).post(reverse("api:visits"), data)
    chinese = Api(secret, **{"Accept-Language": "zh-hans"}).post(reverse("api:visits"), data)
    assert english.status_code == chinese.status_code == 400
    en, zh = english.json()["error"], chinese.json()["error"]
    assert en["code"] == zh["code"] == "refused"
    assert en["field"] == zh["field"] == "visited_at"
    assert en["message"] == "The visit time is in the future."
    with translation.override("zh-hans"):
        assert zh["message"] == translation.gettext("The visit time is in the future.")
    assert en["fields"] == {"visited_at": [en["message"]]}
    assert not Visit.objects.unscoped().exists()


def test_invalid_input_has_the_error_shape_too(world):
    api = Api(token_for(world.inspector_user), **{"Accept-Language": "en"})
    response = api.post(reverse("api:visits"), {"school": "x", "methods": ["flying"]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["field"] in ("school", "methods.0")
    assert set(error["fields"]) == {"school", "methods.0"}


def test_a_school_out_of_scope_is_unknown(world):
    api = Api(token_for(world.inspector_user))
    response = api.post(reverse("api:visits"), visit_payload(world, school=world.far_school.pk))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "school"


# --- updates: ETag and If-Match ---------------------------------------------------------------


def test_a_transition_needs_the_current_version(world):
    finding = make_finding(world)
    api = Api(token_for(world.admin))
    url = reverse("api:finding_transitions", args=[finding.pk])
    data = {"action": "withdraw", "note": "重复登记"}
    missing = api.post(url, data)
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"
    stale = api.post(url, data, **{"If-Match": f'"{finding.version + 1}"'})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert Finding.objects.unscoped().get().status == "open"
    etag = api.get(reverse("api:finding", args=[finding.pk]))["ETag"]
    done = api.post(url, data, **{"If-Match": etag})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "withdrawn"
    assert done["ETag"] == f'"{finding.version + 1}"'
    assert FindingEvent.objects.filter(finding=finding, action="withdraw").exists()
    again = api.post(url, data, **{"If-Match": etag})
    assert again.status_code == 412


def test_a_transition_the_workflow_refuses(world):
    finding = make_finding(world)
    api = Api(token_for(world.admin))
    url = reverse("api:finding_transitions", args=[finding.pk])
    response = api.post(url, {"action": "accept"}, **{"If-Match": f'"{finding.version}"'})
    assert response.status_code in (403, 409)
    assert response.json()["error"]["code"] in ("illegal_transition", "not_permitted")
    viewer = Api(token_for(world.viewer)).post(
        url, {"action": "withdraw", "note": "x"}, **{"If-Match": f'"{finding.version}"'}
    )
    assert viewer.status_code == 403
    assert Finding.objects.unscoped().get().status == "open"


def test_the_school_responds_through_the_api(world):
    finding = make_finding(world)
    from dudao.rectification import services

    services.issue_notice(world.admin, [finding], expected_versions={finding.pk: finding.version})
    finding.refresh_from_db()
    api = Api(token_for(world.school_user))
    response = api.post(
        reverse("api:finding_transitions", args=[finding.pk]),
        {"action": "respond", "text": "已清理消防通道"},
        **{"If-Match": f'"{finding.version}"'},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "responded"


def test_a_draft_is_patched_with_if_match_and_submitted(world):
    api = Api(token_for(world.inspector_user))
    draft = api.post(reverse("api:visits"), visit_payload(world, submit=False)).json()
    assert draft["status"] == "draft"
    url = reverse("api:visit", args=[draft["id"]])
    stale = api.patch(url, {"summary": "改"}, **{"If-Match": '"99"'})
    assert stale.status_code == 412
    patched = api.patch(url, {"summary": "改"}, **{"If-Match": f'"{draft["version"]}"'})
    assert patched.status_code == 200 and patched.json()["summary"] == "改"
    submit = reverse("api:visit_submit", args=[draft["id"]])
    assert api.post(submit).status_code == 428
    done = api.post(submit, **{"If-Match": patched["ETag"]})
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert Finding.objects.unscoped().count() == 1


# --- pages, the changes feed ----------------------------------------------------------------


def test_cursor_pages_walk_every_row_once(world):
    for _ in range(5):
        make_finding(world)
    api = Api(token_for(world.admin))
    seen, url = [], reverse("api:findings") + "?page_size=2"
    while url:
        page = api.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(Finding.objects.unscoped().values_list("pk", flat=True), reverse=True)
    bad = api.get(reverse("api:findings"), {"cursor": "!!"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "cursor"
    assert api.get(reverse("api:findings"), {"page_size": 0}).status_code == 400


def test_the_changes_feed_follows_updated_at(world, clock):
    first, second = make_finding(world), make_finding(world)
    api = Api(token_for(world.admin))
    start = timezone.now()
    clock.shift(datetime.timedelta(minutes=5))
    url = reverse("api:finding_transitions", args=[first.pk])
    api.post(url, {"action": "withdraw", "note": "x"}, **{"If-Match": f'"{first.version}"'})
    feed = api.get(
        reverse("api:findings"), {"since": (start + datetime.timedelta(minutes=1)).isoformat()}
    )
    assert feed.status_code == 200
    assert [row["id"] for row in feed.json()["results"]] == [first.pk]
    everything = api.get(reverse("api:findings"), {"since": start.replace(year=2000).isoformat()})
    rows = everything.json()["results"]
    assert [row["id"] for row in rows] == [second.pk, first.pk]  # oldest change first
    resume = everything.json()["cursor"]
    later = api.get(reverse("api:findings"), {"since": "2000-01-01T00:00:00Z", "cursor": resume})
    assert later.json()["results"] == []
    assert api.get(reverse("api:visits"), {"since": "yesterday"}).status_code == 400


def test_nul_in_a_json_body_is_refused(world):
    api = Api(token_for(world.inspector_user))
    response = api.post(reverse("api:visits"), visit_payload(world, summary="a\x00b"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not Visit.objects.unscoped().exists()


def test_each_token_has_its_rate_limit(world, settings):
    settings.API_RATE_PER_MINUTE = 2
    one, two = Api(token_for(world.admin, "a")), Api(token_for(world.admin, "b"))
    assert [one.get(reverse("api:zones")).status_code for _ in range(3)] == [200, 200, 429]
    refused = one.get(reverse("api:zones"))
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) >= 1
    assert two.get(reverse("api:zones")).status_code == 200
