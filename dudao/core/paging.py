from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25
# Lists count their rows up to this many: a province viewer's 700 000 visits took 144 ms to
# count exactly for a page of 25. Beyond it the page says "more than" and pages stop there;
# exact totals are the dashboards' and the reports' job.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (one query, `LIMIT cap + 1` inside the count): `capped` says
    there are more, and the pages end at the cap."""

    def __init__(self, *args, cap: int | None = COUNT_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "values"):
            return len(queryset)
        if self.cap is None:
            return queryset.count()
        return queryset.values("pk")[: self.cap + 1].count()

    @cached_property
    def capped(self) -> bool:
        return self.cap is not None and self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return self._counted if self.cap is None else min(self._counted, self.cap)


_DEFAULT_CAP = object()


def paginate(request, queryset, per_page: int = PAGE_SIZE, cap=_DEFAULT_CAP):
    """A page of `queryset` for ?page=N; a bad or too-high page number gives the last page.
    `cap=None` counts every row (the ledger, whose total the office quotes)."""
    if cap is _DEFAULT_CAP:
        cap = COUNT_CAP
    paginator = CappedPaginator(queryset, per_page, cap=cap)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
