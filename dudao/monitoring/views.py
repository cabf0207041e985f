"""The monitoring screens (均衡发展监测). Who may do what:

- office admin: everything for its own county (import, edit figures, copy and edit rule sets,
  record evaluations, exports);
- viewer (city/province) and superuser: read-only, for any office in their scope, chosen with
  `?office=<id>` (the first office in scope by default);
- zone leader, inspector, school: 403 — resource statistics are the office's business.
"""

import json
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.reports.exporter import CONTENT_TYPES, content_disposition

from . import insight, services
from .engine import Result
from .fields import FIELD_BY_KEY
from .forms import CopyRuleSetForm, ResourcesForm, RuleSetForm, UploadForm, WhatIfForm
from .inputs import InputRefused, exclusion_summary, exclusion_text, write_template
from .models import RuleSet, SchoolResources
from .rules import RuleSetError

READ_ROLES = (Role.OFFICE_ADMIN, Role.VIEWER)
LEVELS = ("primary", "junior")


# --- scope helpers ----------------------------------------------------------------------------


def current_office(request):
    """The office the page is about: the admin's own, or `?office=` among the viewer's."""
    user = request.user
    if not user.is_superuser and user.role == Role.OFFICE_ADMIN:
        if not user.office_id:
            raise PermissionDenied
        return user.office
    offices = scoping.offices_for(user).order_by("name")
    pk = request.GET.get("office") or request.POST.get("office")
    if pk:
        try:
            office = offices.filter(pk=int(pk)).first()
        except ValueError:
            office = None
        if office is None:
            raise Http404
        return office
    # No office chosen: the first (by name) that has figures, so that a city or province
    # viewer opens on a county with data rather than on the city's own office or an empty one.
    with_data = SchoolResources.objects.visible_to(user).values("office_id")
    office = offices.filter(pk__in=with_data).first() or offices.first()
    if office is None:
        raise Http404
    return office


def office_query(request, office) -> str:
    """`office=<id>` for links of a reader choosing among several offices."""
    if request.user.role == Role.OFFICE_ADMIN and not request.user.is_superuser:
        return ""
    return f"office={office.pk}"


def get_ruleset(office, pk) -> RuleSet:
    return get_object_or_404(services.rulesets_for(office), pk=pk)


def base_context(request, office, **extra):
    return {
        "office": office,
        "office_q": office_query(request, office),
        "offices": (
            scoping.offices_for(request.user).order_by("name")
            if request.user.role != Role.OFFICE_ADMIN or request.user.is_superuser
            else None
        ),
        "is_admin": request.user.role == Role.OFFICE_ADMIN and not request.user.is_superuser,
        **extra,
    }


def _cv_ok(cv, limit):
    from .engine import at_most

    return cv is not None and limit is not None and at_most(cv, limit)


# --- overview ---------------------------------------------------------------------------------


def _level_summary(result: Result) -> list[dict]:
    out = []
    for level in LEVELS:
        lv = result.levels.get(level)
        if lv is None:
            continue
        out.append(
            {
                "level": level,
                "label": lv.label,
                "schools": lv.school_count,
                "passed": lv.passed,
                "composite_cv": lv.composite_cv_rounded,
                "composite_threshold": lv.composite_threshold,
                "failing_indicators": len(lv.failing_indicators),
                "failing_schools": len(lv.failing_schools),
            }
        )
    return out


def _safe_evaluate(office, year, ruleset):
    try:
        return services.evaluate_year(office, year, ruleset), None
    except (InputRefused, RuleSetError) as refused:
        return None, refused


@role_required(*READ_ROLES)
def index(request):
    office = current_office(request)
    rulesets = list(services.rulesets_for(office))
    by_regime = {
        regime: [r for r in rulesets if r.regime == regime] for regime in ("basic", "quality")
    }
    chosen = {}
    for regime in ("basic", "quality"):
        pk = request.GET.get(regime)
        pick = next((r for r in by_regime[regime] if str(r.pk) == pk), None)
        chosen[regime] = pick or next(r for r in by_regime[regime] if r.is_national)
    years = []
    for year in reversed(services.years_with_data(office)):
        row = {"year": year, "regimes": []}
        for regime in ("basic", "quality"):
            result, error = _safe_evaluate(office, year, chosen[regime])
            row["regimes"].append(
                {
                    "ruleset": chosen[regime],
                    "result": result,
                    "error": error,
                    "levels": _level_summary(result) if result else [],
                }
            )
        years.append(row)
    evaluations = (
        scoping.evaluations_for(request.user)
        .filter(office=office)
        .select_related("created_by")[:10]
    )
    imports = _resource_imports(request.user, office)[:5]
    return render(
        request,
        "monitoring/index.html",
        base_context(
            request,
            office,
            years=years,
            by_regime=by_regime,
            chosen=chosen,
            evaluations=evaluations,
            imports=imports,
        ),
    )


