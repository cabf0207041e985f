from django.http import HttpResponse

from dudao.core.permissions import office_admin_required


def public_school_page(request, code):
    return HttpResponse("TODO")


@office_admin_required
def school_signboard(request, pk):
    return HttpResponse("TODO")


@office_admin_required
def zone_signboards(request, pk):
    return HttpResponse("TODO")


@office_admin_required
def county_signboards(request):
    return HttpResponse("TODO")
