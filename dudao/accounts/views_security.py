"""Security pages: the office's password and sign-in policy, two-step verification (set up,
turn off, reset by the office admin) and the sign-in's code step."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.core.compression import never_compress
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.permissions import office_admin_required

from . import passwords, scoping, twofactor
from .forms_security import CodeForm, DisableForm, SecurityPolicyForm
from .views import open_session

# ---- the office's policy ------------------------------------------------------------------


@office_admin_required
def security_policy(request):
    office = request.user.office
    policy = passwords.policy_for(office)
    form = SecurityPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in passwords.POLICY_FIELDS}
        try:
            passwords.update_security_policy(request.user, office, **values)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request, _("The security policy of %(office)s is saved.") % {"office": office.name}
            )
            return redirect("accounts:security_policy")
    with_app = (
        scoping.users_for(request.user)
        .filter(totp_device__confirmed_at__isnull=False)
        .select_related("totp_device")
        .order_by("username")
    )
    return render(
        request,
        "accounts/security_policy.html",
        {"form": form, "office": office, "with_app": with_app},
    )


@office_admin_required
@require_POST
def twofactor_reset(request, pk):
    target = scoping.get_user_for(request.user, pk)
    try:
        twofactor.reset_device(request.user, target)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Two-step verification of %(name)s is removed: they sign in with the password.")
            % {"name": target},
        )
    return redirect("accounts:security_policy")


# ---- the user's own authenticator app -----------------------------------------------------


def _setup_context(account, secret):
    uri = twofactor.provisioning_uri(secret, account.username)
    return {"qr": twofactor.qr_data_uri(uri), "secret": twofactor.spaced(secret)}


@never_compress  # the authenticator key is on the page (BREACH)
def twofactor_page(request):
    """Set up an authenticator app (QR code and secret, confirmed by a code), or, when one is
    on, the form that turns it off."""
    device = twofactor.device_of(request.user)
    if device is not None:
        return render(
            request,
            "accounts/twofactor_status.html",
            {
                "device": device,
                "form": DisableForm(),
                "required": twofactor.is_required(request.user),
            },
        )
    secret = request.session.get(twofactor.SETUP_KEY) or twofactor.new_secret()
    request.session[twofactor.SETUP_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.confirm_device(request.user, secret, form.cleaned_data["code"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            request.session.pop(twofactor.SETUP_KEY, None)
            messages.success(
                request,
                _("Two-step verification is on: you will type a code from the app at sign-in."),
            )
            return redirect("accounts:twofactor")
    return render(
        request,
        "accounts/twofactor_setup.html",
        {"form": form, "required": twofactor.is_required(request.user)}
        | _setup_context(request.user, secret),
    )


@require_POST
def twofactor_disable(request):
    device = twofactor.device_of(request.user)
    if device is None:
        messages.info(request, _("Two-step verification is not on for your account."))
        return redirect("accounts:twofactor")
    form = DisableForm(request.POST)
    if form.is_valid():
        try:
            twofactor.disable_device(
                request.user, form.cleaned_data["password"], form.cleaned_data["code"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Two-step verification is off."))
            return redirect("accounts:twofactor")
    return render(
        request,
        "accounts/twofactor_status.html",
        {"device": device, "form": form, "required": twofactor.is_required(request.user)},
    )


# ---- the sign-in's second step ------------------------------------------------------------


def _complete_login(request, user, pending):
    twofactor.drop_pending(request)
    twofactor.code_accepted(user)
    response = open_session(
        request,
        user,
        pending.get("next") or "",
        pending.get("backend"),
        remember=bool(pending.get("remember")),
    )
    audit.record(user, AuditEntry.Action.LOGIN, user, {"second_factor": "totp"})
    return response


@never_compress  # may show the authenticator key (setup at sign-in)
def login_verify(request):
    """The code step of a sign-in whose password was right (twofactor.second_factor_redirect):
    the code from the user's app, or, for an office admin who must use one and has none yet,
    setting the app up."""
    if request.user.is_authenticated:
        return redirect("core:home")
    user, pending = twofactor.pending_login(request)
    if user is None:
        messages.error(request, _("The sign-in expired or was not started: log in again."))
        return redirect("accounts:login")
    device = twofactor.device_of(user)
    setup = device is None
    if setup and not twofactor.is_required(user):
        return _complete_login(request, user, pending)  # the requirement was lifted meanwhile
    if setup and not pending.get("secret"):
        pending["secret"] = twofactor.new_secret()
        twofactor.save_pending(request, pending)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and twofactor.account_blocked(user):
        twofactor.drop_pending(request)
        audit.record(user, AuditEntry.Action.LOGIN_FAILED, user, {"reason": "totp_throttled"})
        messages.error(
            request,
            _("Too many wrong codes for this account in the last hour: try again later."),
        )
        return redirect("accounts:login")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if setup:
            try:
                twofactor.confirm_device(user, pending["secret"], code)
                accepted = True
            except DomainError:
                accepted = False
        else:
            accepted = twofactor.use_code(device, code)
        if accepted:
            return _complete_login(request, user, pending)
        left = twofactor.wrong_code(request, user, pending)
        if not left:
            messages.error(request, _("Too many wrong codes: log in again with your password."))
            return redirect("accounts:login")
        form.add_error(
            "code",
            ngettext(
                "This code is wrong or already used; %(left)d try left.",
                "This code is wrong or already used; %(left)d tries left.",
                left,
            )
            % {"left": left},
        )
    context = {"form": form, "setup": setup, "account": user}
    if setup:
        context |= _setup_context(user, pending["secret"])
    return render(request, "accounts/twofactor_verify.html", context)