# --- one year under one rule set ----------------------------------------------------------------


def _fmt(value, digits=3):
    if value is None:
        return None
    return round(float(value), digits)


def evaluation_data(result: Result, trend_results: list[Result]) -> dict:
    """Everything the evaluation page shows, as plain values (also the charts' JSON)."""
    regime = result.regime
    levels = []
    for level in LEVELS:
        lv = result.levels.get(level)
        if lv is None or not lv.school_count:
            continue
        indicators = []
        for ind in lv.indicators:
            limit = ind.threshold if regime == "quality" else lv.composite_threshold
            over = (
                (ind.passed is False)
                if regime == "quality"
                else (lv.passed is False and not _cv_ok(ind.cv, limit))
            )
            plan = None
            if over:
                plan = insight.smallest_additions(result, level, ind.key, max_items=15).to_dict()
            indicators.append(
                {
                    "key": ind.key,
                    "label": ind.label,
                    "unit": ind.unit,
                    "mean": _fmt(ind.mean, 4),
                    "cv": _fmt(ind.cv, 4),
                    "cv_rounded": ind.cv_rounded,
                    "threshold": ind.threshold,
                    "standard": ind.standard,
                    "passed": ind.passed,
                    "meeting": ind.schools_meeting_standard,
                    "over": over,
                    "contributions": insight.contributions(result, level, ind.key, top=3),
                    "plan": plan,
                    "values": [
                        {"name": s.name, "code": s.code, "value": _fmt(s.values[ind.key], 4)}
                        for s in lv.schools
                    ],
                }
            )
        schools = []
        for s in lv.schools:
            schools.append(
                {
                    "code": s.code,
                    "name": s.name,
                    "type": s.school_type,
                    "enrolment": int(s.enrolment),
                    "share": _fmt(s.share, 3),
                    "values": [
                        {
                            "key": ind.key,
                            "value": _fmt(s.values[ind.key], 3),
                            "met": (s.standards_met or {}).get(ind.key),
                            "below_share": ind.key in (s.below_share or []),
                        }
                        for ind in lv.indicators
                    ],
                    "met_count": s.met_count,
                    "passed": s.passed,
                }
            )
        levels.append(
            {
                "level": level,
                "label": lv.label,
                "school_count": lv.school_count,
                "enrolment": int(lv.enrolment),
                "passed": lv.passed,
                "composite_cv": lv.composite_cv_rounded,
                "composite_threshold": lv.composite_threshold,
                "cv_threshold": lv.cv_threshold,
                "failing_indicators": lv.failing_indicators,
                "failing_schools": lv.failing_schools,
                "indicators": indicators,
                "schools": schools,
                "shortfalls": insight.standard_shortfalls(result, level),
            }
        )
    trend = insight.trend(trend_results) if trend_results else None
    trend_rows = []
    if trend:
        for lv in levels:
            series = trend["levels"].get(lv["level"], {})
            for ind in lv["indicators"]:
                points = series.get("indicators", {}).get(ind["key"], [])
                trend_rows.append(
                    {
                        "level": lv["label"],
                        "label": ind["label"],
                        "values": [p["cv"] for p in points],
                    }
                )
            if regime == "basic":
                trend_rows.append(
                    {
                        "level": lv["label"],
                        "label": _("Composite CV"),
                        "values": [p["value"] for p in series.get("composite_cv", [])],
                        "composite": True,
                    }
                )
    return {
        "trend_rows": trend_rows,
        "regime": regime,
        "year": result.year,
        "passed": result.passed,
        "levels": levels,
        "excluded": [e.to_dict() for e in result.excluded],
        "exclusion_summary": exclusion_summary(result.excluded),
        "exclusion_text": exclusion_text(result.excluded),
        "trend": trend,
    }


