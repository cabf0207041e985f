"""The deterministic demo county (`manage.py seed_demo`).

`DemoBuilder(seed, schools).build()` runs a list of steps over one `DemoContext` (the random
generator, the reference date, the regions, offices, schools and inspectors made so far).
Later issues add steps (visits, findings, resource data) by appending to `DemoBuilder.steps`;
a step may also provide a `reset` function, and `reset_demo_data()` runs those in reverse
order, so data that depends on the registry is deleted before the registry.

Determinism: every random choice comes from one `random.Random(seed)`, consumed in a fixed
order; no global random, no uuid4, no current time in the data. Dates are computed from the
school year that starts on `REFERENCE_DATE` (2026-09-01), except that the assignments are
anchored on the latest 1 September that is not after today, so that the current assignments
never start in the future and the ended ones are history.

Writes go through the services wherever they enforce rules (zones, inspectors, conflicts,
assignments with recusal, users). Schools are bulk-inserted for speed, after the same
`full_clean` and `check_school_rules` the school service applies; one summary audit row per
office records the import instead of one row per school.

Who acts (dudao/core/guards.py): the registry is seeded before any account exists, so the
services are called as the system actor (`SYSTEM`), which also creates each county's office
admin account; the other accounts are created by their county's office admin, and the
supervision history is recorded by the inspectors and office admins themselves.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import base_user
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from dudao.accounts import scoping
from dudao.accounts import services as accounts
from dudao.accounts.models import Role, User
from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.core.guards import SYSTEM
from dudao.inspectors import services as inspectors_services
from dudao.inspectors.models import (
    Assignment,
    Conflict,
    Inspector,
    RecusalGround,
    Zone,
    current_assignment_q,
)
from dudao.monitoring import demo as monitoring_demo
from dudao.organisations.models import Office, Region
from dudao.schools import services as schools_services
from dudao.schools.models import ENROLMENT_FIELDS, LEVELS_BY_TYPE, School, SchoolType

from . import bulletins as bulletins_demo
from . import government_units, names
from .avatars import avatar_jpeg
from .campaigns import build_campaigns, campaigns_fingerprint, reset_campaigns
from .complaints import build_complaints, complaints_fingerprint, reset_complaints
from .evaluations import build_evaluations, evaluations_fingerprint, reset_evaluations
from .supervision import build_supervision, reset_supervision, supervision_fingerprint
from .surveys import build_surveys, reset_surveys, surveys_fingerprint
from .training import build_step as build_training
from .training import reset_step as reset_training

PASSWORD = "dudao2026"  # noqa: S105  (the documented demo password)
REFERENCE_DATE = datetime.date(2026, 9, 1)  # start of the 2026-2027 school year
DEMO_PROVINCE_CODE = "990000"  # no real province has code 99
DEMO_USERNAMES = ["admin", "leader", "inspector", "school", "viewer", "admin2", "root"]
MIN_SCHOOLS = 12  # one of every type, plus a host for the teaching point

T = SchoolType


# --------------------------------------------------------------------------- the context


@dataclass(frozen=True)
class CountySpec:
    code: str
    name: str
    office_name: str
    document_prefix: str
    area_code: str  # landline prefix (fictional numbers)
    email_domain: str
    office_address: str
    hotline: str
    urban_townships: tuple[str, ...]
    rural_townships: tuple[str, ...]
    # The office number shown for inspectors who keep their mobile private (fictional).
    public_phone: str = ""


MAIN_COUNTY = CountySpec(
    code="990121",
    name="清河县",
    office_name="清河县人民政府教育督导室",
    document_prefix="清督",
    area_code="0792",
    email_domain="qinghe.example.org",
    office_address="青川市清河县城关镇府前街8号县教育局综合楼四楼",
    hotline="0792-6012315",
    urban_townships=tuple(names.URBAN_TOWNSHIPS),
    rural_townships=tuple(names.RURAL_TOWNSHIPS),
    public_phone="0792-6012300",
)
SECOND_COUNTY = CountySpec(
    code="990122",
    name="临川县",
    office_name="临川县人民政府教育督导室",
    document_prefix="临督",
    area_code="0793",
    email_domain="linchuan.example.org",
    office_address="青川市临川县城南街道文化路16号",
    hotline="0793-6321000",
    urban_townships=("城南街道",),
    rural_townships=("杏林镇", "青龙乡"),
    public_phone="0793-6321001",
)


@dataclass
class Township:
    region: Region
    name: str
    urban: bool
    index: int
    villages: list[str] = field(default_factory=list)

    def new_village(self, rng: random.Random) -> str:
        for _ in range(200):
            village = rng.choice(names.VILLAGE_FIRST) + rng.choice(names.VILLAGE_SECOND)
            if village not in self.villages and village not in self.name:
                self.villages.append(village)
                return village
        raise RuntimeError(f"No village names left in {self.name}")


@dataclass
class County:
    spec: CountySpec
    n_schools: int
    n_zones: int
    n_inspectors: int
    region: Region | None = None
    office: Office | None = None
    townships: list[Township] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    inspectors: list[Inspector] = field(default_factory=list)
    closing: list[School] = field(default_factory=list)  # merged teaching points
    principals: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id(school)
    used_people: set[str] = field(default_factory=set)
    used_emails: set[str] = field(default_factory=set)


@dataclass
class DemoContext:
    rng: random.Random
    seed: int
    reference_date: datetime.date
    today: datetime.date
    counties: list[County]
    province: Region | None = None
    city: Region | None = None
    used_phones: set[str] = field(default_factory=set)
    users: dict[str, User] = field(default_factory=dict)
    log: Callable[[str], None] = lambda message: None

    @property
    def main(self) -> County:
        return self.counties[0]

    @property
    def anchor(self) -> datetime.date:
        """The 1 September the current assignments start from: the reference date, or the
        latest 1 September before today when the reference date is still in the future."""
        limit = min(self.reference_date, self.today)
        year = limit.year if limit >= datetime.date(limit.year, 9, 1) else limit.year - 1
        return datetime.date(year, 9, 1)

    # Small helpers shared by the steps.

    def person(self, county: County, gender: str | None = None) -> tuple[str, str, str]:
        """A fictional (name, pinyin, gender), unique within the county."""
        rng = self.rng
        while True:
            sex = gender or rng.choice(["male", "female"])
            pool = names.GIVEN_MALE if sex == "male" else names.GIVEN_FEMALE
            surname, surname_py = rng.choice(names.SURNAMES)
            given = rng.sample(pool, 1 if rng.random() < 0.3 else 2)
            name = surname + "".join(c for c, _ in given)
            if name not in county.used_people:
                county.used_people.add(name)
                return name, surname_py + "".join(p for _, p in given), sex

    def mobile(self) -> str:
        prefixes = ["133", "135", "136", "137", "138", "139", "150", "151", "152", "157"]
        prefixes += ["158", "159", "177", "180", "181", "186", "187", "188", "189", "199"]
        while True:
            phone = self.rng.choice(prefixes) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def landline(self, county: County) -> str:
        while True:
            phone = (
                f"{county.spec.area_code}-{self.rng.randint(2, 8)}{self.rng.randrange(10**6):06d}"
            )
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def email(self, county: County, pinyin: str) -> str:
        local, n = pinyin, 1
        while local in county.used_emails:
            n += 1
            local = f"{pinyin}{n}"
        county.used_emails.add(local)
        return f"{local}@{county.spec.email_domain}"


# --------------------------------------------------------------------------- sizing


def type_counts(n: int) -> dict[str, int]:
    """A realistic mix for a county of `n` schools: mostly kindergartens and primary
    schools, a few secondary schools, one of every type."""
    counts = {
        T.SPECIAL: max(1, round(n / 300)),
        T.VOCATIONAL: max(1, round(n / 150)),
        T.TWELVE_YEAR: max(1, round(n / 400)),
        T.COMPLETE_SECONDARY: max(1, round(n / 100)),
        T.SENIOR: max(1, round(n / 100)),
        T.NINE_YEAR: max(1, round(n * 0.05)),
        T.JUNIOR: max(1, round(n * 0.09)),
        T.TEACHING_POINT: max(1, round(n * 0.08)),
    }
    rest = n - sum(counts.values())
    counts[T.KINDERGARTEN] = max(1, rest * 48 // 100)
    counts[T.PRIMARY] = rest - counts[T.KINDERGARTEN]
    return counts


def small_type_counts(n: int) -> dict[str, int]:
    """The second county: kindergartens, primary and junior schools only."""
    counts = {
        T.TEACHING_POINT: max(1, round(n * 0.08)),
        T.JUNIOR: max(1, round(n * 0.1)),
        T.NINE_YEAR: max(1, round(n * 0.08)),
    }
    rest = n - sum(counts.values())
    counts[T.KINDERGARTEN] = max(1, rest * 45 // 100)
    counts[T.PRIMARY] = rest - counts[T.KINDERGARTEN]
    return counts


def make_counties(n_schools: int) -> list[County]:
    second = max(8, n_schools // 20)
    return [
        County(
            MAIN_COUNTY,
            n_schools,
            n_zones=max(5, round(n_schools / 30)),
            n_inspectors=max(26, round(n_schools / 5.75)),
        ),
        County(
            SECOND_COUNTY,
            second,
            n_zones=max(1, round(second / 30)),
            n_inspectors=max(3, round(second / 5.75)),
        ),
    ]


# --------------------------------------------------------------------------- step: regions


def build_regions(ctx: DemoContext) -> None:
    ctx.province = Region.objects.create(code=DEMO_PROVINCE_CODE, name="江南省", level="province")
    ctx.city = Region.objects.create(
        code="990100", name="青川市", level="city", parent=ctx.province
    )
    for county in ctx.counties:
        spec = county.spec
        county.region = Region.objects.create(
            code=spec.code, name=spec.name, level="county", parent=ctx.city
        )
        county.office = Office.objects.create(
            name=spec.office_name,
            region=county.region,
            hotline=spec.hotline,
            public_phone=spec.public_phone,
            email=f"dudao@{spec.email_domain}",
            address=spec.office_address,
            document_prefix=spec.document_prefix,
        )
        inspectors_services.ensure_default_recusal_grounds(county.office)
        # Township count scales with the county: 8-12 for the default demo.
        total = len(spec.urban_townships) + len(spec.rural_townships)
        wanted = min(total, max(8, round(county.n_schools / 14)))
        n_urban = min(len(spec.urban_townships), max(1, round(wanted * 0.25)))
        n_rural = min(len(spec.rural_townships), wanted - n_urban)
        chosen = [(name, True) for name in spec.urban_townships[:n_urban]]
        chosen += [(name, False) for name in ctx.rng.sample(spec.rural_townships, n_rural)]
        serial = {"街道": 0, "镇": 100, "乡": 200}
        for index, (name, urban) in enumerate(chosen):
            suffix = "街道" if name.endswith("街道") else name[-1]
            serial[suffix] += 1
            region = Region.objects.create(
                code=f"{spec.code}{serial[suffix]:03d}",
                name=name,
                level="township",
                parent=county.region,
            )
            county.townships.append(Township(region, name, urban, index))


# --------------------------------------------------------------------------- step: zones


def build_zones(ctx: DemoContext) -> None:
    for county in ctx.counties:
        for i in range(county.n_zones):
            county.zones.append(
                inspectors_services.create_zone(
                    SYSTEM, county.office, name=f"第{names.cn_number(i + 1)}责任区"
                )
            )


# --------------------------------------------------------------------------- step: schools


TYPE_RANK = [
    T.SENIOR,
    T.COMPLETE_SECONDARY,
    T.TWELVE_YEAR,
    T.VOCATIONAL,
    T.SPECIAL,
    T.JUNIOR,
    T.NINE_YEAR,
    T.PRIMARY,
    T.KINDERGARTEN,
    T.TEACHING_POINT,
]


@dataclass
class Plan:
    township: Township
    type: str
    private: bool = False
    central: bool = False  # the township's central (or the county's flagship) school
    village: str = ""
    name: str = ""
    host: Plan | None = None
    active: bool = True
    order: int = 0
    school: School | None = None


class _Namer:
    """Realistic, unique school names for one county."""

    def __init__(self, ctx: DemoContext, county: County):
        self.ctx, self.rng, self.c = ctx, ctx.rng, county.spec.name
        self.used: set[str] = set()
        self.counters: dict[str, int] = {}

    def _next(self, key: str, start: int = 1) -> int:
        self.counters[key] = self.counters.get(key, start - 1) + 1
        return self.counters[key]

    def _take(self, name: str) -> str | None:
        if name in self.used:
            return None
        self.used.add(name)
        return name

    def _branded(self, pattern: str, brands: list[str], prefixes: list[str]) -> str:
        for prefix in prefixes:
            for brand in self.rng.sample(brands, len(brands)):
                name = self._take(pattern.format(c=self.c, p=prefix, b=brand))
                if name:
                    return name
        while True:  # very large counties: branch sites of a brand
            brand = self.rng.choice(brands)
            k = self._next("branch:" + brand, 2)
            name = self._take(pattern.format(c=self.c, p=prefixes[-1], b=brand + f"第{k}分"))
            if name:
                return name

    def _village(self, plan: Plan, suffix: str) -> str:
        while True:
            plan.village = plan.township.new_village(self.rng)
            name = self._take(f"{self.c}{plan.township.name}{plan.village}{suffix}")
            if name:
                return name

    def _numbered(self, key: str, pattern: str, start: int = 1) -> str:
        while True:
            name = self._take(pattern.format(c=self.c, n=names.cn_number(self._next(key, start))))
            if name:
                return name

    def _flagship(self, name: str) -> str | None:
        return self._take(self.c + name)

    def name(self, plan: Plan) -> str:
        t, tw, c = plan.type, plan.township, self.c
        first = plan.central
        if t == T.SENIOR:
            return self._numbered("middle", "{c}第{n}中学")
        if t == T.COMPLETE_SECONDARY:
            return self._numbered("middle", "{c}第{n}中学")
        if t == T.TWELVE_YEAR:
            return self._branded("{c}{p}{b}学校", names.PRIVATE_SCHOOL_BRANDS, ["", tw.name])
        if t == T.VOCATIONAL:
            for option in ["职业中学", "职业技术学校", "中等专业学校"]:
                if name := self._flagship(option):
                    return name
            return self._numbered("vocational", "{c}第{n}职业中学", 2)
        if t == T.SPECIAL:
            return self._flagship("特殊教育学校") or self._numbered(
                "special", "{c}第{n}特殊教育学校", 2
            )
        if t == T.JUNIOR:
            if tw.urban:
                return self._flagship("实验中学") or self._numbered("middle", "{c}第{n}中学")
            if first:
                return self._take(f"{c}{tw.name}中学") or self._village(plan, "中学")
            return self._village(plan, "中学")
        if t == T.NINE_YEAR:
            if tw.urban:
                if name := self._flagship("实验学校"):
                    return name
                return self._branded("{c}{p}{b}学校", names.STREETS, ["", tw.name])
            if first and (name := self._take(f"{c}{tw.name}中心学校")):
                return name
            return self._village(plan, "九年一贯制学校")
        if t == T.PRIMARY:
            if plan.private:
                return self._branded("{c}{p}{b}小学", names.PRIVATE_SCHOOL_BRANDS, ["", tw.name])
            if tw.urban:
                return self._flagship("实验小学") or self._numbered(
                    "primary:" + tw.name, f"{{c}}{tw.name}第{{n}}小学"
                )
            if first and (name := self._take(f"{c}{tw.name}中心小学")):
                return name
            return self._village(plan, "小学")
        if t == T.KINDERGARTEN:
            if plan.private:
                prefixes = ["", tw.name] if tw.urban else [tw.name]
                return self._branded("{c}{p}{b}幼儿园", names.PRIVATE_BRANDS, prefixes)
            if tw.urban:
                return self._flagship("实验幼儿园") or self._numbered(
                    "kindergarten", "{c}第{n}幼儿园"
                )
            if first and (name := self._take(f"{c}{tw.name}中心幼儿园")):
                return name
            return self._village(plan, "幼儿园")
        if t == T.TEACHING_POINT:
            return self._village(plan, "教学点")
        raise ValueError(t)


def plan_schools(ctx: DemoContext, county: County, counts: dict[str, int]) -> list[Plan]:
    rng = ctx.rng
    urban = [t for t in county.townships if t.urban]
    rural = [t for t in county.townships if not t.urban] or urban
    plans: list[Plan] = []

    # County-level secondary and special schools sit in the county seat and subdistricts.
    for t in [T.SENIOR, T.COMPLETE_SECONDARY, T.VOCATIONAL, T.SPECIAL, T.TWELVE_YEAR]:
        for i in range(counts.get(t, 0)):
            township = urban[0] if i == 0 else rng.choice(urban)
            plans.append(Plan(township, t, private=(t == T.TWELVE_YEAR), central=i == 0))

    # Every township first gets its central school of each kind, then the rest are spread
    # with the urban areas denser.
    first_pass = {
        T.PRIMARY: [urban[0], *rural, *urban[1:]],
        T.KINDERGARTEN: [urban[0], *rural, *urban[1:]],
        T.JUNIOR: [urban[0], *rural],
        T.NINE_YEAR: [urban[0], *rng.sample(rural, len(rural))],
    }
    urban_weight = {T.PRIMARY: 2.5, T.KINDERGARTEN: 2.5, T.JUNIOR: 2.0, T.NINE_YEAR: 0.5}
    for t, order in first_pass.items():
        weights = [urban_weight[t] if tw.urban else 1.0 for tw in county.townships]
        for i in range(counts.get(t, 0)):
            if i < len(order):
                township, central = order[i], True
            else:
                township, central = rng.choices(county.townships, weights)[0], False
            private = False
            if not central and t == T.KINDERGARTEN:
                private = rng.random() < (0.55 if township.urban else 0.35)
            elif not central and t == T.PRIMARY and township.urban:
                private = rng.random() < 0.06
            plans.append(Plan(township, t, private=private, central=central))

    # Teaching points belong to a central primary or nine-year school of a rural township.
    hosts = {}
    for plan in plans:
        if plan.central and plan.type in (T.PRIMARY, T.NINE_YEAR) and not plan.private:
            hosts.setdefault(plan.township.index, plan)
    rural_hosts = [hosts[t.index] for t in rural if t.index in hosts]
    host_pool = rural_hosts or list(hosts.values())
    points = []
    for _ in range(counts.get(T.TEACHING_POINT, 0)):
        host = rng.choice(host_pool)
        points.append(Plan(host.township, T.TEACHING_POINT, host=host))
    # A merged teaching point (撤并) or two: inactive, with only ended assignments.
    if len(points) >= 2:
        for plan in rng.sample(points, max(1, len(points) // 6)):
            plan.active = False
    plans += points

    namer = _Namer(ctx, county)
    for i, plan in enumerate(plans):
        plan.order = i
        plan.name = namer.name(plan)
    plans.sort(key=lambda p: (p.township.index, TYPE_RANK.index(p.type), p.order))
    return plans


def _enrolment(rng: random.Random, plan: Plan) -> dict[str, int]:
    def r(lo, hi, step=1):
        return rng.randrange(lo, hi + 1, step) if step > 1 else rng.randint(lo, hi)

    t, urban, central = plan.type, plan.township.urban, plan.central
    if t == T.KINDERGARTEN:
        if plan.private:
            return {"kindergarten": r(120, 380) if urban else r(60, 220)}
        if central:
            return {"kindergarten": r(350, 600) if urban else r(200, 420)}
        return {"kindergarten": r(260, 520) if urban else r(30, 120)}
    if t == T.PRIMARY:
        if plan.private:
            return {"primary": r(300, 900)}
        if urban:
            return {"primary": r(800, 2500)}
        return {"primary": r(400, 1200) if central else r(80, 400)}
    if t == T.TEACHING_POINT:
        primary = r(10, 50)
        preschool = r(3, min(10, 60 - primary)) if rng.random() < 0.4 else 0
        return {"primary": primary, "kindergarten": preschool}
    if t == T.JUNIOR:
        if urban:
            return {"junior": r(1000, 2500)}
        return {"junior": r(300, 900) if central else r(150, 400)}
    if t == T.NINE_YEAR:
        if urban:
            return {"primary": r(800, 1600), "junior": r(400, 900)}
        return {"primary": r(250, 800), "junior": r(150, 500)}
    if t == T.TWELVE_YEAR:
        return {"primary": r(500, 1100), "junior": r(400, 800), "senior": r(300, 700)}
    if t == T.COMPLETE_SECONDARY:
        return {"junior": r(700, 1400), "senior": r(1000, 2200)}
    if t == T.SENIOR:
        return {"senior": r(1800, 3600)}
    if t == T.VOCATIONAL:
        return {"senior": r(800, 2400)}
    if t == T.SPECIAL:
        return {
            "kindergarten": r(0, 12),
            "primary": r(40, 110),
            "junior": r(20, 60),
            "senior": r(0, 30),
        }
    raise ValueError(t)


def _address(ctx: DemoContext, county: County, plan: Plan) -> str:
    rng, tw = ctx.rng, plan.township
    base = f"青川市{county.spec.name}{tw.name}"
    if plan.village:
        return f"{base}{plan.village}村{names.cn_number(rng.randint(1, 9))}组"
    streets = names.STREETS if tw.urban else names.TOWN_STREETS
    return f"{base}{rng.choice(streets)}{rng.randint(1, 320)}号"


def _zone_index(i: int, total: int, zones: int) -> int:
    return i * zones // total


def build_schools(ctx: DemoContext) -> None:
    rng = ctx.rng
    for county in ctx.counties:
        counts = (type_counts if county is ctx.main else small_type_counts)(county.n_schools)
        plans = plan_schools(ctx, county, counts)
        code_prefix = f"3{county.spec.code[:2]}{county.spec.code[4:6]}"
        # Zones follow geography: contiguous runs of the township-ordered list.
        for i, plan in enumerate(plans):
            levels = _enrolment(rng, plan)
            if not set(levels) <= LEVELS_BY_TYPE[plan.type]:
                raise ValueError(f"Enrolment levels {levels} do not fit a {plan.type}")
            principal = ctx.person(county)
            phone = ctx.mobile() if plan.type == T.TEACHING_POINT else ctx.landline(county)
            plan.school = School(
                office=county.office,
                code=f"{code_prefix}{i + 1:05d}",
                name=plan.name,
                type=plan.type,
                ownership="private" if plan.private else "public",
                location="urban" if plan.township.urban else "rural",
                township=plan.township.region,
                zone=county.zones[_zone_index(i, len(plans), len(county.zones))],
                address=_address(ctx, county, plan),
                principal=principal[0],
                phone=phone,
                is_active=True,
                **{ENROLMENT_FIELDS[level]: n for level, n in levels.items()},
            )
            county.principals[id(plan.school)] = principal
        for plan in plans:  # a teaching point is supervised with its host: same zone
            if plan.host is not None:
                plan.school.zone = plan.host.school.zone
                plan.school.host_school = plan.host.school
        # Hosts first (a teaching point needs its host's primary key), then teaching points.
        for batch in (
            [p for p in plans if p.host is None],
            [p for p in plans if p.host is not None],
        ):
            for plan in batch:
                if plan.host is not None:  # now that the host has its primary key
                    plan.school.host_school = plan.host.school
                _validate_school(plan.school)
            School.objects.unscoped().bulk_create([p.school for p in batch], batch_size=500)
        county.schools = [p.school for p in plans]
        county.closing = [p.school for p in plans if not p.active]


def _validate_school(school: School) -> None:
    """The validation `schools.services.create_school` applies, without its audit row."""
    school.full_clean(exclude=["office"], validate_unique=False)
    schools_services.check_school_rules(school)


# --------------------------------------------------------------------------- step: inspectors


@dataclass
class InspectorSpec:
    kind: str
    employment: str
    zone: Zone | None = None
    leader: bool = False
    employer_school: School | None = None
    employer_name: str = ""
    person: tuple[str, str, str] | None = None


def _inspector_specs(ctx: DemoContext, county: County) -> list[InspectorSpec]:
    rng, n, zones = ctx.rng, county.n_inspectors, county.zones
    county_name = county.spec.name
    n_parent = round(n * 0.04) if county is ctx.main else 0
    n_invited = round(n * 0.04) if county is ctx.main else 0
    n_principal = max(1, round(n * 0.12)) if county is ctx.main else 0
    n_responsible = n - n_parent - n_invited - n_principal
    n_full = max(len(zones), round(n_responsible * 0.3))
    n_school_staff = round(n_responsible * 0.25)

    leaders = [InspectorSpec("responsible", "full_time", leader=True) for _ in zones]
    others = [InspectorSpec("parent", "part_time") for _ in range(n_parent)]
    others += [InspectorSpec("invited", "part_time") for _ in range(n_invited)]
    others += [InspectorSpec("principal", "part_time") for _ in range(n_principal)]
    rest = [InspectorSpec("responsible", "full_time") for _ in range(n_full - len(zones))]
    rest += [InspectorSpec("responsible", "part_time") for _ in range(n_school_staff)]
    rest += [
        InspectorSpec("responsible", "part_time")
        for _ in range(n_responsible - n_full - n_school_staff)
    ]
    specs = leaders + others + rng.sample(rest, len(rest))
    for i, spec in enumerate(specs):  # leaders first, then dealt round-robin over the zones
        spec.zone = zones[i % len(zones)]

    staff_left = n_school_staff
    taken: set[int] = set()
    for spec in specs:
        zone_schools = [
            s
            for s in county.schools
            if s.zone_id == spec.zone.pk and s.type != T.TEACHING_POINT and id(s) not in taken
        ]
        if spec.kind == "principal":
            # A principal inspector (校长督学) is the principal of a school in the zone.
            candidates = [
                s for s in zone_schools if s.type != T.KINDERGARTEN and s.ownership == "public"
            ] or zone_schools
            school = rng.choice(candidates)
            taken.add(id(school))
            spec.employer_school = school
            spec.person = county.principals[id(school)]
        elif spec.kind == "parent":
            spec.employer_name = rng.choice(
                [f"{county_name}人民医院", f"{county_name}供电公司", "个体工商户", "社区工作者"]
            )
        elif spec.kind == "invited":
            spec.employer_name = rng.choice(
                [f"{county_name}人大代表", f"{county_name}政协委员", "退休干部"]
            )
        elif spec.employment == "full_time":
            spec.employer_name = rng.choice(
                [f"{county_name}人民政府教育督导室", f"{county_name}教育局"]
            )
        elif staff_left > 0 and zone_schools:
            # A teacher or vice-principal of a public school in the zone: recusal keeps them
            # off it (and off its teaching points).
            staff_left -= 1
            public = [
                s for s in zone_schools if s.ownership == "public" and s.type != T.KINDERGARTEN
            ]
            school = rng.choice(public or zone_schools)
            taken.add(id(school))
            spec.employer_school = school
        else:
            spec.employer_name = rng.choice(["退休校长", "退休教师", "退休教研员"])
    return specs


def _photo_name(county: County, index: int) -> str:
    """A stable file name. An older file with the same name (a deleted database, a reset
    that did not commit) is removed first, so the storage does not add a random suffix."""
    filename = f"demo-{county.spec.code}-{index:04d}.jpg"
    photo_field = Inspector._meta.get_field("photo")
    stored = photo_field.generate_filename(None, filename)
    if photo_field.storage.exists(stored):
        photo_field.storage.delete(stored)
    return filename


def build_inspectors(ctx: DemoContext) -> None:
    for county in ctx.counties:
        specs = _inspector_specs(ctx, county)
        for index, spec in enumerate(specs, start=1):
            name, pinyin, gender = spec.person or ctx.person(county)
            photo = ContentFile(
                avatar_jpeg(random.Random(ctx.rng.getrandbits(64)), female=gender == "female"),
                name=_photo_name(county, index),
            )
            inspector = inspectors_services.create_inspector(
                SYSTEM,
                county.office,
                name=name,
                gender=gender,
                phone=ctx.mobile(),
                # Every third inspector agreed to show their mobile on the public page
                # (no draw from the generator: the rest of the demo stays as it was).
                show_mobile_publicly=index % 3 == 0,
                email=ctx.email(county, pinyin),
                photo=photo,
                employment=spec.employment,
                kind=spec.kind,
                employer_school=spec.employer_school,
                employer_name=spec.employer_name,
                zone=spec.zone,
            )
            county.inspectors.append(inspector)
            if spec.leader:
                inspectors_services.update_zone(
                    SYSTEM, spec.zone, name=spec.zone.name, leader=inspector
                )
                spec.zone.leader = inspector


# --------------------------------------------------------------------------- step: conflicts


CONFLICTS = [
    ("近亲属担任该单位领导", "其配偶任该校副校长"),
    ("其他利害关系", "其子女在该校任教"),
    ("曾在该单位任职未满规定年限", "三年前曾任该校副校长"),
    ("被督导单位申请回避", "学校申请回避，经督导室主任同意"),
]


def build_conflicts(ctx: DemoContext) -> None:
    rng = ctx.rng
    for county in ctx.counties:
        wanted = max(2, county.n_inspectors // 12) if county is ctx.main else 1
        grounds = {g.name: g for g in RecusalGround.objects.filter(office=county.office)}
        leaders = {z.leader_id for z in county.zones}
        candidates = [
            i
            for i in county.inspectors
            if i.kind == "responsible" and not i.employer_school_id and i.pk not in leaders
        ]
        hosting = {s.host_school_id for s in county.schools if s.host_school_id}
        for n, inspector in enumerate(rng.sample(candidates, min(wanted, len(candidates)))):
            zone_schools = [
                s
                for s in county.schools
                if s.zone_id == inspector.zone_id and s.type != T.TEACHING_POINT
            ]
            # The first conflict is with a host school, so it visibly covers its teaching points.
            preferred = [s for s in zone_schools if s.pk in hosting] if n == 0 else []
            school = rng.choice(preferred or zone_schools)
            ground, note = CONFLICTS[n % len(CONFLICTS)]
            inspectors_services.record_conflict(SYSTEM, inspector, school, grounds[ground], note)


# --------------------------------------------------------------------------- step: assignments


def _term_note(day: datetime.date) -> str:
    if day.month >= 8:
        return f"{day.year}年秋季学期调整"
    return f"{day.year}年春季学期调整"


def build_assignments(ctx: DemoContext) -> None:
    """Every active school gets a current responsible inspector of its zone, through
    `assign_inspector` (which enforces recusal); ~15% had a previous one whose assignment
    ended at the end of the last term or school year."""
    rng, anchor = ctx.rng, ctx.anchor
    spring = datetime.date(anchor.year, 3, 1)
    for county in ctx.counties:
        conflicts = set(
            Conflict.objects.unscoped()
            .filter(inspector__office=county.office)
            .values_list("inspector_id", "school_id")
        )

        def allowed(inspector, school, conflicts=conflicts):
            units = {school.pk, school.host_school_id} - {None}
            if inspector.employer_school_id in units:
                return False
            return not any((inspector.pk, unit) in conflicts for unit in units)

        assignable = [
            i for i in county.inspectors if i.kind in inspectors_services.ASSIGNABLE_KINDS
        ]
        leaders = {z.leader_id for z in county.zones}
        load = {i.pk: (1 if i.pk in leaders else 0) for i in assignable}  # leaders hold fewer
        closing = {s.pk for s in county.closing}
        active = [s for s in county.schools if s.pk not in closing]
        with_history = {s.pk for s in rng.sample(active, round(len(active) * 0.15))}
        for school in county.schools:
            in_zone = [i for i in assignable if i.zone_id == school.zone_id]
            candidates = [i for i in in_zone if allowed(i, school)]
            if not candidates:
                raise RuntimeError(f"No inspector may supervise {school.name}")
            low = min(load[i.pk] for i in candidates)
            current = rng.choice([i for i in candidates if load[i.pk] == low])
            if school.pk in closing:
                start = datetime.date(anchor.year - 3, 9, 1)
                assignment = inspectors_services.assign_inspector(SYSTEM, school, current, start)
                inspectors_services.end_assignment(
                    SYSTEM, assignment, datetime.date(anchor.year, 7, 10), note="教学点撤并"
                )
                schools_services.update_school(SYSTEM, school, is_active=False)
                continue
            load[current.pk] += 1
            if school.pk in with_history:
                switch = rng.choice([anchor, spring])
                previous = [i for i in candidates if i.pk != current.pk]
                previous += [
                    i for i in assignable if i.zone_id != school.zone_id and allowed(i, school)
                ]
                before = rng.choice(previous[:8])
                start = datetime.date(switch.year - rng.randint(1, 3), 9, 1)
                inspectors_services.assign_inspector(SYSTEM, school, before, start)
                inspectors_services.assign_inspector(
                    SYSTEM, school, current, switch, note=_term_note(switch)
                )
            else:
                start = datetime.date(anchor.year - rng.choice([0, 0, 0, 1, 1, 2]), 9, 1)
                inspectors_services.assign_inspector(SYSTEM, school, current, start)


# --------------------------------------------------------------------------- step: users


@contextmanager
def hash_once(password: str):
    """Argon2 takes ~0.1 s per hash: hash the shared demo password once and let every
    `set_password(password)` inside the block reuse it (other passwords hash normally).
    All demo accounts share the password anyway, so one salt reveals nothing more."""
    hashed = make_password(password)
    original = base_user.make_password

    def reuse(raw, *args, **kwargs):
        if raw == password and not args and not kwargs:
            return hashed
        return original(raw, *args, **kwargs)

    base_user.make_password = reuse
    try:
        yield hashed
    finally:
        base_user.make_password = original


def build_users(ctx: DemoContext) -> None:
    main, second = ctx.counties[0], ctx.counties[1]
    zone = main.zones[0]
    leader = zone.leader
    current = dict(
        Assignment.objects.unscoped()
        .current(ctx.today)
        .filter(inspector__office=main.office)
        .values("inspector")
        .annotate(n=Count("pk"))
        .values_list("inspector", "n")
    )
    candidates = [
        i
        for i in main.inspectors
        if i.zone_id == zone.pk and i.kind == "responsible" and i.pk != leader.pk
    ]
    # The inspector login shows recusal at work: prefer one employed by a school.
    inspector = max(
        candidates,
        key=lambda i: (i.pk in current, bool(i.employer_school_id), current.get(i.pk, 0), -i.pk),
    )
    their_schools = list(
        School.objects.unscoped()
        .filter(
            current_assignment_q(ctx.today, prefix="assignments__"),
            assignments__inspector=inspector,
        )
        .order_by("code")
    )
    school = next((s for s in their_schools if s.type == T.PRIMARY), their_schools[0])
    with hash_once(PASSWORD) as hashed:
        specs = [
            (main, "admin", Role.OFFICE_ADMIN, "陈静（清河县督导室）", {}),
            (main, "leader", Role.ZONE_LEADER, leader.name, {"inspector": leader}),
            (main, "inspector", Role.INSPECTOR, inspector.name, {"inspector": inspector}),
            (main, "school", Role.SCHOOL, school.name, {"school": school}),
            (main, "viewer", Role.VIEWER, "青川市教育督导室（只读）", {"region": ctx.city}),
            (second, "admin2", Role.OFFICE_ADMIN, "周平（临川县督导室）", {}),
        ]
        admins = {spec[0].office.pk: spec[1] for spec in specs if spec[2] == Role.OFFICE_ADMIN}
        for county, username, role, display_name, anchor in specs:
            phone = anchor["inspector"].phone if "inspector" in anchor else None
            # The office admin's account is the county's first: the system creates it; the
            # office admin creates the others.
            actor = SYSTEM if role == Role.OFFICE_ADMIN else ctx.users[admins[county.office.pk]]
            ctx.users[username] = accounts.create_user(
                actor,
                county.office,
                password=PASSWORD,
                username=username,
                display_name=display_name,
                role=role,
                phone=phone,
                **anchor,
            )
        # A superuser has no role, which create_user refuses: create it directly.
        root = User(
            username="root",
            display_name="系统管理员",
            is_superuser=True,
            is_staff=True,
            password=hashed,
        )
        root.full_clean(exclude=["password"])
        root.save()
        audit.record_create(None, root)
        ctx.users["root"] = root


# --------------------------------------------------------------------------- step: summary


def build_summary(ctx: DemoContext) -> None:
    """One audit row per office for the whole demo import (schools were bulk-inserted)."""
    for county in ctx.counties:
        audit.record(
            None,
            AuditEntry.Action.IMPORT,
            county.office,
            {
                "source": "seed_demo",
                "seed": ctx.seed,
                "schools": len(county.schools),
                "zones": len(county.zones),
                "inspectors": len(county.inspectors),
            },
            target_repr=f"演示数据（seed_demo --seed {ctx.seed}）",
            office_id=county.office.pk,
        )


# --------------------------------------------------------------------------- reset


@dataclass
class DemoScope:
    """What the demo owns: everything under the fictional province (codes 99…) and the
    demo logins."""

    region_ids: list[int]
    office_ids: list[int]
    school_ids: list[int]
    inspector_ids: list[int]
    user_ids: list[int]

    @classmethod
    def current(cls) -> DemoScope:
        regions = list(
            Region.objects.filter(path__startswith=f"/{DEMO_PROVINCE_CODE}/").values_list(
                "pk", flat=True
            )
        )
        offices = list(Office.objects.filter(region__in=regions).values_list("pk", flat=True))
        schools = list(
            School.objects.unscoped().filter(office__in=offices).values_list("pk", flat=True)
        )
        inspectors = list(
            Inspector.objects.unscoped().filter(office__in=offices).values_list("pk", flat=True)
        )
        users = list(
            User.objects.filter(
                Q(username__in=DEMO_USERNAMES)
                | Q(office__in=offices)
                | Q(region__in=regions)
                | Q(school__in=schools)
                | Q(inspector__in=inspectors)
            ).values_list("pk", flat=True)
        )
        return cls(regions, offices, schools, inspectors, users)


def reset_audit(scope: DemoScope) -> None:
    # The audit log is append-only in the database (triggers refuse DELETE), so the demo's
    # audit rows stay: the reset adds one row saying what it deleted. The rows it keeps name
    # the deleted users and offices by id and name (their keys have no constraint).
    audit.record(
        None,
        AuditEntry.Action.DELETE,
        None,
        {
            "demo_reset": {
                "offices": len(scope.office_ids),
                "schools": len(scope.school_ids),
                "inspectors": len(scope.inspector_ids),
                "users": len(scope.user_ids),
            }
        },
        target_repr="demo data",
    )


def reset_users(scope: DemoScope) -> None:
    User.objects.filter(pk__in=scope.user_ids).delete()


def reset_assignments(scope: DemoScope) -> None:
    Assignment.objects.unscoped().filter(school__in=scope.school_ids).delete()


def reset_conflicts(scope: DemoScope) -> None:
    Conflict.objects.unscoped().filter(inspector__in=scope.inspector_ids).delete()


def reset_inspectors(scope: DemoScope) -> None:
    Zone.objects.unscoped().filter(office__in=scope.office_ids).update(leader=None)
    inspectors = Inspector.objects.unscoped().filter(pk__in=scope.inspector_ids)
    storage = Inspector._meta.get_field("photo").storage
    old_names = list(inspectors.exclude(photo="").values_list("photo", flat=True))
    inspectors.delete()

    def delete_files():
        # Only after the commit (a failed reset keeps its photos), and only the files the new
        # seed did not take over: it reuses the same stable names (see _photo_name).
        in_use = set(
            Inspector.objects.unscoped().filter(photo__in=old_names).values_list("photo", flat=True)
        )
        for name in old_names:
            if name not in in_use:
                storage.delete(name)

    transaction.on_commit(delete_files)


def reset_schools(scope: DemoScope) -> None:
    schools = School.objects.unscoped().filter(pk__in=scope.school_ids)
    schools.filter(host_school__isnull=False).delete()  # teaching points before their hosts
    schools.delete()


def reset_zones(scope: DemoScope) -> None:
    Zone.objects.unscoped().filter(office__in=scope.office_ids).delete()


def reset_regions(scope: DemoScope) -> None:
    RecusalGround.objects.filter(office__in=scope.office_ids).delete()
    Office.objects.filter(pk__in=scope.office_ids).delete()
    for level in ["township", "county", "city", "province"]:
        Region.objects.filter(pk__in=scope.region_ids, level=level).delete()


# --------------------------------------------------------------------------- the builder


@dataclass(frozen=True)
class Step:
    name: str
    build: Callable[[DemoContext], None]
    reset: Callable[[DemoScope], None] | None = None


class DemoBuilder:
    """Builds the demo in one transaction. Append steps here for later features; give them
    a `reset` when they create data that must go before the registry does."""

    steps: list[Step] = [
        Step("regions and offices", build_regions, reset_regions),
        Step("government units", government_units.build_step, government_units.reset_step),
        Step("zones", build_zones, reset_zones),
        Step("schools", build_schools, reset_schools),
        Step("inspectors", build_inspectors, reset_inspectors),
        Step("conflicts of interest", build_conflicts, reset_conflicts),
        Step("assignments", build_assignments, reset_assignments),
        Step("users", build_users, reset_users),
        Step("campaigns and returns", build_campaigns, reset_campaigns),
        Step("evaluations", build_evaluations, reset_evaluations),
        Step("bulletins", bulletins_demo.build_step, bulletins_demo.reset_step),
        Step("complaints", build_complaints, reset_complaints),
        Step("supervision", build_supervision, reset_supervision),
        Step("balance monitoring", monitoring_demo.build_step, monitoring_demo.reset_step),
        Step("surveys", build_surveys, reset_surveys),
        Step("training", build_training, reset_training),
        Step("summary", build_summary, reset_audit),  # the audit rows of every step
    ]

    def __init__(
        self,
        seed: int = 1,
        schools: int = 150,
        *,
        today: datetime.date | None = None,
        reference_date: datetime.date = REFERENCE_DATE,
        log: Callable[[str], None] | None = None,
        skip: tuple[str, ...] = (),
    ):
        """`skip`: names of steps not to run (tests of the registry alone skip the slow
        "supervision" history)."""
        if schools < MIN_SCHOOLS:
            raise ValueError(f"The demo needs at least {MIN_SCHOOLS} schools.")
        self.skip = set(skip)
        self.context = DemoContext(
            rng=random.Random(seed),
            seed=seed,
            reference_date=reference_date,
            today=today or timezone.localdate(),
            counties=make_counties(schools),
            log=log or (lambda message: None),
        )

    def build(self) -> DemoContext:
        # The demo county's records are written in the product's language, whatever the
        # caller's active language: the same seed gives the same county.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            for step in self.steps:
                if step.name in self.skip:
                    continue
                step.build(self.context)
                self.context.log(f"  {step.name}: done")
        return self.context

    @classmethod
    def reset(cls) -> None:
        scope = DemoScope.current()
        with transaction.atomic():
            for step in reversed(cls.steps):
                if step.reset is not None:
                    step.reset(scope)


def demo_exists() -> bool:
    return Region.objects.filter(code=DEMO_PROVINCE_CODE).exists()


# --------------------------------------------------------------------------- reporting


def _digest(photo) -> str:
    if not photo:
        return ""
    with photo.open("rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fingerprint() -> str:
    """A digest of the demo's content by natural keys (codes, names, phones, dates), so
    two runs with the same seed compare equal whatever their primary keys."""
    scope = DemoScope.current()
    schools = School.objects.unscoped().filter(pk__in=scope.school_ids).order_by("code")
    data = {
        "schools": list(
            schools.values_list(
                "code",
                "name",
                "type",
                "ownership",
                "location",
                "township__code",
                "zone__name",
                "address",
                "principal",
                "phone",
                "enrolment_kindergarten",
                "enrolment_primary",
                "enrolment_junior",
                "enrolment_senior",
                "host_school__code",
                "is_active",
            )
        ),
        "zones": list(
            Zone.objects.unscoped()
            .filter(office__in=scope.office_ids)
            .order_by("office__region__code", "name")
            .values_list("office__region__code", "name", "leader__phone")
        ),
        "inspectors": list(
            Inspector.objects.unscoped()
            .filter(pk__in=scope.inspector_ids)
            .order_by("phone")
            .values_list(
                "phone",
                "name",
                "gender",
                "email",
                "kind",
                "employment",
                "employer_school__code",
                "employer_name",
                "zone__name",
            )
        ),
        "photos": [
            _digest(i.photo)
            for i in Inspector.objects.unscoped()
            .filter(pk__in=scope.inspector_ids)
            .order_by("phone")
        ],
        "conflicts": sorted(
            Conflict.objects.unscoped()
            .filter(inspector__in=scope.inspector_ids)
            .values_list("inspector__phone", "school__code", "ground__name", "note")
        ),
        "assignments": sorted(
            (code, phone, str(start), str(end), note)
            for code, phone, start, end, note in Assignment.objects.unscoped()
            .filter(school__in=scope.school_ids)
            .values_list("school__code", "inspector__phone", "start_date", "end_date", "note")
        ),
        "users": sorted(
            User.objects.filter(pk__in=scope.user_ids).values_list(
                "username", "role", "display_name", "phone", "school__code", "inspector__phone"
            ),
            key=lambda row: row[0],
        ),
        "supervision": supervision_fingerprint(scope),
        "campaigns": campaigns_fingerprint(scope),
        "evaluations": evaluations_fingerprint(scope),
        "bulletins": bulletins_demo.bulletins_fingerprint(scope),
        "complaints": complaints_fingerprint(scope),
        "surveys": surveys_fingerprint(scope),
    }
    return hashlib.sha256(json.dumps(data, default=str, ensure_ascii=False).encode()).hexdigest()


ROLE_LABELS = {
    Role.OFFICE_ADMIN: "office admin (督导室管理员)",
    Role.ZONE_LEADER: "zone leader (责任区组长)",
    Role.INSPECTOR: "inspector (责任督学)",
    Role.SCHOOL: "school (学校)",
    Role.VIEWER: "city viewer (市级只读)",
}


def describe_logins() -> list[tuple[str, str, str, str]]:
    """(username, role, display name, what they see) for each demo login that exists."""
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        schools = scoping.schools_for(user).count()
        if user.is_superuser:
            role, sees = "superuser", "everything; Django admin at /admin/"
        elif user.role == Role.OFFICE_ADMIN:
            role = ROLE_LABELS[user.role]
            sees = f"the whole of {user.office.region.name}: {schools} schools; manages it"
        elif user.role == Role.ZONE_LEADER:
            zones = "、".join(z.name for z in scoping.zones_for(user))
            sees = f"{zones}: {schools} schools"
            role = ROLE_LABELS[user.role]
        elif user.role == Role.INSPECTOR:
            role = ROLE_LABELS[user.role]
            sees = f"the {schools} schools assigned to them"
        elif user.role == Role.SCHOOL:
            role, sees = ROLE_LABELS[user.role], f"only {user.school.name}"
        elif user.role == Role.VIEWER:
            counties = scoping.offices_for(user).count()
            role = ROLE_LABELS[user.role]
            sees = f"{user.region.name}: {counties} counties, {schools} schools, read-only"
        else:
            role, sees = user.get_role_display(), ""
        if user.phone:
            username = f"{username} / {user.phone}"
        rows.append((username, role, user.display_name, sees))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_logins(rows) -> str:
    header = ("login", "role", "name", "sees")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = []
    for row in [header, *rows]:
        cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(3)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    lines.insert(1, "-" * min(120, sum(widths) + 6 + 40))
    return "\n".join(lines) + f"\nPassword for all: {PASSWORD}"
