from django.core.management.base import BaseCommand

from dudao.core.system import CJK_FONT_HINT, cjk_font_available


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
