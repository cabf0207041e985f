"""Time and memory of a photo upload's checks and preview (issue 9, item 8: large images).

    .venv/bin/python bench/security_images.py    # 8900 x 8900 JPEG (baseline, progressive), PNG
    .venv/bin/python bench/security_images.py --size 6000

Each case runs in a fresh subprocess, which reads the file as an upload, calls
`dudao.core.files.check_upload` and then `make_preview` (what `store()` does for a photo in the
request; a photo whose preview is left to the background task has it measured after), and
reports the wall time and the peak resident memory (ru_maxrss), also above the process's memory
once Django is set up (+MB). The cases: an 8900 x 8900 photo as baseline JPEG, progressive JPEG
and PNG, a 6300 x 6300 PNG (just under the default PHOTO_MAX_PIXELS) and a 1 KB PNG declaring
50 000 x 50 000 pixels. A refused file prints the refusal instead of a preview size. The images are
written to var/bench/ once.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
AT_LIMIT = 6300  # a square PNG just under the default PHOTO_MAX_PIXELS (40 megapixels)


def make_images(size: int) -> dict[str, Path]:
    from PIL import Image

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    paths = {
        "jpeg": BENCH_DIR / f"photo-{size}.jpg",
        "progressive": BENCH_DIR / f"photo-{size}-progressive.jpg",
        "png": BENCH_DIR / f"photo-{size}.png",
        "png_at_limit": BENCH_DIR / f"photo-{AT_LIMIT}.png",
        "bomb": BENCH_DIR / "bomb-50000.png",
    }
    if not all(path.exists() for path in paths.values()):
        for side, names in ((size, ("jpeg", "progressive", "png")), (AT_LIMIT, ("png_at_limit",))):
            # A smooth picture (gradients), so the files stay under the 10 MB photo limit.
            red = Image.radial_gradient("L").resize((side, side))
            green = Image.linear_gradient("L").resize((side, side))
            blue = green.transpose(Image.Transpose.ROTATE_90)
            image = Image.merge("RGB", (red, green, blue))
            for name in names:
                if name == "jpeg":
                    image.save(paths[name], "JPEG", quality=85)
                elif name == "progressive":
                    image.save(paths[name], "JPEG", quality=85, progressive=True)
                else:
                    image.save(paths[name], "PNG", compress_level=6)
            del image, red, green, blue
    if not paths["bomb"].exists():
        paths["bomb"].write_bytes(bomb_png(50_000, 50_000))
    return paths


def bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header declaring width x height, with a tiny deflate stream of zeros."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\0" * 1024 * 1024, 9)  # a megabyte of zeros, about 1 KB
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def child(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings_test")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from dudao.core import files
    from dudao.core.errors import DomainError

    content = Path(path).read_bytes()
    upload = SimpleUploadedFile(Path(path).name, content)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = {"file": Path(path).name, "bytes": len(content)}
    later = False
    with translation.override("en"):
        try:
            checked = files.check_upload(upload)
            later = files._preview_later(checked)
            result["outcome"] = f"accepted ({checked.content_type})"
            if not later:  # what store() does in the request
                preview = files.make_preview(upload, checked.content_type)
                result["outcome"] += f", preview {len(preview or b'')} bytes"
        except DomainError as error:
            result["outcome"] = f"refused: {error}"
    measure(result, start, base)
    if later:  # the background task's share, measured on top of the request's
        start = time.perf_counter()
        preview = files.make_preview(upload, checked.content_type)
        task = measure({}, start, base)
        result["outcome"] += (
            f", preview {len(preview or b'')} bytes by the background task "
            f"({task['seconds']} s, peak {task['peak_mb']} MB)"
        )
    print(json.dumps(result))


def measure(result: dict, start: float, base: int) -> dict:
    result["seconds"] = round(time.perf_counter() - start, 3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["peak_mb_above_setup"] = round((peak - base) / 1024, 1)  # ru_maxrss is in KB
    result["peak_mb"] = round(peak / 1024, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=8900, help="side of the square photos")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--make", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.make:
        make_images(args.size)
        return
    # Linux keeps a parent's peak memory in a forked child's ru_maxrss: the images are made in
    # a subprocess of their own, so this process stays small.
    command = [sys.executable, __file__, "--size", str(args.size)]
    subprocess.run([*command, "--make"], check=True, cwd=ROOT)  # noqa: S603 (our own script)
    paths = make_images(args.size)  # already there: only the names
    print("In the request (check and, unless left to the background task, the preview):")
    print(f"{'file':<26} {'MB':>6} {'seconds':>8} {'peak MB':>8} {'+MB':>7}  outcome")
    for path in paths.values():
        out = subprocess.run(  # noqa: S603 (our own script)
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{row['file']:<26} {row['bytes'] / 1024 / 1024:>6.1f} {row['seconds']:>8.3f} "
            f"{row['peak_mb']:>8.1f} {row['peak_mb_above_setup']:>7.1f}  {row['outcome']}"
        )


if __name__ == "__main__":
    main()