def _chart_json(data: dict) -> dict:
    """The subset the charts draw (the page's tables show the same)."""
    return {
        "regime": data["regime"],
        "levels": [
            {
                "level": lv["level"],
                "label": lv["label"],
                "indicators": [
                    {
                        "key": i["key"],
                        "label": i["label"],
                        "mean": i["mean"],
                        "standard": i["standard"],
                        "values": i["values"],
                    }
                    for i in lv["indicators"]
                ],
            }
            for lv in data["levels"]
        ],
        "trend": data["trend"],
    }


def _year_or_404(office, year):
    if year not in services.years_with_data(office):
        raise Http404
    return year


def _trend_results(office, ruleset, result):
    results = []
    for year in services.years_with_data(office):
        if year == result.year:
            results.append(result)
            continue
        other, _error = _safe_evaluate(office, year, ruleset)
        if other is not None:
            results.append(other)
    return results


@role_required(*READ_ROLES)
def evaluation(request, year, ruleset):
    office = current_office(request)
    ruleset = get_ruleset(office, ruleset)
    _year_or_404(office, year)
    result, error = _safe_evaluate(office, year, ruleset)
    context = base_context(request, office, year=year, ruleset=ruleset, error=error)
    if result is not None:
        data = evaluation_data(result, _trend_results(office, ruleset, result))
        context.update(data=data, charts=_chart_json(data), result=result)
    return render(request, "monitoring/evaluation.html", context)


@office_admin_required
@require_POST
def save_evaluation(request, year, ruleset):
    office = request.user.office
    ruleset = get_ruleset(office, ruleset)
    _year_or_404(office, year)
    try:
        services.record_evaluation(request.user, office, year, ruleset)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The result was recorded with rule set %(name)s version %(version)s.")
            % {"name": ruleset.name, "version": ruleset.version},
        )
    return redirect("monitoring:evaluation", year=year, ruleset=ruleset.pk)


@role_required(*READ_ROLES)
def evaluation_json(request, pk):
    item = scoping.get_evaluation_for(request.user, pk)
    document = {
        "rule_set_name": item.ruleset_name,
        "rule_set_version": item.ruleset_version,
        "rule_set": item.ruleset_data,
        "result": item.result,
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition(
        f"监测结果-{item.year}-{item.ruleset_name}-v{item.ruleset_version}.json"
    )
    return response


# --- what-if ---------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def what_if(request, year, ruleset):
    office = current_office(request)
    ruleset = get_ruleset(office, ruleset)
    _year_or_404(office, year)
    try:
        monitor = services.monitor(office, year, ruleset)
    except (InputRefused, RuleSetError) as refused:
        context = base_context(request, office, year=year, ruleset=ruleset, error=refused)
        return render(request, "monitoring/what_if.html", context)
    data = monitor.data
    schools = sorted(zip(data.codes, data.names, strict=True), key=lambda cn: cn[0])
    form = WhatIfForm(request.GET or None, schools=schools)
    changes = form.all_changes() if form.is_bound else {}
    if request.GET.get("reset"):
        changes = {}
    before = monitor.evaluate()
    after, error = before, None
    if changes:
        try:
            after = monitor.what_if(changes)
        except InputRefused as refused:
            error = refused
    names = dict(schools)
    change_rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "field": FIELD_BY_KEY[key].header if key in FIELD_BY_KEY else key,
            "unit": FIELD_BY_KEY[key].unit if key in FIELD_BY_KEY else "",
            "amount": amount,
        }
        for code, fields_ in changes.items()
        for key, amount in fields_.items()
    ]
    form = WhatIfForm(initial={"changes": json.dumps(changes, ensure_ascii=False)}, schools=schools)
    context = base_context(
        request,
        office,
        year=year,
        ruleset=ruleset,
        form=form,
        changes=change_rows,
        changes_json=json.dumps(changes, ensure_ascii=False),
        comparison=_comparison(before, after),
        before=before,
        after=after,
        what_if_error=error,
        passed_before=before.passed,
        passed_after=after.passed,
    )
    template = "monitoring/_what_if_result.html" if is_htmx(request) else "monitoring/what_if.html"
    return render(request, template, context)


