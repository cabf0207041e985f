"""The demo generator (`manage.py seed_demo`): counts, consistency, recusal, logins,
idempotence and determinism. Small counties keep these fast."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dudao.accounts import scoping
from dudao.accounts.models import Role, User
from dudao.audit.models import AuditEntry
from dudao.demo import generator
from dudao.inspectors.models import Assignment, Conflict, Inspector, Zone
from dudao.inspectors.services import recusal_reason
from dudao.organisations.models import Office, Region
from dudao.schools.models import LEVELS_BY_TYPE, School, SchoolType
from dudao.schools.services import check_school_rules
from tests.clock import DEFAULT_NOW

from .conftest import shared_build

SCHOOLS = 40


def seed(*args, **options):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-seed")]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, demo_media):
    """The demo county, seeded once for the module (tests run in savepoints inside it)."""
    with shared_build(DEFAULT_NOW, demo_media, django_db_blocker):
        yield seed(schools=SCHOOLS, seed=1)


@pytest.fixture
def main_office(seeded):
    return Office.objects.get(region__code=generator.MAIN_COUNTY.code)


def test_two_offices_zones_inspectors_and_every_school_type(seeded, main_office):
    assert Office.objects.count() == 2
    assert main_office.name == "清河县人民政府教育督导室"
    assert main_office.document_prefix == "清督"
    assert main_office.zones.count() == 5
    assert main_office.inspectors.count() == 26
    assert main_office.schools.count() == SCHOOLS
    assert set(main_office.schools.values_list("type", flat=True)) == set(SchoolType.values)
    second = Office.objects.exclude(pk=main_office.pk).get()
    assert second.zones.count() == 1
    assert second.inspectors.count() == 3
    assert 6 <= second.schools.count() <= 12
    townships = Region.objects.filter(level="township", parent=main_office.region).count()
    assert 8 <= townships <= 12
    for zone in Zone.all_objects.all():
        assert zone.leader is not None and zone.leader.zone_id == zone.pk
    kinds = list(main_office.inspectors.values_list("kind", flat=True))
    assert kinds.count("responsible") > len(kinds) / 2
    assert {"principal", "parent", "invited"} <= set(kinds)
    assert main_office.inspectors.filter(employer_school__isnull=False).exists()


def test_schools_are_consistent_and_valid(seeded):
    schools = School.all_objects.select_related("office__region", "township", "zone", "host_school")
    assert schools.values("code").distinct().count() == schools.count()
    for school in schools:
        school.full_clean(exclude=["office"], validate_unique=False)
        check_school_rules(school)
        assert len(school.code) == 10 and school.code.isdigit()
        assert school.name.startswith(school.office.region.name)
        assert school.location == (
            "urban"
            if "街道" in school.township.name or school.township.name == "城关镇"
            else "rural"
        )
        levels = {
            level
            for level in ("kindergarten", "primary", "junior", "senior")
            if getattr(school, f"enrolment_{level}")
        }
        assert levels <= LEVELS_BY_TYPE[school.type]
        if school.type == SchoolType.TEACHING_POINT:
            assert school.host_school is not None
            assert school.host_school.township_id == school.township_id
            assert 10 <= school.total_enrolment <= 60
            assert school.name.endswith("教学点")
        elif school.type == SchoolType.PRIMARY and school.location == "urban":
            if school.ownership == "public":
                assert 800 <= school.total_enrolment <= 2500
        else:
            assert school.host_school is None


def test_every_active_school_has_one_current_assignment_without_recusal(seeded):
    today = timezone.localdate()
    for school in School.all_objects.filter(is_active=True):
        current = list(school.assignments.filter(end_date__isnull=True))
        assert len(current) == 1, school
        assert current[0].inspector.zone_id == school.zone_id
        assert current[0].start_date <= today
    for school in School.all_objects.filter(is_active=False):
        assert not school.assignments.filter(end_date__isnull=True).exists()
    for assignment in Assignment.all_objects.select_related("inspector", "school"):
        assert recusal_reason(assignment.inspector, assignment.school) is None
        assert assignment.inspector.kind in ("responsible", "principal")
        if assignment.end_date:
            assert assignment.end_date < today
    ended = Assignment.all_objects.filter(end_date__isnull=False).count()
    assert ended >= 0.1 * School.all_objects.count()


def test_recusal_has_visible_examples(seeded, main_office):
    assert Conflict.all_objects.filter(inspector__office=main_office).count() >= 2
    for conflict in Conflict.all_objects.all():
        assert recusal_reason(conflict.inspector, conflict.school)
        assert not conflict.school.assignments.filter(inspector=conflict.inspector).exists()
    employed = Inspector.all_objects.filter(employer_school__isnull=False)
    assert employed.exists()
    for inspector in employed:
        assert not Assignment.all_objects.filter(
            inspector=inspector, school=inspector.employer_school
        )


def test_inspectors_have_portraits(seeded):
    for inspector in Inspector.all_objects.all():
        with inspector.photo.open("rb") as f:
            image = Image.open(f)
            assert image.format == "JPEG"
            assert image.size == (300, 400)


def test_logins_authenticate_with_the_demo_password(seeded):
    for username in generator.DEMO_USERNAMES:
        assert authenticate(username=username, password="dudao2026") is not None, username
        assert authenticate(username=username, password="wrong-password") is None


def test_login_page_accepts_demo_logins(seeded, client):
    response = client.post(reverse("accounts:login"), {"login": "admin", "password": "dudao2026"})
    assert response.status_code == 302
    inspector = User.objects.get(username="inspector")
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"login": inspector.phone, "password": "dudao2026"}
    )
    assert response.status_code == 302


def test_logins_have_their_roles_and_scopes(seeded, main_office):
    users = {u.username: u for u in User.objects.filter(username__in=generator.DEMO_USERNAMES)}
    assert users["admin"].role == Role.OFFICE_ADMIN and users["admin"].office == main_office
    assert users["leader"].inspector.led_zones.exists()
    assert scoping.schools_for(users["inspector"]).count() >= 1
    assert scoping.schools_for(users["school"]).get() == users["school"].school
    assert users["school"].school in scoping.schools_for(users["inspector"])
    assert users["viewer"].region.level == "city"
    assert scoping.offices_for(users["viewer"]).count() == 2
    admin2_schools = scoping.schools_for(users["admin2"])
    assert admin2_schools.exists()
    assert not admin2_schools.filter(office=main_office).exists()
    assert users["root"].is_superuser
    for user in users.values():
        assert user.display_name


def test_output_lists_the_logins(seeded):
    for username in generator.DEMO_USERNAMES:
        assert username in seeded
    assert "dudao2026" in seeded


def test_audit_log_has_a_summary_not_a_row_per_school(seeded):
    assert AuditEntry.all_objects.filter(action="import").count() == 2
    assert not AuditEntry.all_objects.filter(target_type="schools.School", action="create").exists()


def test_if_empty_is_a_no_op_the_second_time(seeded):
    before = (
        School.all_objects.count(),
        Assignment.all_objects.count(),
        AuditEntry.all_objects.count(),
    )
    output = seed(schools=SCHOOLS, seed=2, if_empty=True)
    assert "not seeding" in output
    assert "admin2" in output
    assert (
        School.all_objects.count(),
        Assignment.all_objects.count(),
        AuditEntry.all_objects.count(),
    ) == before


def test_seeding_twice_without_flags_refuses(seeded):
    with pytest.raises(CommandError):
        seed(schools=SCHOOLS, seed=1)


def test_reset_and_determinism(seeded):
    first = generator.fingerprint()
    counts = (
        School.all_objects.count(),
        Inspector.all_objects.count(),
        AuditEntry.all_objects.count(),
    )
    seed(schools=SCHOOLS, seed=1, reset=True)
    assert generator.fingerprint() == first
    # Reset removed the demo's records before seeding again; the audit log is append-only,
    # so it kept the first seed's rows, added one row for the reset and the new seed's rows.
    assert (
        School.all_objects.count(),
        Inspector.all_objects.count(),
        AuditEntry.all_objects.count(),
    ) == (counts[0], counts[1], 2 * counts[2] + 1)
    assert AuditEntry.all_objects.filter(target_repr="demo data", action="delete").count() == 1
    call_command("verify_audit", stdout=io.StringIO())
    assert Region.objects.filter(code=generator.DEMO_PROVINCE_CODE).count() == 1
    seed(schools=SCHOOLS, seed=2, reset=True)
    assert generator.fingerprint() != first
    assert School.all_objects.count() == counts[0]


def test_reset_keeps_data_outside_the_demo(seeded):
    other = User.objects.create_user("someone", password="x-Long-password-1")
    seed(schools=SCHOOLS, seed=1, reset=True)
    assert User.objects.filter(pk=other.pk).exists()
