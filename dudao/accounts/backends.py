from django.contrib.auth.backends import ModelBackend

from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with the username or the phone number. An exact username (any case) wins over a
    phone (services._check_unique keeps the two apart for new and edited accounts).

    The backend only checks the password; throttling and the audit are in
    `services.attempt_login`, the one path every login form goes through (the login page and
    Django admin's login)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        login = username.strip()
        user = (
            User.objects.filter(username__iexact=login).first()
            or User.objects.filter(phone=login).first()
        )
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of each request, with their inspector record in the same query:
        an inspector's every page reads it (scopes, navigation)."""
        user = User.objects.select_related("inspector").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
