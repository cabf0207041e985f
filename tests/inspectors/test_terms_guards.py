"""Terms, certificates and reminder days (docs/rules.md §31): every write service is the
office admin's of the inspector's office; everyone else (zone leader, inspector, school,
viewer, the other county's admin, the superuser, nobody) is refused and nothing is written."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.inspectors import term_services
from dudao.inspectors.models import Certificate, CertificateFile, Term
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused

DAY = datetime.timedelta(days=1)
SERVICES = [
    "create_term",
    "update_term",
    "delete_term",
    "create_certificate",
    "update_certificate",
    "delete_certificate",
    "delete_certificate_file",
    "save_reminder_days",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def records(world, today):
    term = Term.all_objects.create(
        office=world.office,
        inspector=world.inspector,
        start_date=today - 100 * DAY,
        end_date=today + 900 * DAY,
        letter_number="上督〔2025〕1号",
    )
    cert = term_services.create_certificate(
        world.admin,
        world.inspector,
        kind="qualification",
        name="督学资格证",
        issued_on=today - DAY,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"x" * 100),
    )
    return term, cert, cert.files.get()


def _calls(world, today, records):
    term, cert, stored = records
    return {
        "create_term": lambda actor: term_services.create_term(
            actor,
            world.other_inspector,
            start_date=today,
            end_date=today + 900 * DAY,
            letter_number="上督〔2026〕2号",
        ),
        "update_term": lambda actor: term_services.update_term(actor, term, letter_number="改"),
        "delete_term": lambda actor: term_services.delete_term(actor, term),
        "create_certificate": lambda actor: term_services.create_certificate(
            actor,
            world.inspector,
            kind="training",
            name="培训证书",
            issued_on=today,
            upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4\n" + b"y" * 100),
        ),
        "update_certificate": lambda actor: term_services.update_certificate(
            actor, cert, name="改"
        ),
        "delete_certificate": lambda actor: term_services.delete_certificate(actor, cert),
        "delete_certificate_file": lambda actor: term_services.delete_certificate_file(
            actor, stored
        ),
        "save_reminder_days": lambda actor: term_services.save_reminder_days(
            actor, world.office, term_reminder_days=30, certificate_reminder_days=30
        ),
    }


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("persona", NOT_THE_ADMIN)
def test_only_the_office_admin(world, today, records, service, persona):
    assert_refused(_calls(world, today, records)[service], world.personas()[persona])


@pytest.mark.parametrize("service", SERVICES)
def test_no_actor_is_refused(world, today, records, service):
    assert_refused(_calls(world, today, records)[service], None)


@pytest.mark.parametrize("service", SERVICES)
def test_the_office_admin_succeeds(world, today, records, service):
    _calls(world, today, records)[service](world.admin)


def test_the_other_countys_admin_cannot_touch_county_a(world, today, records):
    assert_refused(
        lambda actor: term_services.create_term(
            actor,
            world.inspector,
            start_date=today + 1000 * DAY,
            end_date=today + 2000 * DAY,
            letter_number="玄督〔2026〕1号",
        ),
        world.other_admin,
    )
    assert Term.objects.unscoped().count() == 1
    assert Certificate.objects.unscoped().count() == 1
    assert CertificateFile.objects.count() == 1
