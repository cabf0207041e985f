"""Forms of the evaluation round screens (评估轮次): the round, its filters, the targets and
raters the office adds, a stage's action, the self-assessment's submission and a target's own
indicators (合格+订单). Forms only parse; `round_services` decides."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.accounts import scoping
from dudao.accounts.models import User
from dudao.core.idempotency import OnceForm
from dudao.inspectors.models import Zone
from dudao.organisations.models import GovernmentUnit
from dudao.schools.models import SchoolType

from .engine import EngineError, parse_grades
from .engine.framework import plain
from .models import Framework, Method, RaterGroup, Round, RoundTarget, TargetKind
from .round_services import UNIT_KINDS

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DEFAULT_GRADES_TEXT = "优秀=90,良好=80,合格=60"
# The rater groups a round weighs, each its own input (self-assessment first).
WEIGHT_GROUPS = [
    (RaterGroup.SELF, _("Weight of the self-assessment")),
    (RaterGroup.EXPERT, _("Weight of the experts")),
    (RaterGroup.PEER, _("Weight of the peers")),
    (RaterGroup.ABOVE, _("Weight of those above")),
    (RaterGroup.BELOW, _("Weight of those below")),
]


def weight_field(group: str) -> str:
    return f"weight_{group}"


def grades_text(grades) -> str:
    """Stored grades ([["优秀", "90"], ...]) as the form's text "优秀=90,良好=80"."""
    return ",".join(f"{name}={plain(Decimal(str(t)))}" for name, t in grades or ())


class FrameworkChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} (v{obj.revision}) · {obj.get_kind_display()}"


class TargetChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RoundForm(OnceForm, forms.Form):
    """A round's settings. Once the round has opened only the words and the deadlines change
    (`round_services.OPEN_FIELDS`): the other fields are shown disabled."""

    framework = FrameworkChoice(
        label=_("Indicator framework"),
        queryset=Framework.objects.unscoped().none(),
        help_text=_("A published revision; the round keeps it whatever happens to the framework."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=100,
        required=False,
        help_text=_("The number of the notice that ordered it, e.g. 临教督〔2026〕8号."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    self_due = forms.DateField(label=_("Self-assessment due"), required=False, widget=DATE)
    expert_due = forms.DateField(label=_("Expert scoring due"), required=False, widget=DATE)
    review_due = forms.DateField(label=_("Review due"), required=False, widget=DATE)
    grades = forms.CharField(
        label=_("Grades"),
        required=False,
        max_length=300,
        help_text=_(
            "Each grade with its threshold in percent of the maximum, e.g. 优秀=90,良好=80,"
            "合格=60 (the default when empty). Below the lowest: 不合格."
        ),
    )
    pass_grade = forms.CharField(
        label=_("Pass grade"),
        required=False,
        max_length=20,
        help_text=_(
            "One of the grades; a target below it (or vetoed) gets a finding to rectify instead "
            "of the site visit. Empty: the lowest grade."
        ),
    )
    disagreement = forms.DecimalField(
        label=_("Disagreement threshold"),
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=2,
        initial=Decimal("0.30"),
        help_text=_("A leaf is flagged when raters differ by more than this share of its maximum."),
    )
    own_indicators = forms.BooleanField(
        label=_("Targets add their own indicators (合格+订单)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: Round | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            initial = {
                "framework": instance.framework_id,
                "grades": grades_text(instance.grades),
                "version": instance.version,
            }
            for name in (
                "title",
                "year",
                "legal_basis",
                "description",
                "self_due",
                "expert_due",
                "review_due",
                "pass_grade",
                "disagreement",
                "own_indicators",
            ):
                initial[name] = getattr(instance, name)
            for group, _label in WEIGHT_GROUPS:
                weight = (instance.weights or {}).get(group)
                initial[weight_field(group)] = Decimal(str(weight)) if weight is not None else None
            kwargs["initial"] = initial | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        if instance is None:
            self.fields["year"].initial = timezone.localdate().year
            self.fields["grades"].initial = DEFAULT_GRADES_TEXT
        for group, label in WEIGHT_GROUPS:
            self.fields[weight_field(group)] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=6,
                decimal_places=3,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.fields[weight_field(RaterGroup.SELF)].help_text = _(
            "Leave every weight empty to count the groups equally; once one is set, a group "
            "left empty is shown beside the others but counts for nothing."
        )
        # the office's own and the built-ins (frameworks_for), published
        usable = scoping.frameworks_for(user).filter(status=Framework.Status.PUBLISHED)
        if instance is not None:
            if RoundTarget.objects.unscoped().filter(round=instance).exists():
                # its targets must still fit: frameworks of the same kind only
                usable = usable.filter(kind=instance.framework.kind)
            usable = usable | scoping.frameworks_for(user).filter(pk=instance.framework_id)
        self.fields["framework"].queryset = usable.order_by("kind", "title", "-revision", "pk")
        if instance is not None:
            del self.fields["request_key"]
            if instance.stage != Round.Stage.DRAFT:
                for name, field in self.fields.items():
                    if name not in self.open_fields():
                        field.disabled = True

    @staticmethod
    def open_fields() -> set[str]:
        return {"title", "legal_basis", "description", "self_due", "expert_due", "review_due"}

    def clean_grades(self):
        text = (self.cleaned_data.get("grades") or "").strip()
        if not text:
            return []
        try:
            return [[name, plain(threshold)] for name, threshold in parse_grades(text)]
        except EngineError as exc:
            raise forms.ValidationError(exc.message) from None

    def weights(self) -> dict[str, Decimal]:
        return {
            group: self.cleaned_data[weight_field(group)]
            for group, _label in WEIGHT_GROUPS
            if self.cleaned_data.get(weight_field(group)) is not None
        }

    def round_fields(self) -> dict:
        """The service's keyword arguments (all of them, or the open ones once opened)."""
        data = self.cleaned_data
        fields = {
            "framework": data["framework"],
            "title": data["title"],
            "year": data["year"],
            "legal_basis": data.get("legal_basis") or "",
            "description": data.get("description") or "",
            "self_due": data.get("self_due"),
            "expert_due": data.get("expert_due"),
            "review_due": data.get("review_due"),
            "weights": self.weights(),
            "grades": data.get("grades") or [],
            "pass_grade": data.get("pass_grade") or "",
            "disagreement": data.get("disagreement") or Decimal(0),
            "own_indicators": bool(data.get("own_indicators")),
        }
        if self.instance is not None and self.instance.stage != Round.Stage.DRAFT:
            fields = {k: v for k, v in fields.items() if k in self.open_fields()}
        return fields


class RoundFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All")), *Round.Stage.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    # What a half-year or annual summary's round figure links to (docs/rules.md §30).
    published_from = forms.DateField(
        label=_("Published from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    published_to = forms.DateField(
        label=_("Published until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def filter_round_list(qs, data: dict):
    """The round list's filters (`RoundFilterForm.cleaned_data`); published dates are
    Beijing days of `published_at`."""
    if data.get("stage"):
        qs = qs.filter(stage=data["stage"])
    if data.get("year"):
        qs = qs.filter(year=data["year"])
    if data.get("published_from"):
        qs = qs.filter(published_at__date__gte=data["published_from"])
    if data.get("published_to"):
        qs = qs.filter(published_at__date__lte=data["published_to"])
    return qs


class ActionForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TargetFilterForm(forms.Form):
    """Which candidates the target chooser lists: by zone and type for schools, by kind for
    government units, and by name."""

    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)
    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=Zone.objects.unscoped().none(), required=False
    )
    type = forms.ChoiceField(label=_("School type"), required=False, choices=[])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[])

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        kind = round_.framework.kind
        if kind in (TargetKind.SCHOOL, TargetKind.KINDERGARTEN):
            self.fields["zone"].queryset = Zone.objects.unscoped().filter(
                office_id=round_.office_id
            )
            types = [
                (value, label)
                for value, label in SchoolType.choices
                if (value == SchoolType.KINDERGARTEN) == (kind == TargetKind.KINDERGARTEN)
            ]
            self.fields["type"].choices = [("", _("All")), *types]
            del self.fields["kind"]
        else:
            labels = dict(GovernmentUnit.Kind.choices)
            kinds = sorted(UNIT_KINDS.get(kind, ()))
            self.fields["kind"].choices = [("", _("All"))] + [(k, labels[k]) for k in kinds]
            del self.fields["zone"]
            del self.fields["type"]


class RaterForm(forms.Form):
    """A rater: a user of the office in a group, on every target or one, on every indicator
    or some (codes whose subtrees they score)."""

    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none())
    group = forms.ChoiceField(
        label=_("Rater group"),
        choices=[(v, label) for v, label in RaterGroup.choices if v != RaterGroup.SELF],
        initial=RaterGroup.EXPERT,
    )
    target = TargetChoice(
        label=_("Evaluation target"),
        queryset=RoundTarget.objects.unscoped().none(),
        required=False,
        empty_label=_("All targets"),
    )
    indicator_codes = forms.MultipleChoiceField(
        label=_("Indicators"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: every indicator. An indicator brings its sub-indicators."),
    )

    def __init__(self, *args, round_: Round, spec=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            office_id=round_.office_id, is_active=True
        ).order_by("role", "username")
        self.fields["target"].queryset = (
            RoundTarget.objects.unscoped()
            .filter(round=round_)
            .select_related("school", "unit")
            .order_by("position", "pk")
        )
        if spec is not None:
            self.fields["indicator_codes"].choices = [(i.code, f"{i.code} {i.title}") for i in spec]


OWN_METHODS = [(m, label) for m, label in Method.choices if m in ("points", "levels", "yesno")]


class OwnIndicatorForm(forms.Form):
    """One own indicator (合格+订单) of a target; a row left empty is dropped."""

    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    max_score = forms.DecimalField(
        label=_("Weight (points)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    method = forms.ChoiceField(label=_("Scoring method"), choices=OWN_METHODS, initial="points")
    levels = forms.CharField(
        label=_("Levels"),
        max_length=200,
        required=False,
        help_text=_("For levels only: A:1,B:0.8,C:0.6,D:0"),
    )
    guide = forms.CharField(label=_("Scoring guide"), max_length=2000, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(k) for k in ("code", "title", "max_score", "levels", "guide"))


OwnIndicatorFormSet = forms.formset_factory(OwnIndicatorForm, extra=3, max_num=100)
