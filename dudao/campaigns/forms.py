"""Forms of the campaign screens (专项督导): the campaign, the rule that chooses its schools,
the draw (双随机), teams and the workflow's actions. Forms only parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.accounts import scoping
from dudao.checklists.models import ChecklistTemplate, Purpose
from dudao.core.idempotency import OnceForm
from dudao.inspectors.models import Inspector, Zone
from dudao.schools.models import School, SchoolType

from .models import Campaign, CampaignTeam, TargetRule
from .services import MAX_TEAM_SIZE, SEED_MAX_LENGTH

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class CampaignForm(OnceForm, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Campaign
        fields = [
            "title",
            "theme",
            "legal_basis",
            "starts_on",
            "ends_on",
            "checklist",
            "unannounced",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "legal_basis": _("The number of the notice that ordered it, e.g. 临教督〔2026〕5号."),
            "unannounced": _(
                "No notice, no greeting, no briefing, no escort: the schools see nothing of "
                "the campaign until their own check."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        usable = scoping.checklists_for(user).filter(
            status=ChecklistTemplate.Status.PUBLISHED, purpose=Purpose.CAMPAIGN
        )
        if self.instance.pk and self.instance.checklist_id:  # the revision it runs stays listed
            usable = usable | scoping.checklists_for(user).filter(pk=self.instance.checklist_id)
        self.fields["checklist"].queryset = usable.order_by("title", "-revision")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def validate_unique(self):
        pass


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *Campaign.Status.choices],
    )
    # What a half-year or annual summary's campaign figures link to (docs/rules.md §30).
    held = forms.ChoiceField(
        label=_("Held"),
        required=False,
        choices=[("", _("All")), ("yes", _("Held (not a draft, not cancelled)"))],
    )
    starts_from = forms.DateField(
        label=_("Starts from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_to = forms.DateField(
        label=_("Starts until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


HELD_STATUSES = (Campaign.Status.RUNNING, Campaign.Status.CLOSED, Campaign.Status.PUBLISHED)


def filter_campaign_list(qs, data: dict):
    """The campaign list's filters (`CampaignFilterForm.cleaned_data`)."""
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("held") == "yes":
        qs = qs.filter(status__in=HELD_STATUSES)
    if data.get("starts_from"):
        qs = qs.filter(starts_on__gte=data["starts_from"])
    if data.get("starts_to"):
        qs = qs.filter(starts_on__lte=data["starts_to"])
    return qs


class TargetRuleForm(forms.Form):
    """How the schools are chosen, without the random sample (the draw has its own form)."""

    rule = forms.ChoiceField(
        label=_("Choose the schools"),
        choices=[(v, label) for v, label in TargetRule.choices if v != TargetRule.RANDOM],
    )
    school_types = forms.MultipleChoiceField(
        label=_("School types"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=Zone.objects.unscoped().none(), required=False
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        queryset=School.objects.unscoped().none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    earlier_campaign = forms.ModelChoiceField(
        label=_("Earlier campaign (回头看)"),
        queryset=Campaign.objects.unscoped().none(),
        required=False,
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        office_id = campaign.office_id
        self.fields["zone"].queryset = Zone.objects.unscoped().filter(office_id=office_id)
        self.fields["schools"].queryset = (
            School.objects.unscoped().filter(office_id=office_id, is_active=True).order_by("code")
        )
        self.fields["earlier_campaign"].queryset = (
            Campaign.objects.unscoped()
            .filter(
                office_id=office_id,
                status__in=[Campaign.Status.CLOSED, Campaign.Status.PUBLISHED],
            )
            .exclude(pk=campaign.pk)
        )


class DrawForm(forms.Form):
    """双随机: the schools and their teams, or the teams alone for the schools chosen."""

    WHAT = [
        ("schools", _("Draw the schools (and their teams)")),
        ("teams", _("Draw the teams for the schools chosen")),
    ]
    STRATA = [
        ("", _("None")),
        ("zone", _("Stratified by zone")),
        ("type", _("Stratified by school type")),
    ]

    what = forms.ChoiceField(label=_("Draw"), choices=WHAT, initial="schools")
    seed = forms.CharField(
        label=_("Seed"),
        required=False,
        max_length=SEED_MAX_LENGTH,
        help_text=_("Leave it empty and one is generated. It is published with the results."),
    )
    count = forms.IntegerField(label=_("Number of schools"), required=False, min_value=1)
    percent = forms.DecimalField(
        label=_("or a percentage"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    strata = forms.ChoiceField(label=_("Strata"), choices=STRATA, required=False)
    team_size = forms.IntegerField(
        label=_("Inspectors per school"),
        required=False,
        min_value=0,
        max_value=MAX_TEAM_SIZE,
        initial=0,
        help_text=_("0: the teams are formed by hand."),
    )
    exclude_own = forms.BooleanField(
        label=_("Never the school's own responsible inspector"), required=False
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class MemberForm(forms.Form):
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), queryset=Inspector.objects.unscoped().none()
    )
    is_leader = forms.BooleanField(label=_("Team leader"), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = Inspector.objects.unscoped().filter(
            office_id=campaign.office_id, is_active=True
        )


class TargetTeamForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=CampaignTeam.objects.none(), required=False
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = CampaignTeam.objects.filter(campaign=campaign)


class ActionForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
