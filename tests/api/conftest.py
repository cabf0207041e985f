import datetime

import pytest
from django.test import Client
from django.utils import timezone

from dudao.api import services as api_services
from dudao.rectification import services as rectification


def token_for(user, name="phone") -> str:
    _token, secret = api_services.create_token(user, name=name)
    return secret


class Api:
    """A client that sends a token, JSON bodies and any headers."""

    def __init__(self, secret=None, client=None, **headers):
        self.client = client or Client()
        self.headers = dict(headers)
        if secret:
            self.headers["Authorization"] = f"Bearer {secret}"

    def get(self, url, params=None, **headers):
        return self.client.get(url, params or {}, headers={**self.headers, **headers})

    def post(self, url, data=None, **headers):
        return self.client.post(
            url, data or {}, content_type="application/json", headers={**self.headers, **headers}
        )

    def patch(self, url, data=None, **headers):
        return self.client.patch(
            url, data or {}, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def api_as():
    """api_as(user) → an Api client with a fresh token of that user."""

    def make(user, **headers):
        return Api(token_for(user), **headers)

    return make


def make_finding(world, school=None, actor=None, **kwargs):
    fields = {
        "school": school or world.school,
        "area": 6,
        "description": "消防通道堆放杂物",
        "deadline_kind": "by_date",
        "deadline": timezone.localdate() + datetime.timedelta(days=7),
    }
    fields.update(kwargs)
    return rectification.create_finding(actor or world.admin, **fields)


def visit_payload(world, **extra):
    visited_at = min(
        timezone.now() - datetime.timedelta(minutes=5),
        timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(9))),
    )
    data = {
        "school": world.school.pk,
        "visited_at": visited_at.isoformat(),
        "methods": ["campus_walk"],
        "summary": "巡查校园",
        "areas": [
            {"area": 1, "status": "fine"},
            {
                "area": 6,
                "status": "problem",
                "note": "消防通道堆放杂物",
                "finding": {"severity": "general", "deadline_kind": "on_the_spot"},
            },
        ],
    }
    data.update(extra)
    return data
