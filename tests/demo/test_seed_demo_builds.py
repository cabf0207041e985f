"""Demo builds that need a database of their own: refusals, dates before the reference
date, scale and photo files."""

import datetime

import pytest
from django.core.management import CommandError

from dudao.demo import generator
from dudao.inspectors.models import Assignment, Inspector
from dudao.organisations.models import Office
from dudao.schools.models import School, SchoolType

from .test_seed_demo import SCHOOLS, seed


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each build here counts its own files."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_too_few_schools_refused(db):
    with pytest.raises(CommandError):
        seed(schools=5, seed=1)


def test_current_assignments_never_start_in_the_future(db):
    today = datetime.date(2026, 3, 15)  # before the reference date (2026-09-01)
    generator.DemoBuilder(seed=3, schools=20, today=today).build()
    assert not Assignment.all_objects.filter(start_date__gt=today).exists()
    assert not Assignment.all_objects.filter(end_date__gte=today).exists()
    assert School.all_objects.filter(office__region__code="990121").count() == 20


@pytest.mark.parametrize("schools", [12, 300])
def test_scales(db, schools):
    generator.DemoBuilder(seed=5, schools=schools, skip=("supervision",)).build()
    office = Office.objects.get(region__code=generator.MAIN_COUNTY.code)
    assert office.schools.count() == schools
    assert set(office.schools.values_list("type", flat=True)) == set(SchoolType.values)
    unassigned = School.all_objects.filter(is_active=True).exclude(
        assignments__end_date__isnull=True
    )
    assert not unassigned.exists()


def test_reset_removes_photo_files_it_no_longer_uses(
    db, settings, django_capture_on_commit_callbacks
):
    # 35 inspectors in the main county (the supervision history is not needed here).
    generator.DemoBuilder(seed=1, schools=200, skip=("supervision",)).build()
    photos = settings.MEDIA_ROOT / "inspectors" / "photos"
    assert len(list(photos.iterdir())) == Inspector.all_objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        seed(schools=SCHOOLS, seed=1, reset=True)
    assert len(list(photos.iterdir())) == Inspector.all_objects.count() == 29
