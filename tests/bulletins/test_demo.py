"""The demo's bulletins (`dudao.demo.bulletins`, step "bulletins", not yet wired into
`seed_demo`): numbered 通报, a 通知 and 简报 issues published in date order, a draft, some
read and some not, the reminder; deterministic; nothing dated at or after today; the reset
deletes it all. The registry and the campaigns step are built first (the schools' and
inspectors' accounts), once per module."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation

from dudao.accounts.scoping import bulletins_for
from dudao.bulletins.models import (
    Bulletin,
    BulletinEvent,
    BulletinRead,
    BulletinRecipient,
    Kind,
)
from dudao.demo import bulletins as demo
from dudao.demo import generator
from dudao.organisations.models import Office
from tests.clock import DEFAULT_NOW
from tests.demo.conftest import shared_build

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-bulletins")]
SKIP = ("supervision", "balance monitoring", "evaluations", "bulletins", "surveys", "complaints")


def build_step(ctx):
    with translation.override(settings.LANGUAGE_CODE):
        demo.build_step(ctx)


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def media(settings, demo_media):
    settings.MEDIA_ROOT = demo_media


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, demo_media):
    with shared_build(DEFAULT_NOW, demo_media, django_db_blocker):
        ctx = generator.DemoBuilder(seed=1, schools=40, skip=SKIP).build()
        build_step(ctx)
        yield ctx


@pytest.fixture
def office(built):
    return Office.objects.get(region__code=generator.MAIN_COUNTY.code)


def test_numbered_documents_in_order(office):
    rows = list(
        Bulletin.objects.unscoped()
        .filter(office=office, status=Bulletin.Status.PUBLISHED)
        .order_by("published_at")
    )
    kinds = [b.kind for b in rows]
    assert kinds.count(Kind.BULLETIN) == 4 and kinds.count(Kind.NOTICE) == 1
    assert kinds.count(Kind.BRIEFING) == demo.BRIEFINGS
    for kind in Kind.values:
        of_kind = [b for b in rows if b.kind == kind]
        by_year = {}
        for b in of_kind:
            by_year.setdefault(b.year, []).append(b.sequence)
        for sequences in by_year.values():
            assert sequences == list(range(1, len(sequences) + 1))
    assert any(b.number.startswith("清督通〔") for b in rows)
    assert any(b.number.startswith("清督发〔") for b in rows)
    assert any(b.number.startswith("〔") and b.number.endswith("期") for b in rows)
    assert Bulletin.objects.unscoped().filter(office=office, status="draft").count() == 1
    assert (
        Bulletin.objects.unscoped().filter(office=office, publish_on_public_page=True).count() >= 3
    )


def test_some_read_some_not(office):
    for bulletin in Bulletin.objects.unscoped().filter(office=office, status="published"):
        recipients = BulletinRecipient.objects.unscoped().filter(bulletin=bulletin).count()
        read = (
            BulletinRead.objects.unscoped()
            .filter(bulletin=bulletin)
            .values("recipient")
            .distinct()
            .count()
        )
        assert recipients > 0
        assert read < recipients, bulletin.title
    assert BulletinRead.objects.unscoped().filter(office=office).count() > 20
    assert BulletinEvent.objects.filter(bulletin__office=office, action="reminded").exists()


def test_the_school_login_has_read_and_unread(built):
    from dudao.bulletins import queries

    user = built.users["school"]
    mine = queries.with_read_mark(bulletins_for(user).filter(status="published"), user)
    marks = [b.is_read for b in mine]
    assert True in marks and False in marks


def test_nothing_at_or_after_today(office):
    midnight = timezone.make_aware(datetime.datetime(2026, 11, 23))
    rows = Bulletin.objects.unscoped().filter(office=office)
    assert not rows.filter(created_at__gte=midnight).exists()
    assert not rows.filter(published_at__gte=midnight).exists()
    assert not BulletinRead.objects.unscoped().filter(read_at__gte=midnight).exists()


def test_deterministic_and_reset(built):
    scope = generator.DemoScope.current()
    first = demo.bulletins_fingerprint(scope)
    demo.reset_step(scope)
    assert not Bulletin.objects.unscoped().filter(office__in=scope.office_ids).exists()
    ctx = built
    build_step(ctx)
    assert demo.bulletins_fingerprint(scope) == first
