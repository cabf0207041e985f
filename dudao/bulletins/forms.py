from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.accounts import scoping
from dudao.core.idempotency import OnceForm
from dudao.schools.models import School

from .models import Audience, Bulletin, Kind, Topic
from .services import BODY_MAX, TITLE_MAX


class BulletinForm(OnceForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices)
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices, initial=Topic.OTHER)
    title = forms.CharField(
        label=_("title"),
        max_length=TITLE_MAX,
        help_text=_("As on the document, e.g. 关于2026年秋季开学工作专项督导情况的通报."),
    )
    body = forms.CharField(
        label=_("text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "One paragraph a line. A line such as “一、总体情况” is a heading. The number, "
            "the recipients' line and the signature are added to the document."
        ),
    )
    audience = forms.ChoiceField(
        label=_("recipients"), choices=Audience.choices, initial=Audience.ALL_SCHOOLS
    )
    zone = forms.ModelChoiceField(label=_("zone"), queryset=None, required=False)
    schools = forms.ModelMultipleChoiceField(
        label=_("schools"),
        queryset=School.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("For “Chosen schools” only."),
    )
    publish_on_public_page = forms.BooleanField(
        label=_("show on the county's public page"), required=False
    )

    def __init__(self, *args, user, instance: Bulletin | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": instance.kind,
                "topic": instance.topic,
                "title": instance.title,
                "body": instance.body,
                "audience": instance.audience,
                "zone": instance.zone_id,
                "schools": list(instance.chosen_schools.values_list("pk", flat=True)),
                "publish_on_public_page": instance.publish_on_public_page,
            }
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = scoping.zones_for(user).order_by("pk")
        self.fields["schools"].queryset = (
            scoping.schools_for(user).filter(is_active=True).order_by("code")
        )

    def service_kwargs(self, *, creating=True) -> dict:
        data = dict(self.cleaned_data)
        if not creating:
            data.pop("request_key", None)
        data["schools"] = list(data.get("schools") or [])
        return data


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))
