"""Checks for system packages the Python install cannot bring (a CJK font for PDFs)."""

import shutil
import subprocess

from django.utils.translation import gettext as _

CJK_FONT_HINT = "sudo apt-get install fonts-noto-cjk"


def cjk_font_available() -> bool:
    """True when fontconfig knows a Chinese font (WeasyPrint renders PDFs through it)."""
    if not shutil.which("fc-list"):
        return False
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


class MissingSystemPackage(RuntimeError):
    pass


def require_cjk_font():
    if not cjk_font_available():
        raise MissingSystemPackage(
            _("No Chinese font is installed, so PDFs cannot be rendered. Install one: %(hint)s")
            % {"hint": CJK_FONT_HINT}
        )
