"""Government units (督政对象, /registry/units/): the office's people and the viewers above it
read the list (school users get 403); only county A's office admin creates, edits,
deactivates, reactivates, deletes and imports; another county's unit is not found."""

from django.urls import NoReverseMatch, reverse

from .common import ADMIN_A_ACTION, ADMIN_ONLY, AS_GET, POST_ONLY_ADMIN, everyone, only, writes

EDIT_A = only({"admin": 200, "other_admin": 404})
WRITE_A = only({"admin": writes(302), "other_admin": 404})


def unit(w, *, office=None, name="上城区人民政府", kind="county", active=True):
    """A unit of county A (made without services, so WRITES can count their rows)."""
    from dudao.organisations.models import GovernmentUnit

    found, _created = GovernmentUnit.all_objects.get_or_create(
        office=office or w.office, name=name, defaults={"kind": kind, "is_active": active}
    )
    return found


def active_unit(w):
    return [unit(w, name="湖滨街道办事处", kind="township").pk]


def inactive_unit(w):
    return [unit(w, name="撤并乡人民政府", kind="township", active=False).pk]


def foreign_unit(w):
    return [unit(w, office=w.other_office, name="玄武区人民政府").pk]


def _mounted() -> bool:
    """Whether dudao/urls.py includes the units' URLs (rows only for pages that exist)."""
    try:
        reverse("units:list")
    except NoReverseMatch:
        return False
    return True


MATRIX = {
    "units:list": (None, everyone(200) | {"school": 403}, AS_GET),
    "units:create": (None, ADMIN_ONLY, ADMIN_ONLY),  # an empty form is shown again
    "units:edit": (active_unit, EDIT_A, EDIT_A),
    "units:deactivate": (active_unit, POST_ONLY_ADMIN, WRITE_A),
    # already active: refused with a message, nothing written
    "units:reactivate": (active_unit, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "units:delete": (active_unit, POST_ONLY_ADMIN, WRITE_A),
    "units:import": (None, ADMIN_ONLY, ADMIN_ONLY),  # no file: the form with its error
    "units:template": (None, ADMIN_ONLY, AS_GET),
    "units:export": (None, ADMIN_ONLY, AS_GET),
}

# (The POST-only actions answer 405 to any GET; county B's admin posting to county A's unit
# is their rows' other_admin 404.)
OUT_OF_SCOPE = [("units:edit", foreign_unit, ["admin"])]

WRITES = {
    "units:edit": active_unit,
    "units:deactivate": active_unit,
    "units:reactivate": inactive_unit,
    "units:delete": active_unit,
}

if not _mounted():  # until dudao/urls.py includes dudao.organisations.unit_urls
    MATRIX, OUT_OF_SCOPE, WRITES = {}, [], {}
