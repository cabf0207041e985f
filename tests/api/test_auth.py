"""Who may call the API: a personal or device token, or the browser's session with its CSRF
token; a revoked token, a deactivated user or no credentials are refused (401) in the one
error shape. Tokens are created, listed and revoked on the account's pages, audited."""

import pytest
from django.test import Client
from django.urls import reverse

from dudao.api import services as api_services
from dudao.api.models import ApiToken
from dudao.audit.models import AuditEntry
from dudao.core.errors import NotPermitted
from tests.api.conftest import Api, token_for, visit_payload

pytestmark = pytest.mark.django_db


def test_a_token_reads_as_its_user(world):
    response = Api(token_for(world.inspector_user)).get(reverse("api:schools"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.school.pk]


def test_no_credentials_answer_401_in_the_error_shape(world):
    response = Client().get(reverse("api:schools"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert error["message"] and error["field"] is None


def test_a_revoked_token_is_refused(world):
    token, secret = api_services.create_token(world.inspector_user, name="phone")
    api = Api(secret)
    assert api.get(reverse("api:schools")).status_code == 200
    api_services.revoke_token(world.inspector_user, token)
    response = api.get(reverse("api:schools"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_an_unknown_or_malformed_token_is_refused(world):
    for header in ("Bearer dudao_nonsense", "Bearer", "Bearer a b", "Token x"):
        response = Client().get(reverse("api:schools"), headers={"Authorization": header})
        assert response.status_code == 401, header


def test_a_deactivated_users_token_is_refused(world):
    secret = token_for(world.inspector_user)
    world.inspector_user.is_active = False
    world.inspector_user.save()
    assert Api(secret).get(reverse("api:schools")).status_code == 401


def test_only_the_digest_is_stored_and_last_use_is_noted(world):
    token, secret = api_services.create_token(world.inspector_user, name="phone")
    assert secret.startswith("dudao_") and secret not in token.digest
    assert token.digest == api_services.digest(secret)
    assert token.last_used_at is None
    Api(secret).get(reverse("api:zones"))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_session_works_with_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.inspector_user)
    assert client.get(reverse("api:schools")).status_code == 200
    refused = client.post(
        reverse("api:visits"), visit_payload(world), content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    client.get(reverse("api_tokens:list"))  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        reverse("api:visits"),
        visit_payload(world),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201, accepted.content


def test_a_token_needs_no_csrf(world):
    api = Api(token_for(world.inspector_user), client=Client(enforce_csrf_checks=True))
    assert api.post(reverse("api:visits"), visit_payload(world)).status_code == 201


# --- the pages ------------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_the_creation_audited(world, login):
    client = login(world.inspector_user)
    page = client.get(reverse("api_tokens:list"))
    key = page.context["form"]["request_key"].value()
    response = client.post(reverse("api_tokens:list"), {"name": "张督学的手机", "request_key": key})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    token = ApiToken.objects.unscoped().get()
    assert token.office_id == world.office.pk and token.user == world.inspector_user
    assert AuditEntry.objects.unscoped().filter(target_type="api.ApiToken", action="create")
    # The same form posted again (a double tap) makes no second token and shows no secret.
    again = client.post(reverse("api_tokens:list"), {"name": "张督学的手机", "request_key": key})
    assert again.context["secret"] is None
    assert ApiToken.objects.unscoped().count() == 1
    listed = client.get(reverse("api_tokens:list")).content.decode()
    assert token.prefix in listed and secret not in listed


def test_the_owner_revokes_and_the_revocation_is_audited(world, login):
    token, _secret = api_services.create_token(world.inspector_user, name="phone")
    client = login(world.inspector_user)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.inspector_user
    entry = AuditEntry.objects.unscoped().filter(target_type="api.ApiToken", action="update").get()
    assert "revoked_at" in entry.changes


def test_the_office_admin_lists_and_revokes_the_offices_tokens(world, login):
    token, _secret = api_services.create_token(world.inspector_user, name="平板")
    api_services.create_token(world.other_admin, name="other county")
    client = login(world.admin)
    body = client.get(reverse("api_tokens:office")).content.decode()
    assert "平板" in body and "other county" not in body
    client.post(reverse("api_tokens:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_by == world.admin


def test_others_cannot_revoke_a_token(world, login):
    token, _secret = api_services.create_token(world.admin, name="admin's")
    for user in (world.inspector_user, world.other_admin, world.zone_leader):
        assert login(user).post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(NotPermitted):
        api_services.revoke_token(world.inspector_user, token)


def test_the_superuser_makes_no_tokens(world):
    with pytest.raises(NotPermitted):
        api_services.create_token(world.superuser, name="root")
    assert not ApiToken.objects.unscoped().exists()


def test_a_token_acts_only_as_its_user_sees(world):
    """A school user's token reads its own school and records no visit (403, nothing made)."""
    api = Api(token_for(world.school_user))
    assert [r["id"] for r in api.get(reverse("api:schools")).json()["results"]] == [world.school.pk]
    response = api.post(reverse("api:visits"), visit_payload(world))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_permitted"
