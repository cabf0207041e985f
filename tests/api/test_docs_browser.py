"""The API's documentation page in Chromium: Swagger UI loads the schema and lists the
operations under the site's Content-Security-Policy, with no violation and no script error."""

import pytest

from tests.browser_fixtures import log_in
from tests.security.test_headers import watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_runs_under_the_policy(world, page):
    seen = watch(page)
    log_in(page, world.admin)
    page.goto("/api/v1/docs/")
    page.locator(".opblock").first.wait_for(timeout=15000)
    assert page.locator(".opblock").count() >= 15
    assert "/api/v1/findings/{id}/transitions/" in page.content()
    assert seen() == []