def _comparison(before: Result, after: Result) -> list[dict]:
    rows = []
    for level in LEVELS:
        lb, la = before.levels.get(level), after.levels.get(level)
        if lb is None or not lb.school_count:
            continue
        indicators = []
        for ib, ia in zip(lb.indicators, la.indicators, strict=True):
            indicators.append(
                {
                    "label": ib.label,
                    "before": ib.cv_rounded,
                    "after": ia.cv_rounded,
                    "delta": (None if ib.cv is None or ia.cv is None else round(ia.cv - ib.cv, 4)),
                    "passed_before": ib.passed,
                    "passed_after": ia.passed,
                }
            )
        rows.append(
            {
                "label": lb.label,
                "indicators": indicators,
                "composite_before": lb.composite_cv_rounded,
                "composite_after": la.composite_cv_rounded,
                "threshold": lb.composite_threshold,
                "passed_before": lb.passed,
                "passed_after": la.passed,
                "failing_before": len(lb.failing_schools),
                "failing_after": len(la.failing_schools),
            }
        )
    return rows


# --- exports ----------------------------------------------------------------------------------


def _download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(filename)
    return response


def _result_or_message(request, office, year, ruleset):
    result, error = _safe_evaluate(office, year, ruleset)
    if error is not None:
        messages.error(request, str(error))
    return result


@role_required(*READ_ROLES)
def export_xlsx(request, year, ruleset):
    from .export import write_xlsx

    office = current_office(request)
    ruleset = get_ruleset(office, ruleset)
    _year_or_404(office, year)
    result = _result_or_message(request, office, year, ruleset)
    if result is None:
        return redirect(reverse("monitoring:index") + "?" + office_query(request, office))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.xlsx"
        write_xlsx(result, path)
        content = path.read_bytes()
    return _download(content, f"校际差异系数表-{office.name}-{year}-{ruleset.name}.xlsx", "xlsx")


@role_required(*READ_ROLES)
def report_docx(request, year, ruleset):
    from . import report

    office = current_office(request)
    ruleset = get_ruleset(office, ruleset)
    _year_or_404(office, year)
    result = _result_or_message(request, office, year, ruleset)
    if result is None:
        return redirect(reverse("monitoring:index") + "?" + office_query(request, office))
    trend_results = _trend_results(office, ruleset, result)
    export = report.export_docx(office, result, trend_results)
    return _download(export.content, export.filename, "docx")


# --- resource figures -------------------------------------------------------------------------


@role_required(*READ_ROLES)
def resources(request, year):
    office = current_office(request)
    years = services.years_with_data(office)
    qs = (
        SchoolResources.objects.visible_to(request.user)
        .filter(office=office, year=year)
        .select_related("school", "updated_by")
        .order_by("school__code")
    )
    page, query = paginate(request, qs)
    missing = None
    if request.user.role == Role.OFFICE_ADMIN:
        missing = (
            scoping.schools_for(request.user)
            .filter(type__in=services.COMPULSORY_TYPES, is_active=True)
            .exclude(resources__year=year)
            .order_by("code")[:50]
        )
    return render(
        request,
        "monitoring/resources.html",
        base_context(
            request, office, year=year, years=years, page=page, query=query, missing=missing
        ),
    )


@office_admin_required
def resources_edit(request, school, year):
    school = scoping.get_school_for(request.user, school)
    if school.type not in services.COMPULSORY_TYPES:
        raise Http404
    record = (
        SchoolResources.objects.visible_to(request.user).filter(school=school, year=year).first()
    )
    if request.method == "POST":
        form = ResourcesForm(request.POST)
        if form.is_valid():
            try:
                services.save_resources(
                    request.user,
                    school,
                    year,
                    form.figures(),
                    school_type=form.cleaned_data["school_type"],
                    sponsor=form.cleaned_data.get("sponsor") or None,
                    expected_version=form.cleaned_data.get("expected_version") or 0,
                )
            except services.ResourcesInvalid as invalid:
                for field, message in invalid.errors:
                    form.add_error(field if field in form.fields else None, message)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The figures were saved."))
                return redirect("monitoring:resources", year=year)
    else:
        initial = {"school_type": services.TYPE_FROM_SCHOOL.get(school.type), "expected_version": 0}
        if record is not None:
            initial = {
                **record.figures(),
                "school_type": record.school_type,
                "sponsor": record.sponsor,
            }
            initial["expected_version"] = record.version
        form = ResourcesForm(initial=initial)
    history = record.history.select_related("changed_by")[:20] if record else []
    return render(
        request,
        "monitoring/resources_edit.html",
        base_context(
            request,
            request.user.office,
            school=school,
            year=year,
            form=form,
            record=record,
            history=history,
        ),
    )


# --- import -----------------------------------------------------------------------------------


