"""Choosing one school, inspector, zone or township from a wide scope: a search field, not a
`<select>`.

A province viewer's scope holds 20 000 schools and 10 000 inspectors; a `<select>` of all of
them made the ledger's filter 1.5 MB of HTML (issue 10). `LookupField` is the one way a form
offers such a choice:

- a scope of at most `SELECT_MAX` rows (an inspector's or a zone leader's schools) keeps a
  plain `<select>`;
- a wider one is a text box. With JavaScript, what the user types is sent to the lookup
  endpoint (`core:lookup`, this module's `lookup` view, through htmx), which answers at most
  `MATCHES_MAX` suggestions from the reader's scope; picking one fills a hidden input with its
  id. Without JavaScript the form is submitted with the text, and the field resolves an exact
  code (a school's 学校标识码, an inspector's phone) or an exact name within the scope.

The scope is `dudao.accounts.scoping` (`schools_for`, `inspectors_for`) for the field and the
endpoint alike, so a suggestion is always a valid choice, and a school of another county
neither appears nor resolves: "not yours" is "not found".

A form declares `school = LookupField("school", label=..., required=False)` and calls
`field.set_scope(user)` in `__init__`; its template adds `{{ form.media }}` to the page's head.
Query parameters: `<name>` carries the id (links such as `?school=12` keep working) and
`<name>_text` the typed text, which wins when it no longer reads as the chosen object.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.permissions import role_required

SELECT_MAX = 50  # a scope this small is still a <select>
MATCHES_MAX = 20  # suggestions per answer
TEXT_MAX = 100  # characters of search text considered
TEXT_SUFFIX = "_text"
LOOKUP_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)

SCHOOL_CODE = re.compile(r"^\d{10}$")


@dataclass(frozen=True)
class Kind:
    """What can be looked up: its scope, how it is searched and how it reads."""

    name: str
    scope: Callable  # user -> QuerySet, from dudao.accounts.scoping
    order: tuple[str, ...]
    fields: tuple[str, ...]  # the columns a suggestion shows (with pk and office name)
    search: Callable[[str], Q]  # text -> the suggestions' filter
    exact: Callable[[str], Q]  # text -> what a submitted text means exactly
    label: Callable[[Model], str]  # what the text box shows once chosen
    not_found: str
    ambiguous: str
    placeholder: str
    hints: tuple[str, ...] = ("office__name", "zone__name")  # where a suggestion belongs


def _school_search(text: str) -> Q:
    if text.isdigit():
        return Q(code__startswith=text)
    return Q(name__icontains=text)


def _school_exact(text: str) -> Q:
    first = text.split()[0]
    if SCHOOL_CODE.match(first):  # a code, or a label "code name" as the box shows it
        return Q(code=first)
    return Q(name=text)


def _inspector_search(text: str) -> Q:
    if text.isdigit():
        return Q(phone__startswith=text)
    return Q(name__icontains=text)


def _inspector_exact(text: str) -> Q:
    return Q(phone=text) if text[:1].isdigit() else Q(name=text)


def _name_search(text: str) -> Q:
    return Q(name__icontains=text)


def _name_exact(text: str) -> Q:
    return Q(name=text)


def _townships_for(user):
    """The townships (乡镇/街道) of the reader's schools."""
    from dudao.organisations.models import Region

    return Region.objects.filter(pk__in=scoping.schools_for(user).values("township_id"))


KINDS = {
    "school": Kind(
        name="school",
        scope=scoping.schools_for,
        order=("code",),
        fields=("code", "name"),
        search=_school_search,
        exact=_school_exact,
        label=lambda school: f"{school.code} {school.name}",
        not_found=_("No school of yours has the code or name “%(text)s”."),
        ambiguous=_("Several schools are called “%(text)s”: type the school code."),
        placeholder=_("School code or name"),
    ),
    "inspector": Kind(
        name="inspector",
        scope=scoping.inspectors_for,
        order=("name", "pk"),
        fields=("name",),
        search=_inspector_search,
        exact=_inspector_exact,
        label=lambda inspector: inspector.name,
        not_found=_("No inspector of yours has the phone or name “%(text)s”."),
        ambiguous=_("Several inspectors are called “%(text)s”: type the phone number."),
        placeholder=_("Inspector's name or phone"),
    ),
    "zone": Kind(
        name="zone",
        scope=scoping.zones_for,
        order=("name", "pk"),
        fields=("name",),
        search=_name_search,
        exact=_name_exact,
        label=lambda zone: zone.name,
        not_found=_("No zone of yours is called “%(text)s”."),
        ambiguous=_("Several zones are called “%(text)s”: choose one from the suggestions."),
        placeholder=_("Zone name"),
        hints=("office__name",),
    ),
    "township": Kind(
        name="township",
        scope=_townships_for,
        order=("code",),
        fields=("name",),
        search=_name_search,
        exact=_name_exact,
        label=lambda township: township.name,
        not_found=_("None of your schools is in a township called “%(text)s”."),
        ambiguous=_("Several townships are called “%(text)s”: choose one from the suggestions."),
        placeholder=_("Township name"),
        hints=("parent__name",),
    ),
}


def clean_text(raw) -> str:
    return str(raw or "").replace("\x00", "").strip()[:TEXT_MAX]


