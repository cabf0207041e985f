"""Scopes the code cannot forget.

Every model that belongs to an office, a zone, a school or a person is *scoped*: its
`objects` manager hands out querysets that refuse to run until the caller has said whose
data the query may see:

- `Model.objects.visible_to(user)`: what `user` may see (the rule registered for the model,
  one function in `dudao.accounts.scoping`, e.g. `findings_for`); views, reports, exports and
  the API use this;
- `Model.objects.unscoped()`: every row, chosen on purpose; for services that already hold
  an authorised object (checking a rule across the office, numbering a notice), tasks and
  commands that act for the office as a whole (the overdue check, the demo), and tests.

A query that has chosen neither raises `ScopeNotChosen` the moment it would run (iteration,
`count()`, `exists()`, `get()`, `aggregate()`, `update()`, `delete()`…), in tests as in
production: a forgotten scope is a loud error, never a leak. Building a queryset is free;
only running it is checked, and a queryset used inside another query (`school__in=...`) runs
as part of that query, which has chosen its own scope.

Django's own machinery (unique checks in forms, the admin, related managers and deletion)
uses the plain `all_objects` manager (the model's default manager). App code never names
`all_objects`, `_default_manager` or `_base_manager`: tests/core/test_scopes.py fails if it
does outside this module, `dudao.accounts.scoping` and migrations.

A scoped model declares::

    all_objects = models.Manager()        # first: Django's default manager
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"

and its rule is registered in `dudao.accounts.scoping` with `@scope_rule(Model)`.
"""

from collections.abc import Callable

from django.db import models

__all__ = ["ScopeNotChosen", "ScopedManager", "ScopedQuerySet", "scope_rule", "scoped_models"]


class ScopeNotChosen(RuntimeError):
    """A query on a scoped model ran without choosing whose data it may see."""


_RULES: dict[type[models.Model], Callable] = {}


def scope_rule(model: type[models.Model]):
    """Register `function(user) -> queryset` as the visibility rule of `model`."""

    def register(function: Callable) -> Callable:
        _RULES[model] = function
        return function

    return register


def scoped_models() -> list[type[models.Model]]:
    """Models whose `objects` manager is scoped (for tests and docs)."""
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if isinstance(m._meta.managers_map.get("objects"), ScopedManager)
    ]


class ScopedQuerySet(models.QuerySet):
    """A queryset that runs only once a scope was chosen (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_chosen = False

    def _clone(self):
        clone = super()._clone()
        clone._scope_chosen = self._scope_chosen
        return clone

    # -- choosing -----------------------------------------------------------------------

    def visible_to(self, user):
        """What `user` may see of this queryset (the model's registered rule)."""
        try:
            rule = _RULES[self.model]
        except KeyError as exc:
            raise ScopeNotChosen(
                f"{self.model.__name__} has no visibility rule: register one with "
                "@scope_rule in dudao.accounts.scoping"
            ) from exc
        visible = rule(user)
        chosen = self.unscoped() & visible
        chosen._scope_chosen = True
        return chosen

    def unscoped(self):
        """Every row, chosen on purpose (services, tasks, commands, tests)."""
        clone = self._chain()
        clone._scope_chosen = True
        return clone

    # -- running ------------------------------------------------------------------------

    def _require_scope(self):
        if not self._scope_chosen:
            raise ScopeNotChosen(
                f"A query on {self.model._meta.label} ran without a scope: use "
                f"{self.model.__name__}.objects.visible_to(user) (or a function of "
                "dudao.accounts.scoping), or .unscoped() where every row is meant "
                "(docs/architecture.md, Scopes)."
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def contains(self, obj):
        if self._result_cache is None:
            self._require_scope()
        return super().contains(obj)

    def aggregate(self, *args, **kwargs):
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._require_scope()
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        self._require_scope()
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def in_bulk(self, *args, **kwargs):
        self._require_scope()
        return super().in_bulk(*args, **kwargs)

    def explain(self, *args, **kwargs):
        self._require_scope()
        return super().explain(*args, **kwargs)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    """The `objects` manager of a scoped model."""

    # Related managers and Django's internals use the model's default manager
    # (`all_objects`); this one is for the app's own queries.
    use_in_migrations = False
