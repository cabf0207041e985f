from django.urls import path

from . import views, views_security

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.change_own_password, name="password"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
]

# Security (dudao/accounts/views_security.py): the office's policy, two-step verification and
# the sign-in's code step (under /accounts/login/, public like the login page).
urlpatterns += [
    path("login/verify/", views_security.login_verify, name="login_verify"),
    path("security/", views_security.security_policy, name="security_policy"),
    path("twofactor/", views_security.twofactor_page, name="twofactor"),
    path("twofactor/disable/", views_security.twofactor_disable, name="twofactor_disable"),
    path("users/<int:pk>/twofactor/reset/", views_security.twofactor_reset, name="twofactor_reset"),
]
