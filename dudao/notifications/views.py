from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dudao.core.paging import is_htmx, paginate

from . import services
from .models import Notification


def notification_list(request):
    """The user's own notifications, newest first; ?unread=1 shows only unread ones."""
    notifications = Notification.objects.visible_to(request.user)
    if request.GET.get("unread") == "1":
        notifications = notifications.filter(read_at__isnull=True)
    page, query = paginate(request, notifications)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "query": query, "unread_only": request.GET.get("unread") == "1"},
    )


@require_POST
def notification_open(request, pk):
    """Mark read, then go where the notification points (only to a path on this site)."""
    if not services.mark_read(request.user, pk):
        raise Http404
    target = Notification.objects.visible_to(request.user).only("url").get(pk=pk).url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "notifications:list"
    return redirect(target)


@require_POST
def notification_read_all(request):
    services.mark_all_read(request.user)
    if is_htmx(request):
        return render(request, "notifications/_bell.html", {"unread_notifications": 0})
    return redirect("notifications:list")


def notification_bell(request):
    """The bell fragment (htmx polls it on a slow interval)."""
    return render(
        request,
        "notifications/_bell.html",
        {"unread_notifications": services.unread_count(request.user)},
    )