def _resource_imports(user, office):
    from dudao.imports.models import ImportJob

    return ImportJob.objects.visible_to(user).filter(office=office, kind="resources")


def _resource_import(request, pk):
    return get_object_or_404(_resource_imports(request.user, request.user.office), pk=pk)


@office_admin_required
def template(request):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.xlsx"
        write_template(path)
        content = path.read_bytes()
    return _download(content, "均衡发展监测学校资源数据模板.xlsx", "xlsx")


@office_admin_required
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.import_preview(request.user, form.cleaned_data["year"], upload, upload.name)
        return redirect("monitoring:import_preview", pk=job.pk)
    imports = _resource_imports(request.user, request.user.office)[:10]
    return render(
        request,
        "monitoring/import_upload.html",
        base_context(request, request.user.office, form=form, imports=imports),
    )


@office_admin_required
def import_preview(request, pk):
    from dudao.imports.services import live_progress

    job = live_progress(_resource_import(request, pk))
    return render(
        request,
        "monitoring/import_preview.html",
        base_context(request, request.user.office, job=job),
    )


@office_admin_required
@require_POST
def import_confirm(request, pk):
    job = _resource_import(request, pk)
    try:
        counts = services.import_confirm(request.user, job)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("monitoring:import_preview", pk=job.pk)
    if counts is None:
        return redirect("monitoring:import_preview", pk=job.pk)
    messages.success(
        request,
        _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % counts,
    )
    return redirect("monitoring:resources", year=job.year)


# --- rule sets --------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def rulesets(request):
    office = current_office(request)
    items = services.rulesets_for(office).select_related("based_on", "office")
    return render(
        request,
        "monitoring/rulesets.html",
        base_context(request, office, rulesets=items, copy_form=CopyRuleSetForm()),
    )


@role_required(*READ_ROLES)
def ruleset_detail(request, pk):
    office = current_office(request)
    ruleset = get_ruleset(office, pk)
    return render(
        request,
        "monitoring/ruleset_detail.html",
        base_context(
            request,
            office,
            ruleset=ruleset,
            document=json.dumps(ruleset.data, ensure_ascii=False, indent=2),
        ),
    )


@office_admin_required
@require_POST
def ruleset_copy(request, pk):
    source = get_ruleset(request.user.office, pk)
    form = CopyRuleSetForm(request.POST)
    if form.is_valid():
        try:
            copy = services.copy_ruleset(
                request.user,
                source,
                name=form.cleaned_data["name"],
                title=form.cleaned_data["title"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The rule set was copied. Edit its parameters below."))
            return redirect("monitoring:ruleset_edit", pk=copy.pk)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("monitoring:rulesets")


@office_admin_required
def ruleset_edit(request, pk):
    ruleset = get_object_or_404(RuleSet, pk=pk, office=request.user.office)
    form = RuleSetForm(request.POST or None, ruleset=ruleset)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_ruleset(
                request.user,
                ruleset,
                form.to_data(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The rule set was saved as a new version."))
            return redirect("monitoring:ruleset_detail", pk=ruleset.pk)
    return render(
        request,
        "monitoring/ruleset_edit.html",
        base_context(request, request.user.office, ruleset=ruleset, form=form),
    )


# --- the monthly return to the city (docs/rules.md §19) ------------------------------------------


@role_required(*READ_ROLES)
def returns(request):
    office = current_office(request)
    items = (
        scoping.monthly_returns_for(request.user)
        .filter(office=office)
        .select_related("taken_by")
        .defer("figures")
    )
    page, query = paginate(request, items)
    today = timezone.localdate()
    return render(
        request,
        "monitoring/returns.html",
        base_context(
            request,
            office,
            page=page,
            query=query,
            this_month=services.month_start(today),
        ),
    )


@office_admin_required
@require_POST
def return_take(request):
    try:
        item, outcome = services.take_monthly_return(request.user, request.user.office)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        text = {
            "created": _("The return for %(month)s was taken."),
            "replaced": _("The return for %(month)s was taken again with today's figures."),
            "unchanged": _("The figures have not changed since the return for %(month)s."),
        }[outcome]
        messages.success(request, text % {"month": f"{item.month:%Y-%m}"})
    return redirect("monitoring:returns")


@role_required(*READ_ROLES)
def return_xlsx(request, pk):
    from . import monthly

    export = monthly.export_xlsx(request.user, pk)
    return _download(export.content, export.filename, "xlsx")
