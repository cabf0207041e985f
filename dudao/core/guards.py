"""Guards: who may call a write service.

Every write service takes the acting user as its first argument and, before it writes
anything (inside its transaction), calls one of these guards. Views, imports, commands and
the coming REST API call the same services, so none of them can skip a check: a view's
decorator (`dudao.core.permissions`) decides what a page offers and answers 403/404 early;
the service decides what may happen. A refusal raises `dudao.core.errors.NotPermitted` (a
DomainError with a translated message) and nothing has been written.

The guards (each takes `message=` to say the refusal in the service's own words):

- `require_office_admin(actor, office)`: the actor is an office admin of `office` (an Office or
  its primary key; `None`, no office, is always refused);
- `require_role(actor, *roles)`: the actor has one of these roles (in any office: pair it with
  `require_in_scope` or `require_office_admin`);
- `require_in_scope(actor, obj)`: `obj` is visible to the actor through its model's scope
  (`type(obj).objects.visible_to(actor)`, `dudao.core.scopes`);
- `require_self_or_office_admin(actor, user, office=None)`: the actor is `user` (a User or
  its primary key), or an office admin of `office` (by default the user's own office);
- `require_person(actor)`: a signed-in person, not SYSTEM: for services that record the actor
  in a user column (`created_by`, `uploaded_by`, ...).

`is_office_admin(actor, office)` and `has_role(actor, *roles)` are the same rules as
predicates, for services whose rule combines them with something else (the inspector assigned
to a school *or* the office admin).

Who may act at all (every guard checks this first): an active `User`, or `SYSTEM`. `None`, an
anonymous user and a deactivated account are refused by every guard.

The superuser rule (one place: `_acting`): **a superuser never acts through the services.** It
reads everything (its scope is every row, `dudao.accounts.scoping`) and administers through
Django admin, but it holds no office, zone, school or inspector record to act for, so every
guard that grants by role, office or scope refuses it, even when its row carries a role. This is
what the views did already: `office_admin_required` refuses it, the workflow engine gives it no
role, it records no visits and gets no signboards. The one exception is the actor's own
account: `require_self_or_office_admin` lets any active user, a superuser too, act on itself
(change its own password).

System actions: code that acts for the platform itself, not for a signed-in person (seeding the
demo's registry before any account exists, creating an office's first admin account, a
command) passes `SYSTEM`, a named actor that is not a database row. SYSTEM is an office admin of
every office and sees every row: it passes `require_office_admin` (for a given office),
`require_in_scope`, `require_self_or_office_admin` and `require_role` when the roles include
the office admin; it has no office of its own, so services acting for "the actor's office"
refuse it, and `require_person` refuses it. Audit and history rows show it by name with no
user. SYSTEM is never a request's user, so no view or API call can act as it. Scheduled tasks
that change no registry data through these services (the overdue check) keep writing their
history rows with no actor; the import task acts as the office admin who confirmed the import;
the demo records its supervision history as its office admins and inspectors.
"""

from django.db import models
from django.utils.translation import gettext as _

from dudao.accounts.models import Role

from .errors import NotPermitted

__all__ = [
    "SYSTEM",
    "SystemActor",
    "has_role",
    "is_office_admin",
    "is_system",
    "require_in_scope",
    "require_office_admin",
    "require_person",
    "require_role",
    "require_self_or_office_admin",
]


class SystemActor:
    """The platform acting for itself (see the module docstring). Looks enough like a user for
    the audit log (`pk` None, a name) and for code that reads an actor's anchors (all empty)."""

    pk = id = None
    is_superuser = is_staff = False
    is_active = True
    is_authenticated = True
    is_anonymous = False
    role = ""
    office = office_id = None
    inspector = inspector_id = None
    school = school_id = None
    region = region_id = None

    def __str__(self):
        return _("System")

    def __repr__(self):
        return "<SYSTEM>"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return actor is SYSTEM


def _pk(value):
    return value.pk if isinstance(value, models.Model) else value


def _refuse(message, default):
    raise NotPermitted(str(message) if message else default)


def _acting(actor) -> str:
    """Who is acting: "system", "superuser" or "user"; raises for no one (None, anonymous, a
    deactivated account). The one place of the superuser rule: callers treat "superuser" as
    holding no role, office or scope."""
    if actor is SYSTEM:
        return "system"
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "pk", None)
        or not actor.is_active
    ):
        raise NotPermitted(_("Sign in with an active account to do this."))
    if actor.is_superuser:
        return "superuser"
    return "user"


# ---- predicates ---------------------------------------------------------------------------


def is_office_admin(actor, office) -> bool:
    """The actor may act as the office admin of `office` (an Office or its pk)."""
    office_id = _pk(office)
    if office_id is None:
        return False
    try:
        acting = _acting(actor)
    except NotPermitted:
        return False
    if acting == "system":
        return True
    return acting == "user" and actor.role == Role.OFFICE_ADMIN and actor.office_id == office_id


def has_role(actor, *roles) -> bool:
    """The actor holds one of `roles` (SYSTEM counts as an office admin)."""
    try:
        acting = _acting(actor)
    except NotPermitted:
        return False
    if acting == "system":
        return Role.OFFICE_ADMIN in roles
    return acting == "user" and bool(actor.role) and actor.role in roles


# ---- guards -------------------------------------------------------------------------------


def require_office_admin(actor, office, *, message=None) -> None:
    """The actor is an office admin of `office` (an Office or its pk)."""
    _acting(actor)
    if not is_office_admin(actor, office):
        _refuse(message, _("Only the office administrator of this office may do this."))


def require_role(actor, *roles, message=None) -> None:
    """The actor holds one of `roles` (values of `dudao.accounts.models.Role`)."""
    _acting(actor)
    if not has_role(actor, *roles):
        _refuse(message, _("Your role does not allow this."))


def require_in_scope(actor, obj, *, message=None) -> None:
    """`obj` is visible to the actor: its model's scope (`visible_to`) contains it."""
    acting = _acting(actor)
    if acting == "system":
        return
    if (
        acting == "user"
        and obj is not None
        and obj.pk is not None
        and type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists()
    ):
        return
    _refuse(message, _("This record is outside what you may change."))


def require_self_or_office_admin(actor, user, office=None, *, message=None) -> None:
    """The actor is `user` (a User or its pk) acting on itself, or an office admin of
    `office` (by default the user's own office). A superuser is never an office admin, but it
    may act on itself."""
    acting = _acting(actor)
    user_id = _pk(user)
    if acting != "system" and user_id is not None and actor.pk == user_id:
        return
    if office is None and isinstance(user, models.Model):
        if getattr(user, "is_superuser", False) and acting != "system":
            _refuse(message, _("Only the office administrator of this office may do this."))
        office = user.office_id
    if not is_office_admin(actor, office):
        _refuse(message, _("Only the office administrator of this office may do this."))


def require_person(actor, *, message=None) -> None:
    """A signed-in person (not SYSTEM): the service records the actor as a user."""
    if _acting(actor) == "system":
        _refuse(message, _("This action is recorded under a person's name: sign in to do it."))
