from functools import wraps

from django.core.exceptions import PermissionDenied

from dudao.accounts.models import Role


def role_required(*roles):
    """Allow only these roles (superusers always pass). Others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def office_admin_required(view):
    """Registry management screens: an office admin acting within their own office. (The
    superuser manages through Django admin; it has no office to act in.)"""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.role != Role.OFFICE_ADMIN or not user.office_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
