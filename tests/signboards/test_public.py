"""The public page a parent opens from the QR code on the board."""

import pytest
from django.urls import reverse

from tests.factories import SchoolFactory

from .helpers import give_photo


def public(client, school_or_code, **headers):
    code = getattr(school_or_code, "code", school_or_code)
    return client.get(reverse("signboards:public_school", args=[code]), **headers)


def test_public_page_needs_no_login_and_shows_who_supervises(world, client):
    world.school.address = "杭州市上城区湖滨路1号"
    world.school.save()
    world.office.email = "dudao@example.gov.cn"
    world.office.address = "杭州市上城区解放路100号"
    world.office.save()
    world.inspector.show_mobile_publicly = True  # the inspector agreed
    world.inspector.save()
    response = public(client, world.school)
    assert response.status_code == 200
    body = response.content.decode()
    assert "湖滨小学" in body
    assert "杭州市上城区湖滨路1号" in body
    assert world.school.township is None or world.school.township.name in body
    assert "张督学" in body
    assert f'href="tel:{world.inspector.phone}"' in body
    assert f'href="mailto:{world.inspector.email}"' in body
    assert world.office.name in body
    assert f'href="tel:{world.office.hotline}"' in body
    assert "dudao@example.gov.cn" in body and "杭州市上城区解放路100号" in body
    assert '<meta name="robots" content="noindex">' in body
    assert response["X-Robots-Tag"] == "noindex"


def test_public_page_shows_type_and_township_and_the_complaints_note(world, client):
    township = world.office.region.children.first()
    world.school.township = township
    world.school.save()
    client.cookies["django_language"] = "en"
    body = public(client, world.school).content.decode()
    assert township.name in body
    assert "Primary school" in body
    assert "Complaints and suggestions" in body


def test_public_page_exposes_nothing_else(world, client):
    world.school.enrolment_primary = 4321
    world.school.principal = "王某某"
    world.school.save()
    body = public(client, world.school).content.decode()
    assert "王某某" not in body
    assert world.school.phone not in body  # the school's own phone
    assert "4321" not in body  # enrolment
    assert "/accounts/logout/" not in body and 'id="nav"' not in body
    assert "echarts" not in body.lower() and "<script" not in body


def test_public_page_of_a_school_without_inspector(world, client):
    response = public(client, world.far_school)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="no-inspector"' in body
    assert "张督学" not in body


def test_public_page_photo_is_small_and_inline(world, client, media):
    give_photo(world.inspector)
    body = public(client, world.school).content.decode()
    assert 'src="data:image/jpeg;base64,' in body
    assert "/media/" not in body  # the original upload (with its EXIF) is never linked
    assert len(body) < 60_000


def test_public_page_survives_a_broken_photo(world, client, media):
    give_photo(world.inspector, b"garbage")
    response = public(client, world.school)
    assert response.status_code == 200
    assert "张督学" in response.content.decode()


@pytest.mark.parametrize("code", ["0000000000", "not-a-code", "31330"])
def test_unknown_code_is_not_found(world, client, code):
    assert public(client, code).status_code == 404


def test_inactive_school_is_not_found(world, client):
    closed = SchoolFactory(office=world.office, name="已撤并小学", is_active=False)
    assert public(client, closed).status_code == 404


def test_public_page_queries_are_few(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        public(client, world.school)
