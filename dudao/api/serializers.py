"""What the API reads and accepts (docs/api.md). Read serializers name related rows by id;
write serializers only shape the input: every rule is the services' (dudao.visits.services,
dudao.rectification.services), which refuse with a DomainError."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dudao.inspectors.models import Assignment, Inspector, Zone
from dudao.rectification.models import Escalation, Finding, FindingStatus, Severity
from dudao.rectification.workflow import Action
from dudao.schools.models import School, SchoolType
from dudao.visits.models import AreaCheck, SixMinimum, Visit, VisitMethod

MAX_ID = 2**63 - 1
TEXT = 20000  # characters of a free-text field


def id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "type",
            "ownership",
            "location",
            "office",
            "township",
            "zone",
            "address",
            "principal",
            "phone",
            "host_school",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class InspectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspector
        fields = [
            "id",
            "office",
            "name",
            "gender",
            "phone",
            "email",
            "employment",
            "kind",
            "zone",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "office", "name", "leader"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "inspector", "school", "start_date", "end_date", "note"]
        read_only_fields = fields


class AreaCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = AreaCheck
        fields = ["area", "status", "note"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    areas = AreaCheckSerializer(source="area_checks", many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_uuid",
            "office",
            "school",
            "inspector",
            "created_by",
            "status",
            "visited_at",
            "visited_on",
            "unannounced",
            "methods",
            "minimums",
            "feedback",
            "next_visit_plan",
            "summary",
            "notes",
            "areas",
            "submitted_at",
            "feedback_issued_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class PlannedFindingSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(Severity.choices, default=Severity.GENERAL)
    deadline_kind = serializers.ChoiceField(
        Finding.DeadlineKind.choices, default=Finding.DeadlineKind.BY_DATE
    )
    deadline = serializers.DateField(required=False, allow_null=True)
    required_action = serializers.CharField(required=False, allow_blank=True, max_length=TEXT)


class AreaInputSerializer(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=13)
    status = serializers.ChoiceField(AreaCheck.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT, default="")
    finding = PlannedFindingSerializer(
        required=False,
        allow_null=True,
        help_text=_("For a “problem” item: the finding recorded when the visit is submitted."),
    )


class VisitFieldsSerializer(serializers.Serializer):
    """The fields of a visit a client writes (all optional: a draft may be incomplete)."""

    inspector = id_field(required=False, allow_null=True)
    visited_at = serializers.DateTimeField(required=False, allow_null=True)
    unannounced = serializers.BooleanField(required=False)
    methods = serializers.ListField(
        child=serializers.ChoiceField(VisitMethod.choices), required=False, max_length=20
    )
    minimums = serializers.ListField(
        child=serializers.ChoiceField(SixMinimum.choices), required=False, max_length=20
    )
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=TEXT)
    next_visit_plan = serializers.CharField(required=False, allow_blank=True, max_length=TEXT)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=TEXT)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=TEXT)
    areas = AreaInputSerializer(many=True, required=False, max_length=40)


class VisitCreateSerializer(VisitFieldsSerializer):
    school = id_field()
    client_uuid = serializers.UUIDField(
        required=False,
        help_text=_("The phone's identifier of the visit: sending it again finds the same visit."),
    )
    submit = serializers.BooleanField(
        default=True, help_text=_("Submit the visit (true) or keep it as a draft (false).")
    )


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "office",
            "school",
            "visit",
            "inspector",
            "found_on",
            "area",
            "description",
            "evidence",
            "severity",
            "deadline_kind",
            "deadline",
            "required_action",
            "status",
            "urge_count",
            "respond_by",
            "needs_other_department",
            "escalated_to",
            "is_overdue",
            "created_by",
            "created_at",
            "updated_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields


class FindingDetailSerializer(FindingSerializer):
    actions = serializers.SerializerMethodField(
        help_text=_("The actions the caller may take now (POST them to transitions/).")
    )

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    def get_actions(self, finding) -> list[str]:
        from dudao.rectification import workflow

        return [str(a) for a in workflow.allowed_actions(finding, self.context["request"].user)]


class ActionsSerializer(serializers.Serializer):
    actions = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()


# Actions a person may post (the daily check alone urges for a missed date, rules.md §10).
TRANSITION_ACTIONS = [(value, label) for value, label in Action.choices if value != Action.URGE]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(TRANSITION_ACTIONS)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT, default="")
    deadline = serializers.DateField(
        required=False, allow_null=True, help_text=_("issue_notice: the notice's deadline.")
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT,
        default="",
        help_text=_("respond: the school's rectification report."),
    )
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text=_("mark_needs_other_department: the department."),
    )


# --- filters (query parameters) -------------------------------------------------------------


class SchoolFilter(serializers.Serializer):
    zone = id_field(required=False)
    township = id_field(required=False)
    type = serializers.ChoiceField(SchoolType.choices, required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    inspector = id_field(
        required=False, help_text=_("Schools currently assigned to this inspector.")
    )


class InspectorFilter(serializers.Serializer):
    zone = id_field(required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class AssignmentFilter(serializers.Serializer):
    inspector = id_field(required=False)
    school = id_field(required=False)
    current = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Only current assignments.")
    )


class ChangesFilter(serializers.Serializer):
    since = serializers.DateTimeField(
        required=False,
        help_text=_(
            "The changes feed: rows changed at or after this time, oldest change first "
            "(by updated_at, then id)."
        ),
    )


class VisitFilter(ChangesFilter):
    school = id_field(required=False)
    inspector = id_field(required=False)
    status = serializers.ChoiceField(Visit.Status.choices, required=False)
    visited_from = serializers.DateField(required=False)
    visited_to = serializers.DateField(required=False)


class FindingFilter(ChangesFilter):
    school = id_field(required=False)
    inspector = id_field(required=False)
    visit = id_field(required=False)
    status = serializers.ChoiceField(FindingStatus.choices, required=False)
    severity = serializers.ChoiceField(Severity.choices, required=False)
    area = serializers.IntegerField(min_value=1, max_value=13, required=False)
    escalated_to = serializers.ChoiceField(Escalation.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    found_from = serializers.DateField(required=False)
    found_to = serializers.DateField(required=False)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(help_text=_("In the request's language."))
    field = serializers.CharField(allow_null=True)
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
