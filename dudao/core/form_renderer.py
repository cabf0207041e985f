"""The form renderer: Django's, with its commonest widget templates written out in Python.

Django renders a widget through a template that includes one template per option and one
for the attributes: a `<select>` of 150 schools is some 300 template renders, and a visit
form of a hundred radios and selects spent most of its 14 ms there (docs/benchmarks.md).
Each function below produces, character for character, what the stock template produces
from the same widget context (tests/core/test_form_renderer.py compares the two on every
widget kind, with optgroups, escaping, safe strings, lazy and numeric labels, true/false/None
attributes). Every other template (ours and Django's) renders as before; an app that wants a
widget of its own gives it its own `template_name`, which is not in `FAST`.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_PLAIN = Context(autoescape=True)  # localisation and escaping exactly as `{{ value }}` does


def _var(value) -> str:
    """`{{ value }}` in an autoescaped template."""
    return render_value_in_context(value, _PLAIN)


def _fmt(value) -> str:
    """`{{ value|stringformat:'s' }}`: the filter is safe-preserving, so safe input stays."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 (the filter's own formatting)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {conditional_escape(name)}")
            if value is not True:
                out.append(f'="{_fmt(value)}"')
    return "".join(out)


def _input(widget) -> str:
    """django/forms/widgets/input.html (with its trailing newline)."""
    value = f' value="{_fmt(widget["value"])}"' if widget["value"] is not None else ""
    return (
        f'<input type="{_var(widget["type"])}" name="{_var(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(option) -> str:
    """django/forms/widgets/input_option.html, as radio_option/checkbox_option include it."""
    if not option.get("wrap_label"):
        return _input(option) + "\n\n"
    for_id = option["attrs"].get("id")
    label_for = f' for="{_var(for_id)}"' if for_id else ""
    return f"<label{label_for}>{_input(option)} {_var(option['label'])}</label>\n\n"


def render_input(widget) -> str:
    return _input(widget).strip()


def render_textarea(widget) -> str:
    value = _var(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def render_select(widget) -> str:
    out = [f'<select name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_var(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{_fmt(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_var(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def render_multiple_input(widget) -> str:
    """django/forms/widgets/multiple_input.html (radios and checkboxes)."""
    attrs = widget["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_var(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_var(attrs["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_var(group)}</label>")
        for option in options:
            out.append(f"<div>\n    {_input_option(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


_W = "django/forms/widgets/"
FAST = {
    **{
        f"{_W}{name}.html": render_input
        for name in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "search",
            "tel",
            "date",
            "datetime",
            "time",
            "color",
            "checkbox",
        )
    },
    f"{_W}textarea.html": render_textarea,
    f"{_W}select.html": render_select,
    f"{_W}radio.html": render_multiple_input,
    f"{_W}checkbox_select.html": render_multiple_input,
}


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: the stock renderer, with `FAST` widget templates in Python."""

    def render(self, template_name, context, request=None):
        fast = FAST.get(template_name)
        if fast is not None and "widget" in context:
            return fast(context["widget"]).strip()
        return super().render(template_name, context, request)
