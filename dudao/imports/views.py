from django.http import HttpResponse
from django.shortcuts import render

from dudao.core.permissions import office_admin_required


@office_admin_required
def import_list(request):
    return render(request, "imports/list.html", {})


@office_admin_required
def export(request, kind):
    return HttpResponse("TODO")