def suggestions(user, kind: Kind, text: str) -> list[dict]:
    """At most MATCHES_MAX rows of `user`'s scope matching `text` (all, in order, when it is
    empty): {"pk", "label", "hint"}. One query."""
    qs = kind.scope(user)
    if text:
        qs = qs.filter(kind.search(text))
    hints = kind.hints
    rows = qs.order_by(*kind.order).values("pk", *kind.fields, *hints)[:MATCHES_MAX]
    return [
        {
            "pk": row["pk"],
            "label": kind.label(SimpleNamespace(**row)),
            "hint": " · ".join(row[key] for key in hints if row[key]),
        }
        for row in rows
    ]


@require_GET
@role_required(*LOOKUP_ROLES)
def lookup(request, kind):
    """The suggestions for `?q=` among the reader's schools or inspectors (an HTML fragment
    of buttons for the search field). Another county's rows never appear."""
    found = KINDS.get(kind)
    if found is None:
        raise Http404
    text = clean_text(request.GET.get("q"))
    context = {"rows": suggestions(request.user, found, text), "text": text}
    return render(request, "core/lookup_results.html", context)


class LookupWidget(forms.Widget):
    """A `<select>` for a small scope, else the search box with a hidden id (see the module
    docstring). The field's `set_scope` fills `kind`, `queryset`, `url` and the labels in."""

    template_name = "core/widgets/lookup.html"

    class Media:
        css = {"all": ["css/lookups.css"]}
        js = [forms.Script("js/lookups.js", defer=True)]

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.kind = None
        self.queryset = None
        self.url = ""
        self.empty_label = ""
        self.placeholder = ""

    def small_scope_choices(self):
        """[(pk, label)] of the whole scope when it has at most SELECT_MAX rows, else None.
        One query: the first SELECT_MAX + 1 rows decide."""
        if self.queryset is None:
            return None
        kind = self.kind
        values = self.queryset.order_by(*kind.order).values("pk", *kind.fields)
        rows = list(values[: SELECT_MAX + 1])
        if len(rows) > SELECT_MAX:
            return None
        return [(row["pk"], kind.label(SimpleNamespace(**row))) for row in rows]

    def value_from_datadict(self, data, files, name):
        text_name = name + TEXT_SUFFIX
        return (data.get(name), data.get(text_name) if text_name in data else None)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + TEXT_SUFFIX not in data

    def format_value(self, value):
        return value  # {"pk", "text"} from the field's prepare_value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {"pk": "", "text": ""}
        widget = context["widget"]
        widget.update(
            pk="" if value["pk"] is None else str(value["pk"]),
            text=value["text"] or "",
            text_name=name + TEXT_SUFFIX,
            choices=self.small_scope_choices(),
            url=self.url,
            empty_label=self.empty_label,
            placeholder=self.placeholder,
        )
        return context


class LookupField(forms.Field):
    """One school or inspector of the reader's scope (None when left empty)."""

    widget = LookupWidget
    default_error_messages = {
        "invalid_choice": _(
            "Select a valid choice. That choice is not one of the available choices."
        )
    }

    def __init__(self, kind: str, *, empty_label=None, **kwargs):
        self.kind = KINDS[kind]
        self.empty_label = empty_label
        self.queryset = None
        self.chosen = None  # what clean() resolved, to show its label again
        super().__init__(**kwargs)

    def set_scope(self, user) -> None:
        """Choose among `user`'s rows (the endpoint's scope). Nothing is read until the
        widget is rendered (a form only cleaned, as the dashboards' `filtered_findings`,
        costs no query)."""
        self.queryset = self.kind.scope(user)
        widget = self.widget
        widget.kind = self.kind
        widget.queryset = self.queryset
        widget.empty_label = self.empty_label or "—"
        widget.placeholder = self.kind.placeholder
        widget.url = reverse("core:lookup", args=[self.kind.name])

    def _in_scope(self, pk):
        if isinstance(pk, Model):
            pk = pk.pk
        pk = str(pk).strip()
        if not pk.isdigit():
            return None
        return self.queryset.filter(pk=pk).first()

    def clean(self, value):
        pk, text = value if isinstance(value, tuple) else (value, None)
        if text is None:  # a link or a <select>: the id alone
            if pk in (None, ""):
                obj = None
            else:
                obj = self._in_scope(pk)
                if obj is None:
                    raise ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        else:
            obj = self._resolve(pk, clean_text(text))
        if obj is None and self.required:
            raise ValidationError(self.error_messages["required"], "required")
        self.chosen = obj
        return obj

    def _resolve(self, pk, text):
        if not text:
            return None
        if pk not in (None, ""):
            obj = self._in_scope(pk)
            if obj is not None and self.kind.label(obj) == text:
                return obj
        matches = list(self.queryset.filter(self.kind.exact(text)).order_by("pk")[:2])
        if len(matches) == 1:
            return matches[0]
        message = self.kind.ambiguous if matches else self.kind.not_found
        raise ValidationError(message % {"text": text}, "not_found")

    def prepare_value(self, value):
        """{"pk", "text"} for the widget: the chosen object's id and label, else what was
        typed (so a text that found nothing stays in the box beside its error)."""
        if isinstance(value, Model):
            return {"pk": value.pk, "text": self.kind.label(value)}
        if self.chosen is not None:
            return {"pk": self.chosen.pk, "text": self.kind.label(self.chosen)}
        if isinstance(value, tuple):
            pk, text = value
            if text is None and pk not in (None, "") and self.queryset is not None:
                obj = self._in_scope(pk)  # a link's id: show what it is
                if obj is not None:
                    return {"pk": obj.pk, "text": self.kind.label(obj)}
            return {"pk": pk or "", "text": clean_text(text)}
        return {"pk": value or "", "text": ""}
