"""Pages around the API: the user's tokens (create, list, revoke) under the account, the
office admin's list of its office's tokens, and the API's documentation (Swagger UI, served
from our own static files: the policy allows no other origin and no inline script)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.forms import apply_domain_error
from dudao.core.paging import paginate
from dudao.core.permissions import office_admin_required

from . import services
from .forms import TokenForm


def token_list(request):
    """The user's own tokens and the form for a new one; a new token's secret is shown on
    the page that created it, once."""
    user = request.user
    secret = created = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                created, secret = services.create_token(
                    user,
                    name=form.cleaned_data["name"],
                    request_key=form.cleaned_data["request_key"],
                )
            except NotPermitted as error:
                raise PermissionDenied(str(error)) from error
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                if secret is None:
                    messages.info(
                        request,
                        _("This token was created already; its secret was shown only once."),
                    )
                form = TokenForm()
    else:
        form = TokenForm()
    tokens = scoping.api_tokens_for(user).filter(user=user)
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "secret": secret,
            "created": created,
            "may_create": not user.is_superuser,
        },
    )


@require_POST
def token_revoke(request, pk):
    token = scoping.get_api_token_for(request.user, pk)
    try:
        services.revoke_token(request.user, token)
    except NotPermitted as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    if token.user_id != request.user.pk:
        return redirect("api_tokens:office")
    return redirect("api_tokens:list")


@office_admin_required
def office_tokens(request):
    """Every token of the office's users: who, for what, last used, revoked."""
    tokens = (
        scoping.api_tokens_for(request.user)
        .filter(office_id=request.user.office_id)
        .select_related("user", "revoked_by")
    )
    page, query = paginate(request, tokens)
    return render(request, "api/office_tokens.html", {"page": page, "query": query})


def docs(request):
    """Swagger UI over /api/v1/schema/ (the signed-in user's session tries the calls)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema") + "?format=json"})
