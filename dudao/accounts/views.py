from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import paginate
from dudao.core.permissions import office_admin_required

from . import scoping, services, sessions, throttle, twofactor
from .forms import LoginForm, OwnPasswordForm, SetPasswordForm, UserForm
from .models import Role


def login_view(request, default_next: str = ""):
    """The login page, and Django admin's login (accounts/admin.py): one path, throttled and
    audited by services.attempt_login."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    status = 200
    next_url = request.POST.get("next") or request.GET.get("next") or default_next
    if request.method == "POST" and form.is_valid():
        try:
            user = services.attempt_login(
                request, form.cleaned_data["login"], form.cleaned_data["password"]
            )
        except services.LoginThrottled as error:
            form.add_error(None, str(error))
            status = 429
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return _logged_in(request, user, next_url, form.cleaned_data["remember"])
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


def _logged_in(request, user, next_url: str, remember: bool):
    """The password was right: open the session and go on to `next_url` (a local URL)."""
    second_step = twofactor.second_factor_redirect(request, user, next_url, remember)
    if second_step is not None:
        return second_step  # the code from the user's authenticator app first (twofactor.py)
    return open_session(request, user, next_url, remember=remember)


def open_session(request, user, next_url: str, backend: str | None = None, remember: bool = False):
    """Log `user` in and go on to `next_url` (a local URL, else home), remembering this browser
    as a known device (throttle.py) and the user's language, and keeping the session for days
    when the user asked to (sessions.py): the end of every sign-in, after the password alone
    or after the two-step code (views_security.py)."""
    login(request, user, backend=backend)
    sessions.start(request, user, remember)
    target = next_url
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target or "/")
    throttle.remember_device(request, response, user)
    if user.language and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        # A new device speaks the language the user chose before.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language)
    return response


@require_POST
def choose_language(request):
    """The language switcher: Django's set_language (the cookie, the redirect back), and for
    a logged-in user the choice is kept for other devices and e-mails."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_preferred_language(request.user, language)
    return response


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record(request.user, AuditEntry.Action.LOGOUT, request.user)
    logout(request)
    return redirect("accounts:login")


def change_own_password(request):
    form = OwnPasswordForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_current_password(
                request, request.user, form.cleaned_data["current_password"]
            )
            user = services.set_password(request.user, request.user, form.cleaned_data["password"])
        except DomainError as error:
            apply_domain_error(form, error)
            status = 429 if isinstance(error, services.LoginThrottled) else 200
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(
        request,
        "accounts/password.html",
        {"form": form, "target": request.user, "own": True},
        status=status,
    )


@office_admin_required
def user_list(request):
    users = scoping.users_for(request.user).select_related("inspector", "school")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(phone__icontains=q)
        )
    role = request.GET.get("role")
    if role in Role.values:
        users = users.filter(role=role)
    page, query = paginate(request, users.order_by("role", "username"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "query": query, "roles": Role.choices, "q": q, "role": role},
    )


@office_admin_required
def user_create(request):
    office = request.user.office
    form = UserForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        try:
            user = services.create_user(
                request.user, office, password=form.cleaned_data["password"], **data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@office_admin_required
def user_edit(request, pk):
    target = scoping.get_user_for(request.user, pk)
    form = UserForm(request.POST or None, instance=target, office=request.user.office)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(request.user, target, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Account saved."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@office_admin_required
def user_password(request, pk):
    target = scoping.get_user_for(request.user, pk)
    form = SetPasswordForm(request.POST or None, user=target)
    if request.method == "POST" and form.is_valid():
        services.set_password(request.user, target, form.cleaned_data["password"])
        messages.success(
            request,
            _("Password reset; the failed login attempts counted for %(name)s are cleared.")
            % {"name": target.username},
        )
        return redirect("accounts:user_list")
    return render(request, "accounts/password.html", {"form": form, "target": target})
