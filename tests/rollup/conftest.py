import pytest

from dudao.organisations.models import Region
from tests.factories import InspectorFactory, OfficeFactory, RegionFactory, SchoolFactory


@pytest.fixture
def second_county(world):
    """A second county office in the viewer's city (杭州市), with two schools and an
    inspector; `world.other_office` stays outside the city."""
    city = Region.objects.get(code="330100")
    county = RegionFactory(code="330105", name="拱墅区", level="county", parent=city)
    office = OfficeFactory(region=county, name="拱墅区人民政府教育督导室")
    inspector = InspectorFactory(office=office, name="孙督学")
    schools = [
        SchoolFactory(office=office, name="拱墅小学"),
        SchoolFactory(office=office, name="运河中学"),
    ]
    return office, schools, inspector
