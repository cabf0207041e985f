from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with the username or the phone number. Locked accounts are refused here, so no
    entry point (login page, admin) can bypass the lockout."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        login = username.strip()
        user = User.objects.filter(Q(username__iexact=login) | Q(phone=login)).first()
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.is_locked:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
