"""Time the monitoring engine (run by hand; no database needed).

    .venv/bin/python bench/monitoring.py [--schools 20000] [--county 300] [--repeat 30]

1. Generates N schools (mixed types) as the XLSX template in var/bench/ (not timed), then
   times XLSX → JSON result: read + check + evaluate (basic-2012 and quality-2017) + JSON.
   Goal: under 5 s for 20,000 schools.
2. A county of 300 schools: times Monitor.what_if (one school +3 teachers, another +500 m²),
   median over --repeat runs. Goal: under 100 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
os.environ.setdefault("DUDAO_DEMO", "1")
BENCH_DIR = ROOT / "var" / "bench"

TYPES = (
    ["小学"] * 12
    + ["初中"] * 4
    + ["九年一贯制学校"] * 2
    + ["完全中学", "十二年一贯制学校", "教学点"]
)


def make_records(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        school_type = rng.choice(TYPES)
        levels = {
            "小学": ("primary",),
            "教学点": ("primary",),
            "初中": ("junior",),
            "九年一贯制学校": ("primary", "junior"),
            "完全中学": ("junior", "senior"),
            "十二年一贯制学校": ("primary", "junior", "senior"),
        }[school_type]
        record = {"code": f"33{i:08d}", "name": f"第{i}学校", "school_type": school_type}
        total = 0
        for level in levels:
            enrol = rng.randint(20, 60) if school_type == "教学点" else rng.randint(80, 2000)
            record[f"enrol_{level}"] = enrol
            total += enrol
            if level == "senior":
                continue
            teachers = max(2, int(enrol * rng.uniform(0.045, 0.085)))
            record[f"teachers_{level}"] = teachers
            record[f"qualified_{level}"] = int(teachers * rng.uniform(0.4, 1))
            record[f"senior_title_{level}"] = int(teachers * rng.uniform(0.2, 0.7))
            record[f"backbone_{level}"] = int(teachers * rng.uniform(0.05, 0.3))
            record[f"pe_arts_{level}"] = int(teachers * rng.uniform(0.08, 0.2))
        record.update(
            floor_area=round(total * rng.uniform(3.0, 7.5), 1),
            sports_area=round(total * rng.uniform(4.0, 13.0), 1),
            equipment_value=round(total * rng.uniform(1200, 3200), 2),
            computers=int(total * rng.uniform(0.05, 0.2)),
            books=int(total * rng.uniform(18, 45)),
            multimedia_rooms=max(1, int(total * rng.uniform(0.015, 0.03))),
        )
        records.append(record)
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=20000)
    parser.add_argument("--county", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from dudao.monitoring.engine import Monitor, evaluate
    from dudao.monitoring.inputs import SchoolData, load_schools, write_template

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"monitoring-{args.schools}.xlsx"
    records = make_records(args.schools)
    if not path.exists():
        started = time.perf_counter()
        write_template(path, records)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s (not timed)")

    for rules in ("basic-2012", "quality-2017"):
        cpu = time.process_time()
        started = time.perf_counter()
        data = load_schools(path, rules)
        read = time.perf_counter()
        result = evaluate(data, rules, 2025)
        computed = time.perf_counter()
        text = result.to_json(indent=None)
        done = time.perf_counter()
        print(
            f"{rules}: {len(data)} schools ({len(data.excluded)} excluded), "
            f"read+check {read - started:.2f} s, evaluate {computed - read:.2f} s, "
            f"JSON {done - computed:.2f} s ({len(text) / 1e6:.1f} MB): "
            f"total {done - started:.2f} s wall, {time.process_time() - cpu:.2f} s CPU (goal < 5 s)"
        )

    county = SchoolData.from_records(make_records(args.county, seed=2))
    codes = county.codes
    for rules in ("basic-2012", "quality-2017"):
        monitor = Monitor(county, rules, 2025)
        monitor.evaluate()
        timings = []
        cpu_timings = []
        for k in range(args.repeat):
            changes = {
                codes[k % len(codes)]: {"教学及辅助用房面积": 500},
                codes[(k * 7 + 3) % len(codes)]: {"计算机台数": 3},
            }
            cpu = time.process_time()
            started = time.perf_counter()
            monitor.what_if(changes)
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu) * 1000)
        print(
            f"what-if {rules}, {len(county)} schools: median {statistics.median(timings):.1f} ms, "
            f"max {max(timings):.1f} ms, CPU median {statistics.median(cpu_timings):.1f} ms "
            f"over {args.repeat} runs (goal < 100 ms)"
        )


if __name__ == "__main__":
    main()
