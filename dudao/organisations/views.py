from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.permissions import office_admin_required

from . import services
from .forms import OfficeContactsForm


@office_admin_required
def office_contacts(request):
    """The office admin's own office: the contacts shown to the public."""
    office = request.user.office
    form = OfficeContactsForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_office_contacts(request.user, office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The office's contacts are saved."))
            return redirect("organisations:office")
    return render(request, "organisations/office.html", {"form": form, "office": office})
