"""The form renderer's Python widgets produce exactly what Django's templates produce."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from dudao.core.form_renderer import FAST, FormRenderer

STOCK = DjangoTemplates()
FAST_RENDERER = FormRenderer()

CHOICES = [
    ("", "---------"),
    (1, "一小"),
    ("a&b", mark_safe("<b>safe</b>")),
    ("x", gettext_lazy("School")),
    ("Group <1>", [("g1", "G 1"), ("g2", 'G "2"')]),
    (3, 3),
]


def widgets():
    return [
        ("text", forms.TextInput(attrs={"class": "wide", "required": True, "x": None}), "值<&>"),
        ("text-none", forms.TextInput(attrs={"disabled": False}), None),
        ("number", forms.NumberInput(attrs={"min": 0, "step": "0.5"}), 12),
        ("email", forms.EmailInput(), "a@b.cn"),
        ("hidden", forms.HiddenInput(), mark_safe("<safe>")),
        ("password", forms.PasswordInput(render_value=True), "pw\"'"),
        ("date", forms.DateInput(attrs={"type": "date"}), datetime.date(2028, 2, 29)),
        ("checkbox", forms.CheckboxInput(), True),
        ("checkbox-off", forms.CheckboxInput(attrs={"data-x": "1"}), False),
        ("textarea", forms.Textarea(attrs={"rows": 3}), "第一行\n<script>"),
        ("textarea-empty", forms.Textarea(), ""),
        ("select", forms.Select(choices=CHOICES, attrs={"data-autosubmit": True}), "x"),
        ("select-int", forms.Select(choices=CHOICES), 1),
        ("select-group", forms.Select(choices=CHOICES), "g2"),
        ("select-multiple", forms.SelectMultiple(choices=CHOICES), ["g1", 3]),
        ("radio", forms.RadioSelect(choices=CHOICES, attrs={"class": "inline"}), "a&b"),
        ("radio-noid", forms.RadioSelect(choices=CHOICES[1:3]), None),
        ("checkboxes", forms.CheckboxSelectMultiple(choices=CHOICES), ["x", "g1"]),
    ]


@pytest.mark.parametrize("case", widgets(), ids=lambda case: case[0])
@pytest.mark.parametrize("with_id", [True, False])
def test_every_fast_widget_renders_as_django_does(case, with_id):
    _name, widget, value = case
    attrs = {"id": "id_field"} if with_id else None
    assert widget.template_name in FAST
    stock = widget.render("field", value, attrs=attrs, renderer=STOCK)
    fast = widget.render("field", value, attrs=attrs, renderer=FAST_RENDERER)
    assert fast == stock


def test_other_templates_still_render_through_templates():
    widget = forms.ClearableFileInput()
    assert widget.template_name not in FAST
    assert widget.render("f", None, renderer=FAST_RENDERER) == widget.render(
        "f", None, renderer=STOCK
    )


def test_the_project_uses_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    choices=st.lists(st.tuples(text, text), min_size=1, max_size=5),
    attr_values=st.lists(st.one_of(text, st.booleans(), st.integers(), st.none()), max_size=3),
    pick=st.integers(min_value=0, max_value=4),
    radio=st.booleans(),
)
def test_any_choices_and_attributes_render_the_same(choices, attr_values, pick, radio):
    attrs = {f"data-a{i}": v for i, v in enumerate(attr_values)}
    cls = forms.RadioSelect if radio else forms.Select
    widget = cls(choices=choices, attrs=attrs)
    value = choices[pick % len(choices)][0]
    assert widget.render("n", value, renderer=FAST_RENDERER) == widget.render(
        "n", value, renderer=STOCK
    )
