"""Factories for visits and rectification rows, for figures and fixtures. They write rows
directly (no services, no audit): use the services in tests of behaviour."""

import datetime
import uuid

import factory
from django.utils import timezone

from dudao.rectification.models import Finding
from dudao.visits.models import Visit

from .factories import SchoolFactory, UserFactory


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """An aware datetime at `hour` o'clock Beijing time on `day`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def earlier_today() -> datetime.datetime:
    """09:00 today, or a minute ago when the pinned clock is earlier (00:30 say): never in the
    future, always today in Beijing."""
    return min(at(timezone.localdate()), timezone.now() - datetime.timedelta(minutes=1))


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    school = factory.SubFactory(SchoolFactory)
    office = factory.LazyAttribute(lambda o: o.school.office)
    inspector = None
    created_by = factory.SubFactory(UserFactory)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    status = Visit.Status.SUBMITTED
    visited_at = factory.LazyFunction(earlier_today)
    visited_on = factory.LazyAttribute(lambda o: timezone.localdate(o.visited_at))
    submitted_at = factory.LazyAttribute(lambda o: o.visited_at)
    methods = factory.LazyFunction(lambda: ["campus_walk"])
    minimums = factory.LazyFunction(list)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    school = factory.SubFactory(SchoolFactory)
    office = factory.LazyAttribute(lambda o: o.school.office)
    found_on = factory.LazyFunction(timezone.localdate)
    area = 6
    description = "消防通道堆放杂物"
    deadline_kind = Finding.DeadlineKind.BY_DATE
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
