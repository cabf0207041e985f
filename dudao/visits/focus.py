"""Monthly focus points (月度督导要点). Their visibility rule and fetch-and-authorise helper
are `focus_points_for` / `get_focus_point_for` in `dudao/accounts/scoping.py`."""

from .models import FocusPoint


def points_of_month(office_id, year: int, month: int) -> list[FocusPoint]:
    """The office's points for one month, in their order (for the visit form: the school's
    office, already in the recorder's scope)."""
    return list(
        FocusPoint.objects.unscoped()
        .filter(office_id=office_id, year=year, month=month)
        .order_by("ordering", "pk")
    )
