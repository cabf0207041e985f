"""The public answer form and what keeps it honest, without an account and without any outside
challenge service.

**One answer per device, where possible.** After a response the browser gets a signed cookie
for that school's link (`answered_cookie`): the form then says "you have already answered".
Clearing the browser's data, a private window or a second browser or phone answers again;
nothing on the web can tell two people on one phone from one person on two browsers without
an account, and asking respondents for a phone number would end the anonymity. So:

**A daily cap per network.** Each response stores a keyed hash (HMAC with the server's secret
key) of the client's network and the day (`client_hash`): its IPv4 address, or its IPv6 /64
(a phone's IPv6 address changes within its /64). The hash includes the survey and the day,
so it links nothing across surveys or days and the address cannot be read back. A survey takes
at most `SURVEY_DAILY_PER_NETWORK` responses a day from one network (default 200). The cap is
high on purpose: a school's Wi-Fi and the carriers' shared addresses (CGNAT) put many honest
parents behind one address, and a class answering the students' questionnaire in a computer
room sends forty answers from one address; raise it for such sessions. It stops a flood, not
a patient person.

**Rate limits** (`dudao.core.ratelimit`, per client address and minute): the pages like the
public school page (`PUBLIC_PAGE_REQUEST_RATE`), submissions `SURVEY_POST_RATE` (default 30).

**A honeypot, no challenge.** The form has a field people never see or fill ("website", moved
off-screen by the stylesheet and skipped by the keyboard) and a signed stamp of when the form
was shown: a submission that fills the field, or comes back within `SURVEY_MIN_SECONDS`
(default 3) of the form being shown, is answered as if accepted and stored nowhere, so a robot
learns nothing. A stamp older than a day, or of another link, asks to reload the form.

What is never stored: names, phone numbers, the address, the cookie, the browser. Free texts
are stored as written and escaped wherever they show (Django templates, the XLSX writer).
"""

import datetime
import hashlib
import hmac
import ipaddress

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Question, QuestionType
from .services import TEXT_ANSWER_MAX

COOKIE_SALT = "dudao.surveys.answered"
STAMP_SALT = "dudao.surveys.form"
STAMP_MAX_AGE = 24 * 3600
HONEYPOT = "website"


def post_rate() -> int:
    return int(getattr(settings, "SURVEY_POST_RATE", 30))


def daily_cap() -> int:
    return int(getattr(settings, "SURVEY_DAILY_PER_NETWORK", 200))


def min_seconds() -> int:
    return int(getattr(settings, "SURVEY_MIN_SECONDS", 3))


# ---- the network's hash -------------------------------------------------------------------------


def network_of(address: str | None) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64; "" when unknown."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_hash(address: str | None, survey_id: int, day: datetime.date) -> str:
    """The keyed hash of the client's network, the survey and the day ("" without an
    address): a response's key for the daily cap, never readable back."""
    network = network_of(address)
    if not network:
        return ""
    key = hashlib.sha256(f"dudao.surveys.client:{settings.SECRET_KEY}".encode()).digest()
    message = f"{survey_id}|{day.isoformat()}|{network}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# ---- one answer per device ----------------------------------------------------------------------


def cookie_name(link) -> str:
    return f"dudao_survey_{link.pk}"


def has_answered(request, link) -> bool:
    return request.get_signed_cookie(cookie_name(link), default=None, salt=COOKIE_SALT) == "1"


def remember_answer(response, request, link) -> None:
    """The signed cookie that says this browser answered at this link, kept until a week after
    the survey closes."""
    today = timezone.localdate()
    days = max((link.survey.closes_on - today).days, 0) + 7
    response.set_signed_cookie(
        cookie_name(link),
        "1",
        salt=COOKIE_SALT,
        max_age=days * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
        path="/p/surveys/",
    )


# ---- the stamp ---------------------------------------------------------------------------------


def new_stamp(link) -> str:
    return signing.dumps([link.pk, int(timezone.now().timestamp())], salt=STAMP_SALT)


def stamp_age(stamp: str, link) -> float | None:
    """Seconds since the form was shown, or None when the stamp is missing, forged, of another
    link or older than a day."""
    try:
        pk, shown = signing.loads(stamp or "", salt=STAMP_SALT, max_age=STAMP_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if pk != link.pk:
        return None
    return timezone.now().timestamp() - shown


# ---- the form ----------------------------------------------------------------------------------


class AnswerForm(forms.Form):
    """One field per question ("q<pk>"), the honeypot and the stamp. Required questions are
    checked again by `services.clean_answers`."""

    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = field_for(question)

    def answers(self) -> dict:
        """{question pk: value} for `services.submit_response`."""
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def rows(self):
        """(question, bound field) in the questionnaire's order."""
        return [(q, self[f"q{q.pk}"]) for q in self.questions]


def field_for(question: Question) -> forms.Field:
    common = {
        "label": question.text,
        "required": question.required,
        "help_text": question.help_text,
    }
    if question.type == QuestionType.SINGLE:
        return forms.ChoiceField(
            choices=[(o, o) for o in question.options], widget=forms.RadioSelect, **common
        )
    if question.type == QuestionType.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(o, o) for o in question.options],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if question.type == QuestionType.SCALE:
        return forms.ChoiceField(
            choices=[(v, v) for v in ("1", "2", "3", "4", "5")],
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            **common,
        )
    return forms.CharField(
        max_length=TEXT_ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_ANSWER_MAX}),
        **common,
    )
