"""Time the schools import with the web flow's own service functions.

    .venv/bin/python bench/import_schools.py                       # throwaway SQLite, var/bench/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dudao_imp_bench \\
        .venv/bin/python bench/import_schools.py --schools 20000

The database is created from scratch (a PostgreSQL database named in DATABASE_URL is dropped
and re-created: point it at a throwaway database). Steps timed: upload + parse + validate
(the preview), apply (create), a re-import of the same office with 10 % of the rows changed
(validate + apply: update/unchanged), and the export.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
BENCH_DIR.mkdir(parents=True, exist_ok=True)
SQLITE = BENCH_DIR / "bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
os.environ.setdefault("DUDAO_DEMO", "1")
os.environ.setdefault("DUDAO_VAR_DIR", str(BENCH_DIR))
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DUDAO_PLAIN_STATIC", "1")
os.environ["IMPORT_INLINE_MAX_ROWS"] = str(10**9)  # run inline: time the work, not a worker
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE}")


def reset_database():
    from django.db import connection

    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_office(townships: int):
    from dudao.accounts.models import Role, User
    from dudao.inspectors.models import Zone
    from dudao.organisations.models import Office, Region

    province = Region.objects.create(code="330000", name="浙江省", level="province")
    city = Region.objects.create(code="330100", name="杭州市", level="city", parent=province)
    county = Region.objects.create(code="330102", name="上城区", level="county", parent=city)
    Region.objects.bulk_create(
        [
            Region(
                code=f"330102{n:03d}",
                name=f"第{n}街道",
                level="township",
                parent=county,
                path=f"{county.path}330102{n:03d}/",
            )
            for n in range(1, townships + 1)
        ]
    )
    office = Office.objects.create(region=county, name="上城区人民政府教育督导室")
    Zone.all_objects.bulk_create([Zone(office=office, name=f"第{n}责任区") for n in range(1, 9)])
    admin = User.objects.create(username="bench", role=Role.OFFICE_ADMIN, office=office)
    return office, admin


def school_rows(count: int, townships: int, renamed_every: int = 0):
    """Rows of the schools template: mostly primary and junior schools, every 20th a
    teaching point of the school before it."""
    rows = []
    for n in range(count):
        code = f"{3301000000 + n}"
        kind = n % 20
        name = f"第{n}学校" + ("（新名）" if renamed_every and n % renamed_every == 0 else "")
        type_, enrol = (
            ("教学点", (30, 0))
            if kind == 19
            else ("初级中学", (0, 800))
            if kind % 3 == 0
            else ("小学", (600, 0))
        )
        rows.append(
            [
                code,
                name,
                type_,
                "公办" if n % 7 else "民办",
                "城镇" if n % 2 else "乡村",
                f"第{n % townships + 1}街道",
                f"第{n % 8 + 1}责任区",
                f"解放路{n}号",
                "王校长",
                f"0571-8{n % 10000000:07d}",
                0,
                enrol[0],
                enrol[1],
                0,
                f"{3301000000 + n - 1}" if kind == 19 else None,
                "是",
            ]
        )
    return rows


def workbook(rows) -> bytes:
    from openpyxl import Workbook

    from dudao.imports.importers.schools import SchoolImporter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append([c.header for c in SchoolImporter.columns])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def timed(label, func, results):
    start = time.perf_counter()
    value = func()
    seconds = time.perf_counter() - start
    results.append((label, seconds))
    print(f"  {label:<40} {seconds:8.2f} s", flush=True)
    return value


def check(job, status):
    if job.status != status:
        sys.exit(f"job {job.pk} is {job.status}: {job.file_error} {job.errors[:5]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=20000)
    parser.add_argument("--townships", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from dudao.imports import services
    from dudao.imports.models import ImportJob
    from dudao.schools.models import School

    reset_database()
    office, admin = make_office(args.townships)
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"Schools: {args.schools}")
    results = []
    first = timed(
        "generate the xlsx",
        lambda: workbook(school_rows(args.schools, args.townships)),
        results,
    )
    print(f"  (file size {len(first) / 1024 / 1024:.1f} MB)")

    def upload(data, name):
        return SimpleUploadedFile(name, data)

    job = timed(
        "1. upload + parse + validate (preview)",
        lambda: services.create_job(admin, office, "schools", upload(first, "schools.xlsx")),
        results,
    )
    check(job, ImportJob.Status.PREVIEW)
    timed("2. apply (create)", lambda: services.confirm_job(admin, job), results)
    job.refresh_from_db()
    check(job, ImportJob.Status.DONE)
    print(f"  summary {job.summary}; schools in DB: {School.all_objects.count()}")

    second = workbook(school_rows(args.schools, args.townships, renamed_every=10))
    again = timed(
        "3a. re-import: parse + validate",
        lambda: services.create_job(admin, office, "schools", upload(second, "again.xlsx")),
        results,
    )
    check(again, ImportJob.Status.PREVIEW)
    timed(
        "3b. re-import: apply (update/unchanged)",
        lambda: services.confirm_job(admin, again),
        results,
    )
    again.refresh_from_db()
    print(f"  summary {again.summary}")
    timed(
        "4. export (xlsx)",
        lambda: services.export_bytes("schools", office, School.all_objects.filter(office=office)),
        results,
    )
    import_total = sum(s for label, s in results if label[0] in "123")
    print(f"Import total (steps 1-3): {import_total:.2f} s")


if __name__ == "__main__":
    main()
