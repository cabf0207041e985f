"""City and province roll-up benchmark (issue 15 §5). Run by hand, not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dudao_h_rollup_bench .venv/bin/python \\
        bench/rollup.py [--reuse] [--schools 20000 --inspectors 10000 --months 36 \\
        --findings 1000000] [--runs 7] [--show-sql N]

PostgreSQL only. Without --reuse the database named in DATABASE_URL is dropped, re-created,
migrated and filled by `bench/supervision.py`'s loader (COPY: one province, ~100 counties,
the schools, inspectors, visits, findings, campaigns and returns). With --reuse the data
already there is migrated and measured. Either way the roll-up counters are then rebuilt
from scratch (`aggregates.rebuild()`, what `manage.py rebuild_rollup` runs after a COPY),
and the median of --runs runs (after one warm-up) is printed of:

- the province overview (`rollup:overview`, last complete month) and its JSON, the annual
  summary and its XLSX, and, for comparison, the province dashboard (`dashboards:overview`,
  read from the visits and findings): server time through the Django test Client beside
  the time of executing exactly that request's SQL with a raw cursor, and the statements;
- what the counters add to a write: refreshing one (office, month) slice and one (school,
  month) slice under their locks (what a visit or finding transition adds to its
  transaction), and a visit submission through `visits.services.submit_visit`.
"""

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import supervision  # noqa: E402  (sets the environment defaults; bench/ is the script's folder)
from supervision import Loader, measure_view, median_ms, prepare_database, resolve  # noqa: E402


def build(args) -> None:
    from django.db import connection

    if args.reuse:
        prepare_database(load=False)
        return
    started = time.monotonic()
    prepare_database(load=True)
    print(f"Migrated in {time.monotonic() - started:.1f} s; loading …", flush=True)
    Loader(args).load()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"Loaded in {time.monotonic() - started:.0f} s", flush=True)


def rebuild() -> float:
    from django.db import connection

    from dudao.rollup import aggregates

    started = time.monotonic()
    sizes = aggregates.rebuild()
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) rollup_schoolmonth")
        cursor.execute("VACUUM (ANALYZE) rollup_officemonth")
    print(
        f"Counters rebuilt in {seconds:.1f} s: {sizes['school_months']:,} school-months, "
        f"{sizes['office_months']:,} office-months",
        flush=True,
    )
    return seconds


def explain_ms(user, url) -> tuple[float, float]:
    """PostgreSQL's own planning and execution time (EXPLAIN ANALYZE) of the statements of
    one GET of `url`: the database's work without the client's waiting for a CPU."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    planning = execution = 0.0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql.replace("%", "%%"))
            plan = cursor.fetchone()[0][0]
            planning += plan["Planning Time"]
            execution += plan["Execution Time"]
    return planning, execution


def write_costs(runs):
    from django.db import transaction
    from django.utils import timezone

    from dudao.accounts.models import Role, User
    from dudao.inspectors.models import Assignment
    from dudao.rollup import aggregates, receivers
    from dudao.visits import services

    month = timezone.localdate().replace(day=1)
    assignment = Assignment.objects.unscoped().current().select_related("school").first()
    school = assignment.school

    class Rollback(Exception):
        pass

    def in_rolled_back(func):
        def run():
            try:
                with transaction.atomic():
                    func()
                    raise Rollback
            except Rollback:
                pass

        return run

    office_ms = median_ms(
        in_rolled_back(lambda: aggregates.refresh_office_month(school.office_id, month)), runs
    )
    school_ms = median_ms(
        in_rolled_back(lambda: aggregates.refresh_school_month(school.pk, month)), runs
    )
    user = User.objects.get(role=Role.INSPECTOR, inspector_id=assignment.inspector_id)

    def submit():
        services.submit_visit(
            user,
            uuid.uuid4(),
            school=school,
            visited_at=timezone.now(),
            methods=["campus_walk"],
        )

    submit_ms = median_ms(in_rolled_back(submit), runs)
    receivers.disconnect()
    try:
        bare_ms = median_ms(in_rolled_back(submit), runs)
    finally:
        receivers.connect()
    return office_ms, school_ms, submit_ms, bare_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=20000)
    parser.add_argument("--inspectors", type=int, default=10000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--campaign-share", type=float, default=15)
    parser.add_argument("--return-periods", type=int, default=6)
    parser.add_argument("--reuse", action="store_true", help="measure the data already loaded")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="keep the counters (already rebuilt)"
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--show-sql", type=int, default=0, metavar="N")
    args = parser.parse_args()
    supervision.SHOW_SQL = args.show_sql
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (PostgreSQL only).")

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from dudao.accounts.models import Role, User
    from dudao.core.dates import last_complete_month
    from dudao.rectification.models import Finding
    from dudao.schools.models import School
    from dudao.visits.models import Visit

    build(args)
    rebuild_seconds = 0.0 if args.no_rebuild else rebuild()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(
        f"\nDataset: {School.all_objects.count():,} schools, "
        f"{Visit.all_objects.count():,} visits, {Finding.all_objects.count():,} findings, "
        f"{size}; rebuild {rebuild_seconds:.1f} s"
    )
    viewer = User.objects.filter(role=Role.VIEWER).order_by("pk").first()
    year, month = last_complete_month(timezone.localdate())
    query = f"?month={year:04d}-{month:02d}"
    runs = args.runs
    pages = [
        ("province overview (roll-up)", resolve("rollup:overview") + query),
        ("province overview JSON", resolve("rollup:overview_data") + query),
        ("annual summary (roll-up)", resolve("rollup:summary") + f"?year={year}"),
        ("annual summary XLSX", resolve("rollup:summary_xlsx") + f"?year={year}"),
        ("province dashboard (raw tables)", resolve("dashboards:overview") + query),
    ]
    rows = [measure_view(label, viewer, url, runs) for label, url in pages]
    width = max(len(r[0]) for r in rows)
    print(f"\nMedian of {runs} runs, province viewer, month {year:04d}-{month:02d}")
    print(
        f"{'page':<{width}}  {'server ms':>9}  {'raw SQL ms':>10}  {'queries':>7}  "
        f"{'Python CPU ms':>13}"
    )
    for label, status, server, raw, queries in rows:
        if status != "ok":
            print(f"{label:<{width}}  {status}")
            continue
        cpu = supervision.CPU.get(label, 0.0)
        print(f"{label:<{width}}  {server:9.1f}  {raw:10.1f}  {queries:7d}  {cpu:13.1f}")
    print("\nPostgreSQL's own time (EXPLAIN ANALYZE of the same statements, one run):")
    for label, url in pages:
        planning, execution = explain_ms(viewer, url)
        print(f"  {label:<{width}}  planning {planning:7.1f} ms  execution {execution:7.1f} ms")
    office_ms, school_ms, submit_ms, bare_ms = write_costs(runs)
    print(
        f"\nWrite side: refresh one office-month {office_ms:.1f} ms, one school-month "
        f"{school_ms:.1f} ms; submit_visit {submit_ms:.1f} ms with the counters, "
        f"{bare_ms:.1f} ms without"
    )
    print(f"Load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    target = rows[0][2]
    if target is not None:
        verdict = "meets" if target <= 150 else "MISSES"
        print(f"Province overview: {target:.1f} ms server time: {verdict} the 150 ms target")


if __name__ == "__main__":
    main()
