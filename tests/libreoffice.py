"""Documents checked in a real reader: LibreOffice (headless) renders a DOCX to PDF, poppler
reads the pages back. Word and WPS are not available on Linux; LibreOffice is the reader
the offices' intranet PCs most often have besides them, and it is strict about broken XML.

`rendered(content)` gives the page count, the page size in points and the text of every
page. Without LibreOffice the test is skipped with the package to install (CI installs it).
"""

import dataclasses
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFINFO = shutil.which("pdfinfo")
PDFTOTEXT = shutil.which("pdftotext")


@dataclasses.dataclass
class Rendered:
    pages: int
    size_pt: tuple[float, float]
    text: str
    pdf: Path

    @property
    def is_a4_portrait(self) -> bool:
        width, height = self.size_pt
        return abs(width - 595.3) < 2 and abs(height - 841.9) < 2


def convert_to_pdf(source: Path, outdir: Path, env: dict | None = None) -> Path:
    """`source` converted by headless LibreOffice into `outdir`; its PDF's path. `env`: the
    environment to run it in (a fontconfig file of the test's own)."""
    # A profile of its own, so that parallel test workers never share one.
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(  # noqa: S603 (fixed arguments, our own file)
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env=env,
        )
    return outdir / f"{source.stem}.pdf"


def rendered(content: bytes, tmp_path: Path, name: str = "document") -> Rendered:
    if SOFFICE is None or PDFINFO is None or PDFTOTEXT is None:
        pytest.skip(
            "rendering DOCX needs LibreOffice and poppler: "
            "sudo apt-get install libreoffice-writer-nogui poppler-utils"
        )
    source = tmp_path / f"{name}.docx"
    source.write_bytes(content)
    pdf = convert_to_pdf(source, tmp_path)
    assert pdf.exists() and pdf.stat().st_size > 0, "LibreOffice wrote no PDF"
    info = subprocess.run(  # noqa: S603
        [PDFINFO, str(pdf)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    width, height = (
        float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
    )
    text = subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Rendered(pages=pages, size_pt=(width, height), text=text, pdf=pdf)


def squeezed(text: str) -> str:
    """The text without white space (a PDF breaks lines and spaces CJK text its own way)."""
    return re.sub(r"\s+", "", text)
