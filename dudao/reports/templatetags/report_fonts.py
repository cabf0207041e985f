"""`{% official_fonts as fonts %}`: the GB/T 9704 fonts the Word documents name that this
server lacks, with what LibreOffice here uses instead (`dudao.core.system.official_fonts`,
read once a process)."""

from django import template

from dudao.core import system

register = template.Library()


@register.simple_tag
def official_fonts() -> list[dict]:
    return [font for font in system.official_fonts_cached() if not font["installed"]]
