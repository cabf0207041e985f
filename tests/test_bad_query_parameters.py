"""Garbage in the query string (a mistyped month, a page number that is text, an id from
another county) never breaks a page: every GET URL of the matrix answers without a server
error, for every role."""

import pytest
from django.urls import reverse

from tests.test_authorization_matrix import MATRIX

GARBAGE = {
    "month": "2026-13",
    "year": "abc",
    "page": "x",
    "inspector": "abc",
    "school": "999999999",
    "zone": "-1",
    "office": "null",
    "status": "nonsense",
    "area": "99",
    "severity": "<script>",
    "overdue": "maybe",
    "found_from": "2026-02-30",
    "found_to": "yesterday",
    "q": "%' OR 1=1 --",
    "ruleset": "0",
    "preview": "2",
    "format": "exe",
}


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ["admin", "inspector", "school", "viewer", "superuser"])
def test_garbage_query_parameters_never_500(world, client, settings, tmp_path, name, role):
    settings.MEDIA_ROOT = tmp_path
    args_for, _expected = MATRIX[name]
    url = reverse(name, args=args_for(world) if args_for else None)
    client.raise_request_exception = False
    client.force_login(world.personas()[role])
    response = client.get(url, GARBAGE)
    assert response.status_code < 500, f"{role} GET {url}?… → {response.status_code}"
