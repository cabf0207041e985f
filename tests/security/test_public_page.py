"""Issue 9, item 2: the public school page /p/<code>/ published each inspector's mobile (also
their login) and answered 160 sequential codes from one address in 2.8 s.

Now the office chooses the contact shown (its public number, or the mobile only if the
inspector agreed) and the page is rate limited per client address."""

from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.inspectors.models import Inspector
from dudao.organisations.models import Office
from tests.factories import SchoolFactory

SCANNER = "203.0.113.80"


def public(client, code):
    return client.get(reverse("signboards:public_school", args=[code]))


def test_sequential_codes_from_one_address_are_refused(world, settings, clock):
    schools = [SchoolFactory(office=world.office, code=f"31010{n:05d}") for n in range(1, 41)]
    scanner = Client(REMOTE_ADDR=SCANNER)
    scanner.cookies["django_language"] = "en"
    statuses = [public(scanner, f"31010{n:05d}").status_code for n in range(1, 161)]
    allowed = settings.PUBLIC_PAGE_RATE
    assert statuses[:allowed] == [200] * allowed
    assert statuses[allowed:] == [429] * (160 - allowed)
    refused = public(scanner, schools[-1].code)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 60
    assert "no-store" in refused["Cache-Control"]
    body = refused.content.decode()
    assert "Too many school pages were opened from your network" in body
    assert schools[-1].name not in body
    # Pages already opened in this minute stay open (a parent reloading); others wait.
    assert public(scanner, schools[0].code).status_code == 200
    # Another address is not affected, and the next minute starts afresh.
    assert public(Client(REMOTE_ADDR="198.51.100.9"), schools[-1].code).status_code == 200
    clock.shift(61)
    assert public(scanner, schools[-1].code).status_code == 200


def test_one_page_opened_by_many_parents_behind_one_address(world, settings):
    """A parents' meeting behind one NAT: the same school's page, many times, stays open."""
    parents = Client(REMOTE_ADDR=SCANNER)
    for _ in range(settings.PUBLIC_PAGE_RATE * 3):
        assert public(parents, world.school.code).status_code == 200


def test_requests_beyond_the_request_rate_are_refused(world, settings):
    settings.PUBLIC_PAGE_REQUEST_RATE = 10
    client = Client(REMOTE_ADDR=SCANNER)
    statuses = [public(client, world.school.code).status_code for _ in range(12)]
    assert statuses == [200] * 10 + [429] * 2


def test_the_mobile_is_not_published_without_consent(world, client):
    world.zone_leader.phone = world.leader.phone  # the mobile is also a login
    world.zone_leader.save()
    body = public(client, world.school.code).content.decode()
    assert "张督学" in body
    assert world.inspector.phone not in body
    assert 'data-testid="inspector-phone"' not in body
    Office.objects.filter(pk=world.office.pk).update(public_phone="0571-86660000")
    body = public(client, world.school.code).content.decode()
    assert world.inspector.phone not in body
    assert 'href="tel:0571-86660000"' in body


def test_the_mobile_is_published_with_consent(world, client):
    Office.objects.filter(pk=world.office.pk).update(public_phone="0571-86660000")
    Inspector.all_objects.filter(pk=world.inspector.pk).update(show_mobile_publicly=True)
    body = public(client, world.school.code).content.decode()
    assert f'href="tel:{world.inspector.phone}"' in body
    assert "0571-86660000" not in body


def test_the_office_admin_records_consent_on_the_inspector_form(world):
    client = Client()
    client.force_login(world.admin)
    url = reverse("inspectors:edit", args=[world.inspector.pk])
    assert 'name="show_mobile_publicly"' in client.get(url).content.decode()
    data = {
        "name": world.inspector.name,
        "phone": world.inspector.phone,
        "show_mobile_publicly": "on",
        "employment": world.inspector.employment,
        "kind": world.inspector.kind,
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    world.inspector.refresh_from_db()
    assert world.inspector.show_mobile_publicly
    entry = AuditEntry.all_objects.filter(target_type="inspectors.Inspector").latest("pk")
    assert entry.changes["show_mobile_publicly"] == [False, True]


def test_the_office_admin_chooses_the_office_number(world):
    client = Client()
    client.force_login(world.admin)
    url = reverse("organisations:office")
    page = client.get(url).content.decode()
    assert 'name="public_phone"' in page
    response = client.post(url, {"hotline": "0571-12345", "public_phone": "not a phone"})
    assert response.status_code == 200
    assert response.context["form"].errors["public_phone"]
    response = client.post(url, {"hotline": world.office.hotline, "public_phone": "0571-86660000"})
    assert response.status_code == 302
    world.office.refresh_from_db()
    assert world.office.public_phone == "0571-86660000"
    entry = AuditEntry.all_objects.filter(target_type="organisations.Office").latest("pk")
    assert entry.changes["public_phone"] == ["", "0571-86660000"]
    # Only the office admin, of its own office.
    for user in (world.zone_leader, world.viewer, world.superuser):
        other = Client()
        other.force_login(user)
        assert other.get(url).status_code == 403
