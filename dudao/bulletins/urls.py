"""Bulletins, notices and briefings (通报、通知、简报) in the app, under /bulletins/."""

from django.urls import path

from . import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_create, name="create"),
    path("mine/", views.my_bulletins, name="mine"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/withdraw/", views.bulletin_withdraw, name="withdraw"),
    path("<int:pk>/public/", views.bulletin_public, name="public"),
    path("<int:pk>/remind/", views.bulletin_remind, name="remind"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/document.<str:fmt>", views.bulletin_file, name="document"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
