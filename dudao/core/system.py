"""Checks for system packages the Python install cannot bring: a CJK font for PDFs, and the
official fonts of the Word documents (GB/T 9704: 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体).

Word documents name the official fonts; a reader without them substitutes (Word and WPS by
the font table's alternative names, LibreOffice through fontconfig). `official_fonts()`
says, for this server, which are installed and which font fontconfig uses instead: what
LibreOffice on this machine shows, and what `check_system` and the reports page report."""

import functools
import shutil
import subprocess

from django.utils.translation import gettext as _

CJK_FONT_HINT = "sudo apt-get install fonts-noto-cjk"
FONTCONFIG_TARGET = "/etc/fonts/conf.d/64-dudao-official-fonts.conf"


def _fc(*args: str) -> str:
    if not shutil.which(args[0]):
        return ""
    try:
        return subprocess.run(  # noqa: S603 (fixed program, our own arguments)
            list(args),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def cjk_font_available() -> bool:
    """True when fontconfig knows a Chinese font (WeasyPrint renders PDFs through it)."""
    return bool(_fc("fc-list", ":lang=zh", "family").strip())


def chinese_families() -> set[str]:
    """Every family name (in every language fontconfig lists) of the installed Chinese fonts."""
    names = set()
    for line in _fc("fc-list", ":lang=zh", "family").splitlines():
        names.update(name.strip() for name in line.split(",") if name.strip())
    return names


def official_fonts() -> list[dict]:
    """The official fonts of the Word documents: for each, `name`, `role` (what it sets),
    `installed` and, when missing, `used_instead` (fontconfig's choice for the name, which
    LibreOffice on this machine uses; "" when fontconfig is absent)."""
    from dudao.reports.docx_defaults import (
        BODY_FONT,
        HEADING_FONT,
        KAI_FONT,
        OFFICIAL_FONTS,
        TITLE_FONT,
    )

    roles = {
        BODY_FONT: _("body text"),
        TITLE_FONT: _("titles and the masthead"),
        HEADING_FONT: _("headings and table headers"),
        KAI_FONT: _("second-level headings"),
    }
    installed = chinese_families()
    fonts = []
    for name, role in roles.items():
        aliases = (name, *OFFICIAL_FONTS[name]["also"])
        present = any(alias in installed for alias in aliases)
        instead = ""
        if not present:
            match = _fc("fc-match", "--format=%{family[0]}", f"{name}:lang=zh-cn")
            instead = match.strip()
        fonts.append({"name": name, "role": role, "installed": present, "used_instead": instead})
    return fonts


@functools.lru_cache(maxsize=1)
def official_fonts_cached() -> tuple:
    """`official_fonts()` once a process (fonts are installed with a restart), for pages."""
    return tuple(official_fonts())


class MissingSystemPackage(RuntimeError):
    pass


def require_cjk_font():
    if not cjk_font_available():
        raise MissingSystemPackage(
            _("No Chinese font is installed, so PDFs cannot be rendered. Install one: %(hint)s")
            % {"hint": CJK_FONT_HINT}
        )
