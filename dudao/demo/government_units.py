"""The demo's government units (督政对象): each county's government, five of its departments
and one government per township region of the county (城关镇人民政府, 城南街道办事处), made
through `organisations.services.create_unit` as the system actor, like the rest of the
registry. Deterministic: no random choice, the numbers derive from the office's hotline.

`seed_government_units(office)` seeds one office; `build_step` / `reset_step` are the
`DemoBuilder` step over every demo county (its reset deletes the units before the regions
and offices they point to; an evaluation round's targets must go before it)."""

from dudao.core.guards import SYSTEM
from dudao.organisations import services
from dudao.organisations.models import GovernmentUnit, Office, Region

Kind = GovernmentUnit.Kind

# The departments the demo county supervises (县直部门), with a fictional contact each.
DEPARTMENTS = [
    ("教育局", "周建国"),
    ("财政局", "吴海燕"),
    ("人力资源和社会保障局", "郑志刚"),
    ("自然资源和规划局", "孙丽萍"),
    ("卫生健康局", "冯晓东"),
]
COUNTY_CONTACT = "陈立新"  # 县政府办公室
TOWNSHIP_CONTACTS = ["王红梅", "刘德华", "杨秀英", "黄志强", "赵雪梅", "林国平", "何春燕"]


def _area_code(office: Office) -> str:
    head = (office.hotline or "").split("-", 1)[0]
    return head if head.isdigit() and head.startswith("0") else ""


def _phone(office: Office, number: int) -> str:
    """A fictional landline of the county: its area code and 601xxxx."""
    area = _area_code(office)
    return f"{area}-601{number:04d}" if area else ""


def seed_government_units(office: Office) -> list[GovernmentUnit]:
    """The county government of `office`, its departments and its township governments (one
    per township region under the office's county, in code order). Returns them in order."""
    county = office.region
    made = [
        services.create_unit(
            SYSTEM,
            office,
            kind=Kind.COUNTY_GOVERNMENT,
            name=f"{county.name}人民政府",
            contact=COUNTY_CONTACT,
            phone=_phone(office, 1000),
            position=1,
        )
    ]
    for index, (department, contact) in enumerate(DEPARTMENTS, start=1):
        made.append(
            services.create_unit(
                SYSTEM,
                office,
                kind=Kind.DEPARTMENT,
                name=f"{county.name}{department}",
                parent=made[0],
                contact=contact,
                phone=_phone(office, 1000 + index * 10),
                position=index,
            )
        )
    townships = Region.objects.filter(parent=county, level=Region.Level.TOWNSHIP).order_by("code")
    for index, region in enumerate(townships, start=1):
        made.append(
            services.create_unit(
                SYSTEM,
                office,
                kind=Kind.TOWNSHIP,
                name=services.township_name(region),
                region=region,
                contact=TOWNSHIP_CONTACTS[(index - 1) % len(TOWNSHIP_CONTACTS)],
                phone=_phone(office, 2000 + index),
                position=index,
            )
        )
    return made


def build_step(ctx) -> None:
    """The DemoBuilder step: every demo county's units."""
    count = 0
    for county in ctx.counties:
        count += len(seed_government_units(county.office))
    ctx.log(f"government units: {count}")


def reset_government_units(office_ids) -> None:
    """Delete the demo offices' units: departments first (their parent is PROTECTed)."""
    units = GovernmentUnit.objects.unscoped().filter(office__in=office_ids)
    units.filter(parent__isnull=False).delete()
    units.delete()


def reset_step(scope) -> None:
    reset_government_units(scope.office_ids)
