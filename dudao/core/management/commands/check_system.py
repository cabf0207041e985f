from django.core.management.base import BaseCommand

from dudao.core.system import (
    CJK_FONT_HINT,
    FONTCONFIG_TARGET,
    cjk_font_available,
    official_fonts,
)


class Command(BaseCommand):
    help = "Report system packages Dudao needs beyond Python (warns, never fails)."

    def handle(self, *args, **options):
        if cjk_font_available():
            self.stdout.write("Chinese font for PDFs: found.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"WARNING: no Chinese font found; signboard PDFs will refuse with a message. "
                    f"Install one with: {CJK_FONT_HINT}"
                )
            )
        missing = False
        for font in official_fonts():
            if font["installed"]:
                self.stdout.write(f"Official font {font['name']} ({font['role']}): found.")
                continue
            missing = True
            instead = font["used_instead"] or "none (fontconfig is missing)"
            self.stdout.write(
                self.style.WARNING(
                    f"WARNING: official font {font['name']} ({font['role']}) is not installed; "
                    f"LibreOffice on this server uses {instead} instead. Word documents "
                    f"still name {font['name']}: a reader's Word or WPS with it shows it."
                )
            )
        if missing:
            self.stdout.write(
                "To make LibreOffice use a serif fallback for 仿宋/楷体/小标宋 (not the default "
                "sans), copy dudao/reports/docx_templates/fonts.conf to "
                f"{FONTCONFIG_TARGET} and run fc-cache."
            )
