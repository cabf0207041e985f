"""Named personas (as in healthchecks' hc/test.py): one county office with every role, a
second county whose data must stay invisible, and a city viewer above the first county."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import timezone, translation

from dudao.accounts.models import Role, User

from .factories import (
    AssignmentFactory,
    InspectorFactory,
    OfficeFactory,
    SchoolFactory,
    UserFactory,
    ZoneFactory,
    region_chain,
    school_year_start,
)

pytest_plugins = ["tests.clock", "tests.browser_fixtures"]

PASSWORD = "Dudao-test-2026"


@dataclass
class World:
    office: object
    other_office: object
    zone: object
    school: object  # assigned to `inspector`, in `zone`
    zone_school: object  # in `zone`, assigned to `other_inspector`
    far_school: object  # same county, outside the zone, assigned to nobody
    foreign_school: object  # in the other county
    inspector: object
    leader: object  # the zone leader's inspector record
    other_inspector: object
    foreign_inspector: object
    assignment: object
    admin: User
    zone_leader: User
    inspector_user: User
    school_user: User
    viewer: User
    other_admin: User
    superuser: User

    def import_job(self):
        from dudao.imports.models import ImportJob

        return ImportJob.all_objects.create(
            office=self.office, kind="schools", created_by=self.admin, status="preview"
        )

    def personas(self):
        return {
            "admin": self.admin,
            "zone_leader": self.zone_leader,
            "inspector": self.inspector_user,
            "school": self.school_user,
            "viewer": self.viewer,
            "other_admin": self.other_admin,
            "superuser": self.superuser,
        }


@pytest.fixture(autouse=True)
def product_language():
    """Every test starts and ends in the product's language: one that activates English and
    forgets to leave it must not change what the next test writes."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty cache: login throttling and the public page's rate
    limit count there, and the pinned clock would carry one test's counts into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db):
    _, city, county, _township = region_chain()
    office = OfficeFactory(region=county, name="上城区人民政府教育督导室")
    _, _, other_county, _ = region_chain("320000", "320100", "320102", "玄武区")
    other_office = OfficeFactory(region=other_county, name="玄武区人民政府教育督导室")
    leader = InspectorFactory(office=office, name="李组长")
    zone = ZoneFactory(office=office, name="第一责任区", leader=leader)
    inspector = InspectorFactory(office=office, name="张督学", zone=zone)
    other_inspector = InspectorFactory(office=office, name="赵督学", zone=zone)
    foreign_inspector = InspectorFactory(office=other_office, name="钱督学")
    school = SchoolFactory(office=office, name="湖滨小学", zone=zone)
    zone_school = SchoolFactory(office=office, name="西湖小学", zone=zone)
    far_school = SchoolFactory(
        office=office, name="城东中学", type="junior", enrolment_primary=0, enrolment_junior=800
    )
    foreign_school = SchoolFactory(office=other_office, name="玄武小学")
    # Assignments began at the start of the school year before the pinned today.
    start = school_year_start(timezone.localdate())
    assignment = AssignmentFactory(inspector=inspector, school=school, start_date=start)
    AssignmentFactory(inspector=other_inspector, school=zone_school, start_date=start)
    AssignmentFactory(inspector=foreign_inspector, school=foreign_school, start_date=start)
    return World(
        office=office,
        other_office=other_office,
        zone=zone,
        school=school,
        zone_school=zone_school,
        far_school=far_school,
        foreign_school=foreign_school,
        inspector=inspector,
        leader=leader,
        other_inspector=other_inspector,
        foreign_inspector=foreign_inspector,
        assignment=assignment,
        admin=UserFactory(
            username="admin", role=Role.OFFICE_ADMIN, office=office, phone="13800000001"
        ),
        zone_leader=UserFactory(
            username="leader", role=Role.ZONE_LEADER, office=office, inspector=leader
        ),
        inspector_user=UserFactory(
            username="inspector", role=Role.INSPECTOR, office=office, inspector=inspector
        ),
        school_user=UserFactory(username="school", role=Role.SCHOOL, office=office, school=school),
        viewer=UserFactory(username="viewer", role=Role.VIEWER, office=None, region=city),
        other_admin=UserFactory(
            username="other_admin", role=Role.OFFICE_ADMIN, office=other_office
        ),
        superuser=UserFactory(
            username="root", role="", office=None, is_superuser=True, is_staff=True
        ),
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
