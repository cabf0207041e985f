app_name = "complaints_public"
urlpatterns = []
