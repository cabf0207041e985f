import functools

from .services import unread_count


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not render the bell (PDFs, fragments) pay no query; cached: the bell
    # reads it twice.
    return {"unread_notifications": functools.cache(lambda: unread_count(user))}
