"""The REST API, version 1 (docs/api.md). Thin views over the same scopes and services as the
pages: every read starts from `Model.objects.visible_to(user)` or a `scoping.get_*_for`
helper (out of scope answers 404 like not found), every write is a call to a named service
(`dudao.visits.services`, `dudao.rectification.services`), whose DomainError becomes the one
error shape of `dudao.api.errors`."""

import uuid

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from dudao.accounts import scoping
from dudao.core.errors import DomainError
from dudao.core.idempotency import once
from dudao.inspectors.models import Assignment, Inspector, Zone, current_assignment_q
from dudao.rectification import services as rectification
from dudao.rectification.models import Finding, FollowUp
from dudao.rectification.workflow import Action
from dudao.schools.models import School
from dudao.visits import services as visit_services
from dudao.visits.models import AreaCheck, Visit

from . import serializers as s
from .errors import PreconditionFailed, PreconditionRequired

ERRORS = {
    code: OpenApiResponse(s.ErrorSerializer, description=text)
    for code, text in {
        400: "Invalid input or refused by the rules (code, message, field).",
        401: "No valid token or session.",
        403: "Not allowed for this user.",
        404: "Not found (or not visible to this user: the two look alike).",
        409: "The action is not possible in the object's current status.",
        412: "If-Match does not match the object's version (read it again).",
        428: "If-Match is required.",
        429: "Too many requests: wait Retry-After seconds.",
    }.items()
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag you read (the object\'s version, e.g. "3").',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="A UUID per create: a retry with the same key returns the first result.",
)


def errors(*codes):
    return {code: ERRORS[code] for code in (401, 429, *codes)}


def etag(obj) -> str:
    return f'"{obj.version}"'


def expected_version(request, obj) -> int:
    """The version named by If-Match (the ETag of the object as the client read it): 428
    without one, 412 unless it is the object's version now."""
    raw = request.headers.get("If-Match")
    if raw is None or not raw.strip():
        raise PreconditionRequired(
            _("Send If-Match with the ETag you read (the object's version).")
        )
    for value in raw.split(","):
        value = value.strip()
        if value == "*":
            return obj.version
        value = value.removeprefix("W/").strip('"')
        if value.isdigit() and len(value) < 12 and int(value) == obj.version:
            return obj.version
    raise PreconditionFailed(
        _("The object has changed since you read it (it is at version %(version)d): read it again.")
        % {"version": obj.version}
    )


def with_etag(response, obj):
    response["ETag"] = etag(obj)
    return response


class ApiView(APIView):
    """Authentication, permission (a signed-in user), rate limit and the error shape come from
    settings.REST_FRAMEWORK. A caller that names no language (no Accept-Language, no language
    cookie) is answered in the language its user chose."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        named = request.META.get("HTTP_ACCEPT_LANGUAGE") or request.COOKIES.get("django_language")
        if not named and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()

    def filters(self, serializer_class):
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return {k: v for k, v in serializer.validated_data.items() if v is not None}


class ListView(ApiView, generics.ListAPIView):
    filter_serializer = None
    current_ordering = ("-id",)

    def get_queryset(self):
        params = self.filters(self.filter_serializer) if self.filter_serializer else {}
        since = params.pop("since", None)
        queryset = self.filter_queryset_by(self.scoped(), params)
        if since is not None:
            self.current_ordering = ("updated_at", "id")
            queryset = queryset.filter(updated_at__gte=since)
        return queryset

    def scoped(self):
        return self.queryset_model.objects.visible_to(self.request.user)

    def filter_queryset_by(self, queryset, params):
        return queryset.filter(**params)


def list_schema(serializer, filter_serializer, description):
    return extend_schema(
        parameters=[filter_serializer] if filter_serializer else [],
        responses={200: serializer(many=True), **errors(400)},
        description=description,
    )


def detail_schema(serializer):
    return extend_schema(responses={200: serializer, **errors(404)})


class DetailView(ApiView, generics.RetrieveAPIView):
    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        response = Response(self.get_serializer(obj).data)
        if hasattr(obj, "version"):
            with_etag(response, obj)
        return response


# --- the registry (read) ----------------------------------------------------------------------


class SchoolList(ListView):
    serializer_class = s.SchoolSerializer
    filter_serializer = s.SchoolFilter
    queryset_model = School

    def filter_queryset_by(self, queryset, params):
        if "active" in params:
            queryset = queryset.filter(is_active=params.pop("active"))
        if "inspector" in params:
            queryset = queryset.filter(
                pk__in=Assignment.objects.unscoped()
                .filter(current_assignment_q(), inspector_id=params.pop("inspector"))
                .values("school_id")
            )
        return queryset.filter(
            **{f"{k}_id" if k in ("zone", "township") else k: v for k, v in params.items()}
        )

    @list_schema(s.SchoolSerializer, s.SchoolFilter, "The schools the caller may see.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SchoolDetail(DetailView):
    serializer_class = s.SchoolSerializer

    def get_object(self):
        return scoping.get_school_for(self.request.user, self.kwargs["pk"])

    @detail_schema(s.SchoolSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InspectorList(ListView):
    serializer_class = s.InspectorSerializer
    filter_serializer = s.InspectorFilter
    queryset_model = Inspector

    def filter_queryset_by(self, queryset, params):
        if "active" in params:
            queryset = queryset.filter(is_active=params.pop("active"))
        if "zone" in params:
            queryset = queryset.filter(zone_id=params.pop("zone"))
        return queryset

    @list_schema(s.InspectorSerializer, s.InspectorFilter, "The inspectors the caller may see.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InspectorDetail(DetailView):
    serializer_class = s.InspectorSerializer

    def get_object(self):
        return scoping.get_inspector_for(self.request.user, self.kwargs["pk"])

    @detail_schema(s.InspectorSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ZoneList(ListView):
    serializer_class = s.ZoneSerializer
    queryset_model = Zone

    @list_schema(s.ZoneSerializer, None, "The zones (责任区) the caller may see.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ZoneDetail(DetailView):
    serializer_class = s.ZoneSerializer

    def get_object(self):
        return scoping.get_zone_for(self.request.user, self.kwargs["pk"])

    @detail_schema(s.ZoneSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AssignmentList(ListView):
    serializer_class = s.AssignmentSerializer
    filter_serializer = s.AssignmentFilter
    queryset_model = Assignment

    def filter_queryset_by(self, queryset, params):
        if params.pop("current", None):
            queryset = queryset.filter(current_assignment_q())
        return queryset.filter(**{f"{k}_id": v for k, v in params.items()})

    @list_schema(
        s.AssignmentSerializer, s.AssignmentFilter, "Assignments (挂牌) of schools to inspectors."
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AssignmentDetail(DetailView):
    serializer_class = s.AssignmentSerializer

    def get_object(self):
        return scoping.get_assignment_for(self.request.user, self.kwargs["pk"])

    @detail_schema(s.AssignmentSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- visits ---------------------------------------------------------------------------------

AREAS = Prefetch("area_checks", queryset=AreaCheck.objects.order_by("area"))


def _visit_fields(data) -> dict:
    """The services' keyword arguments from validated input (only what the client sent)."""
    fields = {k: data[k] for k in visit_services.VISIT_FIELDS if k in data}
    for key in ("feedback", "next_visit_plan", "summary", "notes"):
        if key in fields and fields[key] is None:
            fields[key] = ""
    return fields


def _areas(data):
    if "areas" not in data:
        return None
    return [
        {
            "area": row["area"],
            "status": row["status"],
            "note": row.get("note") or "",
            **({"finding": dict(row["finding"])} if row.get("finding") else {}),
        }
        for row in data["areas"]
    ]


def _visit(pk) -> Visit:
    return Visit.objects.unscoped().get(pk=pk)


def _inspector(user, data):
    pk = data.get("inspector")
    if pk is None:
        return None
    inspector = Inspector.objects.visible_to(user).filter(pk=pk).first()
    if inspector is None:
        raise ValidationError({"inspector": [_("Unknown inspector.")]})
    return inspector


class VisitList(ListView):
    serializer_class = s.VisitSerializer
    filter_serializer = s.VisitFilter
    queryset_model = Visit

    def scoped(self):
        return Visit.objects.visible_to(self.request.user).prefetch_related(AREAS)

    def filter_queryset_by(self, queryset, params):
        if "visited_from" in params:
            queryset = queryset.filter(visited_on__gte=params.pop("visited_from"))
        if "visited_to" in params:
            queryset = queryset.filter(visited_on__lte=params.pop("visited_to"))
        return queryset.filter(
            **{f"{k}_id" if k in ("school", "inspector") else k: v for k, v in params.items()}
        )

    @list_schema(
        s.VisitSerializer,
        s.VisitFilter,
        "Visits (随访) the caller may see; `since` reads the changes feed.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.VisitCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.VisitSerializer, **errors(400, 403, 409)},
        description="Record a visit through dudao.visits.services (submit_visit, or save_draft "
        "with submit=false): the findings of its “problem” items are recorded with it.",
    )
    def post(self, request, *args, **kwargs):
        serializer = s.VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        school = School.objects.visible_to(user).filter(pk=data["school"]).first()
        if school is None:
            raise ValidationError({"school": [_("Unknown school.")]})
        inspector = _inspector(user, data)
        client_uuid = data.get("client_uuid") or uuid.uuid4()
        key = request.headers.get("Idempotency-Key") or None

        def create():
            if data["submit"]:
                return visit_services.submit_visit(
                    user,
                    client_uuid,
                    school=school,
                    areas=_areas(data),
                    inspector=inspector,
                    **_visit_fields(data),
                )
            return visit_services.save_draft(
                user,
                school,
                client_uuid,
                areas=_areas(data),
                inspector=inspector,
                **_visit_fields(data),
            )

        def record():
            with transaction.atomic():
                return once(user, key, "api.visits.create", create, _visit)

        try:
            visit = record()
        except DomainError:
            # The same client_uuid sent twice at once: the second waited for the first and
            # was refused; tried again, it finds the first one's visit (or key).
            if not (
                "client_uuid" in data
                and Visit.objects.unscoped().filter(client_uuid=client_uuid).exists()
            ):
                raise
            visit = record()
        visit = Visit.objects.unscoped().prefetch_related(AREAS).get(pk=visit.pk)
        response = Response(s.VisitSerializer(visit).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:visit", args=[visit.pk], request=request)
        return with_etag(response, visit)


class VisitDetail(DetailView):
    serializer_class = s.VisitSerializer

    def get_object(self):
        return scoping.get_or_404(
            Visit.objects.visible_to(self.request.user).prefetch_related(AREAS),
            pk=self.kwargs["pk"],
        )

    @detail_schema(s.VisitSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.VisitFieldsSerializer,
        parameters=[IF_MATCH],
        responses={200: s.VisitSerializer, **errors(400, 403, 404, 412, 428)},
        description="Change a draft visit (save_draft): only the fields sent.",
    )
    def patch(self, request, *args, **kwargs):
        visit = self.get_object()
        version = expected_version(request, visit)
        serializer = s.VisitFieldsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            visit = visit_services.save_draft(
                request.user,
                visit.school,
                visit.client_uuid,
                areas=_areas(data),
                inspector=_inspector(request.user, data) or visit.inspector,
                expected_version=version,
                **_visit_fields(data),
            )
        return self._answer(visit)

    def _answer(self, visit):
        visit = Visit.objects.unscoped().prefetch_related(AREAS).get(pk=visit.pk)
        return with_etag(Response(s.VisitSerializer(visit).data), visit)


class VisitSubmit(VisitDetail):
    @extend_schema(
        request=None,
        parameters=[IF_MATCH],
        responses={200: s.VisitSerializer, **errors(400, 403, 404, 412, 428)},
        description="Submit a draft visit (submit_visit). Submitting it again changes nothing.",
    )
    def post(self, request, *args, **kwargs):
        visit = self.get_object()
        version = expected_version(request, visit)
        visit = visit_services.submit_visit(
            request.user, visit.client_uuid, school=visit.school, expected_version=version
        )
        return self._answer(visit)

    http_method_names = ["post", "options"]


# --- findings (the ledger) -------------------------------------------------------------------


class FindingList(ListView):
    serializer_class = s.FindingSerializer
    filter_serializer = s.FindingFilter
    queryset_model = Finding

    def filter_queryset_by(self, queryset, params):
        renames = {
            "school": "school_id",
            "inspector": "inspector_id",
            "visit": "visit_id",
            "overdue": "is_overdue",
            "found_from": "found_on__gte",
            "found_to": "found_on__lte",
        }
        return queryset.filter(**{renames.get(k, k): v for k, v in params.items()})

    @list_schema(
        s.FindingSerializer,
        s.FindingFilter,
        "Findings (the ledger, 台账); `since` reads the changes feed.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FindingDetail(DetailView):
    serializer_class = s.FindingDetailSerializer

    def get_object(self):
        return scoping.get_finding_for(self.request.user, self.kwargs["pk"])

    @detail_schema(s.FindingDetailSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def perform(user, finding, data, version):
    """The service named by `action` (as the finding's page dispatches its buttons)."""
    action, note = data["action"], data.get("note") or ""
    if action == Action.ISSUE_NOTICE:
        rectification.issue_notice(
            user,
            [finding],
            expected_versions={finding.pk: version},
            deadline=data.get("deadline"),
            note=note,
        )
    elif action == Action.RESPOND:
        rectification.respond(user, finding, expected_version=version, text=data.get("text") or "")
    elif action in (Action.ACCEPT, Action.REJECT):
        result = FollowUp.Result.ACCEPTED if action == Action.ACCEPT else FollowUp.Result.REJECTED
        rectification.record_follow_up(
            user, finding, expected_version=version, result=result, note=note
        )
    elif action == Action.MARK_NEEDS_OTHER_DEPARTMENT:
        rectification.mark_needs_other_department(
            user,
            finding,
            expected_version=version,
            note=note,
            department=data.get("department") or "",
        )
    else:
        named = {
            Action.ESCALATE: rectification.escalate,
            Action.ESCALATE_TO_CITY: rectification.escalate_to_city,
            Action.ESCALATE_TO_PROVINCE: rectification.escalate_to_province,
            Action.CLOSE_ON_THE_SPOT: rectification.close_on_the_spot,
            Action.WITHDRAW: rectification.withdraw,
            Action.REOPEN: rectification.reopen,
        }
        named[action](user, finding, expected_version=version, note=note)


class FindingTransition(FindingDetail):
    @extend_schema(
        responses={200: s.ActionsSerializer, **errors(404)},
        description="The actions the caller may take on the finding now, and its version.",
    )
    def get(self, request, *args, **kwargs):
        finding = self.get_object()
        data = {
            "actions": s.FindingDetailSerializer(context={"request": request}).get_actions(finding),
            "version": finding.version,
        }
        return with_etag(Response(data), finding)

    @extend_schema(
        request=s.TransitionSerializer,
        parameters=[IF_MATCH],
        responses={200: s.FindingDetailSerializer, **errors(400, 403, 404, 409, 412, 428)},
        description="Take an action on the finding through its workflow (the same services "
        "as the finding's page). `actions` in the finding lists those the caller may take.",
    )
    def post(self, request, *args, **kwargs):
        finding = self.get_object()
        version = expected_version(request, finding)
        serializer = s.TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        perform(request.user, finding, serializer.validated_data, version)
        try:
            finding = self.get_object()
        except Http404:  # acted on, then out of the caller's sight
            finding = Finding.objects.unscoped().get(pk=finding.pk)
        data = s.FindingDetailSerializer(finding, context={"request": request}).data
        return with_etag(Response(data), finding)
