"""`audit.without_origin()`: audit rows written by the anonymous public keep no request origin
(address, user agent), while every other row of the same request keeps it; the origin is
back after the block, also after an error, and the blocks nest."""

import pytest
from django.test import RequestFactory

from dudao.audit import services as audit
from dudao.audit.middleware import RequestContextMiddleware, current_origin
from dudao.audit.models import AuditEntry

ADDRESS = "192.0.2.9"  # TEST-NET-1
AGENT = "Mozilla/5.0 (Linux; Android 10) 测试"


def in_request(function):
    """Run `function` as the view of a request from ADDRESS, through the audit middleware."""
    results = []

    def view(request):
        results.append(function())
        return None

    request = RequestFactory().get("/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    RequestContextMiddleware(view)(request)
    return results[0]


def entries():
    return AuditEntry.objects.unscoped().order_by("pk")


def test_rows_inside_the_block_keep_no_origin(world):
    def writes():
        audit.record(world.admin, audit.Action.UPDATE, world.school, {"before": 1})
        with audit.without_origin():
            assert current_origin() == (None, "")
            audit.record(world.admin, audit.Action.CREATE, world.school, {"public": 1})
        audit.record(world.admin, audit.Action.DELETE, world.school, {"after": 1})
        return current_origin()

    assert in_request(writes) == (ADDRESS, AGENT)
    before, public, after = entries()
    assert (before.ip, before.user_agent) == (ADDRESS, AGENT)
    assert (public.ip, public.user_agent) == (None, "")
    assert (after.ip, after.user_agent) == (ADDRESS, AGENT)


def test_the_origin_is_back_after_an_error_and_blocks_nest(db):
    def run():
        with pytest.raises(RuntimeError), audit.without_origin():
            with audit.without_origin():
                assert current_origin() == (None, "")
            assert current_origin() == (None, "")
            raise RuntimeError
        return current_origin()

    assert in_request(run) == (ADDRESS, AGENT)
    assert current_origin() == (None, "")  # outside any request


def test_the_language_stays_the_caller_s(db):
    from django.utils import translation

    with translation.override("en"), audit.without_origin():
        assert translation.get_language() == "en"


def test_a_public_complaint_keeps_no_address_but_the_office_s_triage_does(world, client, clock):
    """Through the real pages: the public's form, then the office's action, each from its
    own address."""
    from django.urls import reverse

    from dudao.complaints.models import Complaint
    from tests.complaints.helpers import form_data

    url = f"{reverse('complaints_public:new')}?school={world.school.code}"
    response = client.post(url, form_data(world, clock, anonymous="on"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    complaint = Complaint.objects.unscoped().get()
    intake = entries().get(target_type="complaints.Complaint")
    assert intake.ip is None and intake.user_agent == ""

    client.force_login(world.admin)
    client.post(
        reverse("complaints:action", args=[complaint.pk, "assign"]),
        {"expected_version": complaint.version, "inspector": world.inspector.pk},
        REMOTE_ADDR="198.51.100.4",
    )
    triage = entries().filter(target_type="complaints.Complaint").exclude(pk=intake.pk)
    assert triage.exists()
    assert {row.ip for row in triage} == {"198.51.100.4"}
    assert not entries().filter(ip=ADDRESS).exists()
