app_name = "bulletins_public"
urlpatterns = []
