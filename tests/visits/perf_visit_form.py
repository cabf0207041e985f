"""How much CPU the visit form costs to render (not part of the test run: the file name does
not start with test_). Run it by name:

    .venv/bin/pytest tests/visits/perf_visit_form.py -q -s -p no:randomly

It renders the inspector's new-visit form and a draft's form (an item marked "problem
found", so its finding fields are filled) with the Django test client, 200 times each, in the
factory world, then the new-visit form and its template alone, and prints the least and the
median CPU milliseconds per request (without the test environment's template
instrumentation, as a server renders).

(FORM_RENDERER=django.forms.renderers.DjangoTemplates in the environment measures with
Django's stock form renderer instead of the project's.)
"""

import os
import statistics
import time

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.base import Template
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import _TestState
from django.urls import reverse

from dudao.visits import services, views
from dudao.visits.forms import VisitForm

RUNS = 200


def _cpu_ms(page):
    page()  # warm the template cache
    samples = []
    for _ in range(RUNS):
        start = time.process_time()
        size = page()
        samples.append((time.process_time() - start) * 1000)
    return min(samples), statistics.median(samples), size


def _get(client, url):
    def page():
        response = client.get(url)
        assert response.status_code == 200
        return len(response.content)

    return page


def _form_only(user, school):
    """The form and its template alone (no middleware, session or queries but the
    template's own)."""
    request = RequestFactory().get(reverse("visits:new", args=[school.pk]))
    request.user, request.session = user, {}
    request._messages = FallbackStorage(request)
    kwargs = views._type_kwargs(school)

    def page():
        context = {
            "form": VisitForm(None, **kwargs),
            "school": school,
            "visit": None,
            "attachments": [],
            "photos": [],
            "focus_points": [],
            "focus_month": "2026-12",
            "storage_key": "k",
        }
        return len(render_to_string("visits/form.html", context, request))

    return page


@pytest.mark.django_db
def test_visit_form_cpu(world, settings, monkeypatch):
    settings.DEBUG = False
    if os.environ.get("FORM_RENDERER"):  # e.g. django.forms.renderers.DjangoTemplates
        settings.FORM_RENDERER = os.environ["FORM_RENDERER"]
    # The test environment wraps every template render to record its context (for
    # response.context); a server does not, and it costs most with many small templates.
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    client = Client()
    client.force_login(world.inspector_user)
    draft = services.save_draft(
        world.inspector_user,
        world.school,
        "6f1d0a52-4a55-4b8f-9a55-0c3a9a1b7e01",
        visited_at=None,
        areas=[
            {"area": 1, "status": "fine", "note": ""},
            {
                "area": 6,
                "status": "problem",
                "note": "消防通道堆放杂物",
                "finding": {"severity": "key", "deadline_kind": "by_date", "deadline": None},
            },
        ],
    )
    print()
    for label, page in (
        ("new visit form", _get(client, reverse("visits:new", args=[world.school.pk]))),
        ("draft form", _get(client, reverse("visits:edit", args=[draft.pk]))),
        ("form+template", _form_only(world.inspector_user, world.school)),
    ):
        least, median, size = _cpu_ms(page)
        print(f"{label:<16} min {least:6.2f} ms  median {median:6.2f} ms CPU  ({size} bytes)")
