"""Replacing and resetting a report's Word template checks the acting user
(dudao/core/guards.py): the office admin, for its own office; everyone else gets NotPermitted
and nothing changes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from dudao.core.guards import SYSTEM
from dudao.reports import services
from dudao.reports.models import ReportTemplate
from tests.core.test_guards import assert_refused

# Another county's admin replaces its own county's template, not county A's (see below).
REFUSED = ["zone_leader", "inspector", "school", "viewer", "superuser"]


def docx_file() -> SimpleUploadedFile:
    document = Document()
    document.add_paragraph("{{ office.name }} 督导意见书")
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile("模板.docx", out.getvalue())


def upload(actor):
    return services.upload_template(actor, "notice", docx_file())


def reset(actor):
    return services.reset_template(actor, "notice")


@pytest.mark.parametrize("persona", REFUSED)
def test_only_an_office_admin_uploads(world, persona):
    assert_refused(upload, world.personas()[persona])


@pytest.mark.parametrize("persona", REFUSED)
def test_only_an_office_admin_resets(world, persona):
    upload(world.admin)
    assert_refused(reset, world.personas()[persona])


def test_the_office_admin_uploads_and_resets_its_own(world):
    template = upload(world.admin)
    assert template.office_id == world.office.pk
    upload(world.other_admin)  # its own county's
    assert reset(world.admin) is True
    assert list(ReportTemplate.objects.values_list("office_id", flat=True)) == [
        world.other_office.pk
    ]


def test_another_countys_admin_never_touches_this_countys_template(world):
    mine = upload(world.admin)
    assert reset(world.other_admin) is False
    assert ReportTemplate.objects.filter(pk=mine.pk).exists()


def test_the_system_has_no_office_to_act_for(world):
    assert_refused(upload, SYSTEM)
    assert_refused(reset, SYSTEM)
