"""Monthly focus points (月度督导要点): their visibility rule and fetch-and-authorise helper
(dudao/core/scopes.py). The rule belongs beside the others in `dudao/accounts/scoping.py`;
it is kept here, registered in `VisitsConfig.ready`, until that module takes it.

- office admin, inspectors and zone leaders: their own office's points;
- viewer: the points of every office under its city or province;
- school users: none (the points are the office's working instructions).
"""

from django.db.models import QuerySet

from dudao.accounts.models import Role
from dudao.accounts.scoping import get_or_404, offices_for
from dudao.core.scopes import scope_rule

from .models import FocusPoint


@scope_rule(FocusPoint)
def focus_points_for(user) -> QuerySet[FocusPoint]:
    qs = FocusPoint.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role == Role.OFFICE_ADMIN and user.office_id:
        return qs.filter(office_id=user.office_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(office_id=user.inspector.office_id)
    return qs.none()


def get_focus_point_for(user, pk) -> FocusPoint:
    return get_or_404(focus_points_for(user).select_related("office"), pk=pk)


def points_of_month(office_id, year: int, month: int) -> list[FocusPoint]:
    """The office's points for one month, in their order (for the visit form: the school's
    office, already in the recorder's scope)."""
    return list(
        FocusPoint.objects.unscoped()
        .filter(office_id=office_id, year=year, month=month)
        .order_by("ordering", "pk")
    )
