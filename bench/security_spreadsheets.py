"""Hostile spreadsheets against the upload screens: time and peak memory (issue 9, items 6-7).

    .venv/bin/python bench/security_spreadsheets.py                 # every case, this tree
    .venv/bin/python bench/security_spreadsheets.py --root /tmp/old # the same files, old code

Files (built under var/bench/security/, once):

  a. bomb.xlsx     ~410 KB: a sharedStrings.xml of ~335 MB (10 200 strings of 32 767 "A"),
                   its sheet declaring <dimension ref="A1:P2"/> (a small file, so it is read
                   inside the request);
  b. wide.xlsx     ~2 KB: the schools headers and one more header cell at AAAAAA1;
  c. big.csv       27 MB: the monitoring template's headers and 180 000 rows (monitoring import);
  d. rows.csv      1.7 MB: the same with 19 999 data rows, the most rows the monitoring import
                   reads (its importer's max_rows), every row checked by the engine (and
                   refused: the figures are not a school's);
  e. rows100k.csv  8.6 MB: 99 999 data rows (SPREADSHEET_MAX_ROWS), refused by the monitoring
                   import's own row limit as soon as the reader meets row 20 002;
  f. dense.xlsx    ~8 MB: a schools workbook near the reading limits (a sharedStrings.xml of
                   19.4 MB: 700 000 distinct texts; 50 000 rows of 16 cells, each a distinct
                   shared text): what the worker holds for the largest workbook it reads.

Each upload is POSTed by Django's test client as the office admin (a logged-in request, the
view, the service) in a process of its own; a job left for the background is then checked by
`validate_job` in another process, as the task worker would. Each process reports its wall
time and peak RSS (ru_maxrss: the whole process, Django and the test client's copy of the
upload included; "idle" is a process that only starts Django). A process is capped at
6 GB of address space and 180 s.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
WORK = HERE / "var" / "bench" / "security"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
LIMIT_AS = 6 * 1024**3
TIMEOUT = 180


# ---- the files ----------------------------------------------------------------------------------


def _skeleton(zf: zipfile.ZipFile):
    zf.writestr(
        "[Content_Types].xml",
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
    )
    zf.writestr(
        "xl/workbook.xml",
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
    )
    zf.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    )


def schools_headers():
    from dudao.imports.importers.schools import SchoolImporter

    return [c.header for c in SchoolImporter.columns]


def _inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def bomb_xlsx(path: Path, strings: int = 10_200, length: int = 32_767):
    headers = schools_headers()
    letters = "ABCDEFGHIJKLMNOP"
    row1 = "".join(_inline(f"{letters[i]}1", h) for i, h in enumerate(headers))
    row2 = "".join(f'<c r="{letters[i]}2" t="s"><v>{i}</v></c>' for i in range(len(headers)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _skeleton(zf)
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><dimension ref="A1:P2"/><sheetData>'
            f'<row r="1">{row1}</row><row r="2">{row2}</row></sheetData></worksheet>',
        )
        item = ("<si><t>" + "A" * length + "</t></si>").encode()
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'<sst xmlns="{MAIN}" count="{strings}" uniqueCount="{strings}">'.encode())
            for _ in range(strings):
                out.write(item)
            out.write(b"</sst>")


def wide_xlsx(path: Path):
    headers = schools_headers()
    letters = "ABCDEFGHIJKLMNOP"
    row1 = "".join(_inline(f"{letters[i]}1", h) for i, h in enumerate(headers))
    row1 += _inline("AAAAAA1", "备注")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        _skeleton(zf)
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><dimension ref="A1:P2"/><sheetData>'
            f'<row r="1">{row1}</row></sheetData></worksheet>',
        )


def dense_xlsx(path: Path, rows: int = 50_000, strings: int = 700_000):
    headers = schools_headers()
    letters = "ABCDEFGHIJKLMNOP"
    row1 = "".join(_inline(f"{letters[i]}1", h) for i, h in enumerate(headers))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        _skeleton(zf)
        with zf.open("xl/sharedStrings.xml", "w") as out:
            out.write(f'<sst xmlns="{MAIN}">'.encode())
            for n in range(strings):
                out.write(f"<si><t>文本{n:07d}</t></si>".encode())
            out.write(b"</sst>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{row1}</row>'.encode())
            for r in range(2, rows + 2):
                cells = "".join(
                    f'<c r="{letters[i]}{r}" t="s"><v>{(r * 16 + i) % strings}</v></c>'
                    for i in range(16)
                )
                out.write(f'<row r="{r}">{cells}</row>'.encode())
            out.write(b"</sheetData></worksheet>")


def monitoring_csv(path: Path, size: int = 0, rows: int = 0):
    from dudao.monitoring.fields import HEADERS

    out = io.StringIO()
    out.write(",".join(HEADERS) + "\n")
    numbers = ",".join(["12"] * (len(HEADERS) - 3))
    n = 0
    chunks = []
    written = len(out.getvalue().encode())
    while (written < size) if size else (n < rows):
        line = f"{3301000000 + n},第{n}学校,小学,{numbers}\n"
        chunks.append(line)
        written += len(line.encode())
        n += 1
    out.write("".join(chunks))
    path.write_bytes(out.getvalue().encode())


CASES = {
    "a": ("bomb.xlsx", "schools"),
    "b": ("wide.xlsx", "schools"),
    "c": ("big.csv", "resources"),
    "d": ("rows.csv", "resources"),
    "e": ("rows100k.csv", "resources"),
    "f": ("dense.xlsx", "schools"),
}


def build_files():
    WORK.mkdir(parents=True, exist_ok=True)
    builders = {
        "bomb.xlsx": bomb_xlsx,
        "wide.xlsx": wide_xlsx,
        "big.csv": lambda p: monitoring_csv(p, 27 * 1024 * 1024),
        "rows.csv": lambda p: monitoring_csv(p, rows=19_999),
        "rows100k.csv": lambda p: monitoring_csv(p, rows=99_999),
        "dense.xlsx": dense_xlsx,
    }
    for name, build in builders.items():
        path = WORK / name
        if not path.exists():
            build(path)


# ---- the child processes ------------------------------------------------------------------------


def _django(root: Path, db: Path):
    sys.path.insert(0, str(root))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dudao.settings",
        DUDAO_DEMO="1",
        DUDAO_VAR_DIR=str(db.parent / "var"),
        DUDAO_PLAIN_STATIC="1",
        TASKS_BACKEND="db",  # the request enqueues; the worker step below runs the task
        DATABASE_URL=f"sqlite:///{db}",
        ALLOWED_HOSTS="testserver,127.0.0.1",
    )
    import django

    django.setup()


def child_setup(root: Path, db: Path):
    from django.core.management import call_command

    from dudao.accounts.models import Role, User
    from dudao.organisations.models import Office, Region

    call_command("migrate", verbosity=0)
    province = Region.objects.create(code="330000", name="浙江省", level="province")
    city = Region.objects.create(code="330100", name="杭州市", level="city", parent=province)
    county = Region.objects.create(code="330102", name="上城区", level="county", parent=city)
    office = Office.objects.create(region=county, name="上城区人民政府教育督导室")
    User.objects.create(username="bench", role=Role.OFFICE_ADMIN, office=office)


def child_request(root: Path, db: Path, case: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from dudao.accounts.models import User
    from dudao.imports.models import ImportJob

    name, kind = CASES[case]
    content = (WORK / name).read_bytes()
    admin = User.objects.get(username="bench")
    client = Client()
    client.force_login(admin)
    upload = SimpleUploadedFile(name, content)
    del content
    start = time.perf_counter()
    if kind == "resources":
        response = client.post(reverse("monitoring:import_upload"), {"year": 2025, "file": upload})
    else:
        response = client.post(reverse("imports:upload", args=[kind]), {"file": upload})
    seconds = time.perf_counter() - start
    job = ImportJob.all_objects.order_by("-pk").first()
    return {
        "seconds": seconds,
        "http": response.status_code,
        "job": job.pk if job else None,
        "status": job.status if job else None,
        "message": (job.file_error if job else "")[:200],
    }


def child_worker(root: Path, db: Path, job_id: int):
    from dudao.imports.models import ImportJob
    from dudao.imports.services import validate_job

    start = time.perf_counter()
    validate_job(job_id)
    seconds = time.perf_counter() - start
    job = ImportJob.all_objects.get(pk=job_id)
    message = job.file_error or "; ".join(e["message"] for e in job.errors[:1])
    return {"seconds": seconds, "status": job.status, "message": message[:200]}


def child_main(argv):
    step, root, db = argv[0], Path(argv[1]), Path(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_AS, LIMIT_AS))
    _django(root, db)
    if step == "setup":
        result = child_setup(root, db) or {}
    elif step == "idle":
        result = {"seconds": 0.0}
    elif step == "request":
        result = child_request(root, db, argv[3])
    else:
        result = child_worker(root, db, int(argv[3]))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def run(step, root, db, *extra):
    command = [sys.executable, __file__, "--child", step, str(root), str(db), *map(str, extra)]
    start = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 - this script, fixed arguments
            command, capture_output=True, text=True, timeout=TIMEOUT, cwd=HERE
        )
    except subprocess.TimeoutExpired:
        return {"seconds": TIMEOUT, "status": f"killed after {TIMEOUT} s", "peak_mb": None}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (done.stderr or "").strip().splitlines()[-1:] or ["?"]
    return {
        "seconds": time.perf_counter() - start,
        "status": f"crashed ({tail[0][:120]})",
        "peak_mb": None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(HERE), help="the code tree to measure")
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    os.environ.setdefault("DUDAO_DEMO", "1")
    import django

    django.setup()
    build_files()
    root = Path(args.root).resolve()
    db = WORK / f"db-{abs(hash(str(root))) % 10**8}.sqlite3"
    db.unlink(missing_ok=True)
    setup = run("setup", root, db)
    if "crashed" in str(setup.get("status", "")):
        sys.exit(f"setup failed: {setup}")
    idle = run("idle", root, db)
    print(f"code: {root}")
    print(f"idle Django process: peak {idle['peak_mb']:.0f} MB")
    for case in args.case or sorted(CASES):
        name, kind = CASES[case]
        size = (WORK / name).stat().st_size
        request = run("request", root, db, case)
        peak = f"{request['peak_mb']:.0f} MB" if request.get("peak_mb") else "-"
        print(
            f"{case}. {name} ({size / 1024:,.1f} KB, {kind}) request: {request['seconds']:.2f} s, "
            f"peak {peak}, job {request.get('status')} {request.get('message', '')!r}"
        )
        if request.get("status") == "validating":
            worker = run("worker", root, db, request["job"])
            peak = f"{worker['peak_mb']:.0f} MB" if worker.get("peak_mb") else "-"
            print(
                f"   worker: {worker['seconds']:.2f} s, peak {peak}, job {worker.get('status')} "
                f"{worker.get('message', '')!r}"
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
