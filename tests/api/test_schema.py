"""The OpenAPI schema (drf-spectacular) at /api/v1/schema/, its Swagger UI page served from
our own static files under the policy (no inline script, no other origin), and schemathesis
against the schema: every operation, a bounded number of generated requests, no server
error."""

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Api, make_finding, token_for
from tests.factories_supervision import VisitFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 12  # per operation


def test_the_schema_describes_every_endpoint(world):
    response = Api(token_for(world.admin)).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/schools/",
        "/api/v1/inspectors/{id}/",
        "/api/v1/visits/",
        "/api/v1/visits/{id}/submit/",
        "/api/v1/findings/{id}/transitions/",
    ):
        assert path in paths
    assert "token" in schema["components"]["securitySchemes"]
    assert "Error" in schema["components"]["schemas"]


def test_the_docs_page_runs_under_the_policy(world, login):
    response = login(world.admin).get(reverse("api:docs"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    body = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", body)
    assert scripts and all("src=" in tag for tag in scripts)
    assert "<style" not in body and " style=" not in body
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', body)).replace("://", "")
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', body):
        assert finders.find(path), path


def test_the_docs_page_needs_a_login(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- schemathesis ---------------------------------------------------------------------------


@pytest.fixture
def api_token(world):
    make_finding(world)
    VisitFactory(school=world.school, created_by=world.inspector_user)
    return token_for(world.admin)


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler keeping the test's connection (as Django's test client does: no
    closing of "old" connections at the end of each request)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(api_token, wsgi_app, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_RATE_PER_MINUTE = 0  # generated requests are many; the limit has its test
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        wsgi_app,
        headers={"Authorization": f"Bearer {api_token}"},
    )


def test_no_generated_request_makes_a_server_error(api_schema, api_token):
    """Every operation of the schema, MAX_EXAMPLES generated requests each (derandomised, so
    a run is repeatable and fast): none answers 5xx."""
    failures, statuses = [], []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            response = case.call(headers={"Authorization": f"Bearer {api_token}"})
            statuses.append(response.status_code)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except AssertionError as error:
                failures.append(f"{case.method} {case.formatted_path}: {error}")
            except Exception as error:
                failures.append(f"{case.method} {case.formatted_path}: {error!r}")

        run()
    assert not failures, "\n".join(failures[:10])
    assert len(statuses) >= 5 * len(operations)
    assert {200, 400, 404} <= set(statuses), sorted(set(statuses))
