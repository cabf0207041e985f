from django import template

register = template.Library()


@register.filter
def pct(value):
    """A rate 0..1 as a percentage with one decimal; "—" when undefined (nothing to count)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
