from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.inspectors.models import Zone

from .models import Robot


class RobotForm(forms.Form):
    kind = forms.ChoiceField(label=_("App"), choices=Robot.Kind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("The group it posts to, e.g. 督导室工作群.")
    )
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        help_text=_(
            "From the group's robot settings: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?"
            "key=… (WeChat Work) or https://oapi.dingtalk.com/robot/send?access_token=… "
            "(DingTalk)."
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk, 加签)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The SEC… string, if the DingTalk robot signs its messages."),
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.none(),
        required=False,
        empty_label=_("The whole office"),
        help_text=_("A zone's robot hears about its zone's findings and the office's news."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Robot.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, office, robot=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.unscoped().filter(office=office)
        if robot is not None:
            self.fields["url"].required = False
            self.fields["url"].help_text = _(
                "Now %(url)s. Leave empty to keep it; paste a new one to replace it."
            ) % {"url": robot.masked_url}
            self.fields["clear_secret"] = forms.BooleanField(
                label=_("Remove the signing secret"), required=False
            )
            if robot.secret:
                self.fields["secret"].help_text = _(
                    "A secret is set. Leave empty to keep it; type a new one to replace it."
                )
            self.initial.update(
                kind=robot.kind,
                name=robot.name,
                zone=robot.zone_id,
                events=list(robot.events),
                active=robot.active,
            )
