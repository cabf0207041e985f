"""The new-finding form draws 整改方式 (立行立改 / 限期整改) as radios, as the visit form does
(issue 11 §1): one radio per way, the default checked, no drop-down, outside the rows whose
inputs are drawn full width."""

import re

from django.urls import reverse

from dudao.rectification.models import Finding

from .test_views_findings import finding_post

CREATE = "rectification:finding_create"


def fieldset(html: str) -> str:
    match = re.search(
        r'<fieldset class="rect-group" data-testid="deadline-kind">(.*?)</fieldset>', html, re.S
    )
    assert match, "the 整改方式 fieldset"
    return match.group(1)


def test_the_deadline_kind_is_drawn_as_radios(world, client):
    client.force_login(world.admin)
    html = client.get(reverse(CREATE)).content.decode()
    radios = re.findall(r'<input type="radio" name="deadline_kind" value="(\w+)"[^>]*>', html)
    assert radios == list(Finding.DeadlineKind.values)
    group = fieldset(html)
    assert len(re.findall(r'<label class="rect-choice"', group)) == len(radios)
    assert re.search(r'value="by_date"[^>]*checked', group)  # the default
    assert '<select name="deadline_kind"' not in html
    for label in Finding.DeadlineKind.labels:
        assert str(label) in group
    # the other fields keep their rows
    assert 'name="description"' in html and 'class="form-row"' in html


def test_a_choice_is_kept_and_its_error_shown_in_the_group(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse(CREATE), finding_post(school=world.school.pk, deadline_kind="nonsense")
    )
    assert response.status_code == 200
    assert 'role="alert"' in fieldset(response.content.decode())
    on_the_spot = finding_post(school=world.school.pk, deadline_kind="on_the_spot", deadline="")
    assert client.post(reverse(CREATE), on_the_spot).status_code == 302
    assert Finding.all_objects.get().deadline_kind == "on_the_spot"
