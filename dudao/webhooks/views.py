"""The office admin's group robots (群机器人), under the office's settings (/office/robots/)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dudao.accounts import scoping
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import paginate
from dudao.core.permissions import office_admin_required

from . import services
from .forms import RobotForm


@office_admin_required
@require_GET
def robot_list(request):
    robots = scoping.robots_for(request.user).select_related("zone")
    return render(request, "webhooks/robots.html", {"robots": robots})


@office_admin_required
def robot_create(request):
    office = request.user.office
    form = RobotForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            robot = services.create_robot(request.user, office=office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The robot “%(name)s” is saved.") % {"name": robot.name})
            return redirect("webhooks:robots")
    return render(request, "webhooks/robot_form.html", {"form": form, "robot": None})


@office_admin_required
def robot_edit(request, pk):
    robot = scoping.get_robot_for(request.user, pk)
    form = RobotForm(request.POST or None, office=robot.office, robot=robot)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_robot(request.user, robot, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The robot “%(name)s” is saved.") % {"name": robot.name})
            return redirect("webhooks:robots")
    return render(request, "webhooks/robot_form.html", {"form": form, "robot": robot})


@office_admin_required
@require_POST
def robot_delete(request, pk):
    robot = scoping.get_robot_for(request.user, pk)
    try:
        services.delete_robot(request.user, robot)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The robot “%(name)s” is deleted.") % {"name": robot.name})
    return redirect("webhooks:robots")


@office_admin_required
@require_POST
def robot_test(request, pk):
    robot = scoping.get_robot_for(request.user, pk)
    try:
        services.send_test_message(request.user, robot)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("A test message is on its way: see the delivery log for the answer.")
        )
    return redirect("webhooks:deliveries")


@office_admin_required
@require_GET
def delivery_list(request):
    deliveries = scoping.robot_deliveries_for(request.user).select_related("robot")
    page, query = paginate(request, deliveries)
    return render(request, "webhooks/deliveries.html", {"page": page, "query": query})
