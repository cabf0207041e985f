"""factory_boy factories for the registry. Codes and phones are unique per sequence."""

import datetime

import factory
from django.utils import timezone

from dudao.accounts.models import Role, User
from dudao.inspectors.models import Assignment, Inspector, RecusalGround, Zone
from dudao.organisations.models import Office, Region
from dudao.schools.models import School


def school_year_start(day: datetime.date | None = None) -> datetime.date:
    """1 September of the school year (September to August) that `day` (today under the
    pinned clock by default) belongs to."""
    day = day or timezone.localdate()
    year = day.year if day.month >= 9 else day.year - 1
    return datetime.date(year, 9, 1)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{330000 + n}")
    name = factory.Sequence(lambda n: f"地区{n}")
    level = Region.Level.PROVINCE


def region_chain(province="330000", city="330100", county="330102", county_name="上城区"):
    p = RegionFactory(code=province, name="浙江省", level="province")
    c = RegionFactory(code=city, name="杭州市", level="city", parent=p)
    k = RegionFactory(code=county, name=county_name, level="county", parent=c)
    t = RegionFactory(
        code=county + "001", name=county_name + "湖滨街道", level="township", parent=k
    )
    return p, c, k, t


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.LazyAttribute(lambda o: f"{o.region.name}人民政府教育督导室")
    region = factory.LazyFunction(lambda: region_chain()[2])
    hotline = "0571-87000000"


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"第{n}责任区")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    office = factory.SubFactory(OfficeFactory)
    code = factory.Sequence(lambda n: f"{3133000000 + n}")
    name = factory.Sequence(lambda n: f"实验小学{n}")
    type = "primary"
    enrolment_primary = 600
    principal = "王校长"
    phone = "0571-88880000"


class InspectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspector

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"督学{n}")
    gender = "female"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    email = factory.Sequence(lambda n: f"inspector{n}@example.org")


class RecusalGroundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecusalGround

    office = factory.SubFactory(OfficeFactory)
    name = "近亲属担任该单位领导"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    inspector = factory.SubFactory(InspectorFactory)
    school = factory.SubFactory(SchoolFactory)
    start_date = factory.LazyFunction(school_year_start)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICE_ADMIN
    office = factory.SubFactory(OfficeFactory)
    password = factory.PostGenerationMethodCall("set_password", "Dudao-test-2026")

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()
