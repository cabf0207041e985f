"""The finding screens as a reader sees them (issue 11 §6): the follow-up review puts the
school's response and its evidence before the accept and reject buttons, and reject is not the
most prominent button; on 本校问题 the whole card opens the finding."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from dudao.rectification.models import RectificationEvidence

from .helpers import perform
from .test_views_helpers import png_upload


def detail_url(finding):
    return reverse("rectification:finding_detail", args=[finding.pk])


def action_url(finding, action):
    return reverse("rectification:finding_action", args=[finding.pk, action])


def test_the_review_shows_the_response_and_evidence_before_the_buttons(world, client, finding):
    perform("issue_notice", finding, world.inspector_user)
    client.force_login(world.school_user)
    client.post(
        action_url(finding, "respond"),
        {"expected_version": 2, "text": "杂物已全部清理", "files": [png_upload()]},
    )
    client.force_login(world.inspector_user)
    body = client.get(detail_url(finding)).content.decode()
    response = body.index("杂物已全部清理")
    photo = RectificationEvidence.objects.get()
    evidence = body.index(reverse("rectification:finding_file", args=[photo.pk]))
    accept = body.index(action_url(finding, "accept"))
    reject = body.index(action_url(finding, "reject"))
    assert response < accept and response < reject
    assert evidence < accept and evidence < reject
    # Accept is the primary button; reject is an outline, not a solid red button.
    assert '<summary class="btn" data-action="accept">' in body
    assert '<summary class="btn danger-outline" data-action="reject">' in body
    assert '<summary class="btn danger" data-action="reject">' not in body


def test_a_school_opens_a_finding_from_anywhere_on_its_card(world, client, finding):
    client.force_login(world.school_user)
    body = client.get(reverse("rectification:school_findings")).content.decode()
    assert f'<a class="row-link" href="{detail_url(finding)}">' in body
    css = Path(finders.find("css/rectification.css")).read_text(encoding="utf-8")
    assert ".rect-card .row-link::after" in css  # the link's box covers the card
