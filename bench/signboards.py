"""Time the signboard PDFs: one school's board and the whole county batch.

    .venv/bin/python bench/signboards.py                    # throwaway SQLite, var/bench/
    .venv/bin/python bench/signboards.py --schools 300 --runs 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dudao_bench .venv/bin/python bench/signboards.py

A county with N schools (default 150), 5 zones, 8 townships and 26 inspectors with phone-camera
sized photos is created, the boards are rendered with the views' own functions, and the median
of a few runs is printed with the PDF sizes. The default SQLite file is re-created each run; with
DATABASE_URL the data is created inside a transaction that is rolled back at the end (tables
are migrated if needed, nothing else is touched). The PDFs are written to var/bench/.
"""

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
BENCH_DIR.mkdir(parents=True, exist_ok=True)
SQLITE = BENCH_DIR / "signboards.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
os.environ.setdefault("DUDAO_DEMO", "1")
os.environ.setdefault("DUDAO_VAR_DIR", str(BENCH_DIR))
os.environ.setdefault("DUDAO_PLAIN_STATIC", "1")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE}")


class Rollback(Exception):
    pass


def prepare_database():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite" and Path(connection.settings_dict["NAME"]) == SQLITE:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def photo_bytes(rng: random.Random) -> bytes:
    """A 1200 x 1600 JPEG with noise, about the size of a phone-camera portrait."""
    from PIL import Image, ImageDraw

    base = Image.new("RGB", (1200, 1600), (rng.randint(40, 90), 110, rng.randint(140, 200)))
    draw = ImageDraw.Draw(base)
    draw.ellipse((380, 300, 820, 820), fill=(235, 200, 170))
    draw.rectangle((220, 880, 980, 1600), fill=(rng.randint(20, 60), 40, 60))
    noise = Image.effect_noise((1200, 1600), 40).convert("RGB")
    image = Image.blend(base, noise, 0.15)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def make_county(schools: int, inspectors: int, zones: int, townships: int, seed: int):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from dudao.accounts.models import Role, User
    from dudao.inspectors.models import Assignment, Inspector, Zone
    from dudao.organisations.models import Office, Region
    from dudao.schools.models import School

    rng = random.Random(seed)
    code = f"99{seed % 10000:04d}"  # a county code unlikely to clash with real data
    province = Region.objects.create(code=code[:2] + "9900", name="基准省", level="province")
    city = Region.objects.create(
        code=code[:2] + "9901", name="基准市", level="city", parent=province
    )
    county = Region.objects.create(code=code, name="基准县", level="county", parent=city)
    towns = [
        Region.objects.create(
            code=f"{code}{n:03d}", name=f"第{n}镇", level="township", parent=county
        )
        for n in range(1, townships + 1)
    ]
    office = Office.objects.create(
        region=county,
        name="基准县人民政府教育督导室",
        hotline="0571-87000000",
        email="dudao@example.gov.cn",
        address="基准县解放路100号教育大楼5楼",
    )
    zone_list = [
        Zone.all_objects.create(office=office, name=f"第{n}责任区") for n in range(1, zones + 1)
    ]
    people = []
    for n in range(inspectors):
        inspector = Inspector.all_objects.create(
            office=office,
            name=f"督学{n:02d}",
            phone=f"139{seed % 1000:03d}{n:05d}",
            email=f"inspector{n:02d}@example.org",
            zone=zone_list[n % zones],
        )
        inspector.photo.save(f"bench-{n}.jpg", ContentFile(photo_bytes(rng)))
        people.append(inspector)
    created = School.all_objects.bulk_create(
        [
            School(
                office=office,
                code=f"9{seed % 1000:03d}{n:06d}",
                name=f"基准县第{n}实验小学" if n % 7 else f"基准县第{n}中心幼儿园附属分园",
                type="primary",
                township=towns[n % townships],
                zone=zone_list[n % zones],
            )
            for n in range(schools)
        ]
    )
    start = datetime.date(timezone.localdate().year - 1, 9, 1)
    Assignment.all_objects.bulk_create(
        [
            Assignment(inspector=people[n % inspectors], school=school, start_date=start)
            for n, school in enumerate(created)
            if n % 25  # a few schools without an inspector
        ]
    )
    admin = User.objects.create(username=f"bench-{seed}", role=Role.OFFICE_ADMIN, office=office)
    return admin, created[0], [p.photo.name for p in people]


def timed(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def fmt(times) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=150)
    parser.add_argument("--inspectors", type=int, default=26)
    parser.add_argument("--zones", type=int, default=5)
    parser.add_argument("--townships", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dudao.accounts import scoping
    from dudao.schools.models import School
    from dudao.signboards import boards

    prepare_database()
    print(f"database: {connection.vendor}; WeasyPrint PDFs, median of {args.runs} run(s)")
    photos = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            admin, school, photos = make_county(
                args.schools, args.inspectors, args.zones, args.townships, args.seed
            )
            print(
                f"created {args.schools} schools, {args.inspectors} inspectors with photos "
                f"in {time.perf_counter() - started:.1f} s"
            )
            boards.ensure_cjk_font()

            def one():
                qs = boards.with_current_assignments(School.all_objects.filter(pk=school.pk))
                return boards.render_pdf(boards.build_boards(qs), school.name)

            def county():
                qs = boards.batch_schools(scoping.schools_for(admin))
                return boards.render_pdf(boards.build_boards(qs), admin.office.name)

            cold = time.perf_counter()
            one()
            cold = time.perf_counter() - cold
            median, times, pdf = timed(one, args.runs)
            (BENCH_DIR / "signboard-one.pdf").write_bytes(pdf)
            print(
                f"one board:    {median:6.2f} s median (runs {fmt(times)}; "
                f"first call {cold:.2f} s), {len(pdf) / 1024:7.0f} KiB"
            )
            with CaptureQueriesContext(connection) as queries:
                boards.build_boards(boards.batch_schools(scoping.schools_for(admin)))
            median, times, pdf = timed(county, args.runs)
            (BENCH_DIR / "signboards-county.pdf").write_bytes(pdf)
            active = School.all_objects.filter(office=admin.office, is_active=True).count()
            print(
                f"county batch: {median:6.2f} s median (runs {fmt(times)}), "
                f"{len(pdf) / 1024:7.0f} KiB for {active} pages "
                f"({len(pdf) / 1024 / max(active, 1):.1f} KiB/page), "
                f"{len(queries.captured_queries)} queries"
            )
            print(
                f"PDFs written to {BENCH_DIR.relative_to(ROOT)}/signboard-one.pdf and "
                "signboards-county.pdf"
            )
            raise Rollback
    except Rollback:
        from django.core.files.storage import default_storage

        for name in photos:
            default_storage.delete(name)


if __name__ == "__main__":
    main()
