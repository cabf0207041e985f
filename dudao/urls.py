from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from dudao.accounts import views as accounts_views

urlpatterns = [
    path("", include("dudao.core.urls")),
    path("accounts/", include("dudao.accounts.urls")),
    path("schools/", include("dudao.schools.urls")),
    path("", include("dudao.inspectors.urls")),
    path("imports/", include("dudao.imports.urls")),
    path("", include("dudao.signboards.urls")),
    path("audit/", include("dudao.audit.urls")),
    path("", include("dudao.organisations.urls")),
    path("notifications/", include("dudao.notifications.urls")),
    path("visits/", include("dudao.visits.urls")),
    path("findings/", include("dudao.rectification.urls")),
    path("dashboard/", include("dudao.dashboards.urls")),
    path("rollup/", include("dudao.rollup.urls")),
    path("reports/", include("dudao.reports.urls")),
    path("monitoring/", include("dudao.monitoring.urls")),
    path("checklists/", include("dudao.checklists.urls")),
    path("campaigns/", include("dudao.campaigns.urls")),
    path("p/campaigns/", include("dudao.campaigns.public_urls")),
    path("returns/", include("dudao.returns.urls")),
    path("evaluations/", include("dudao.evaluations.urls")),
    path("registry/units/", include("dudao.organisations.unit_urls")),
    path("complaints/", include("dudao.complaints.urls")),
    path("p/complaints/", include("dudao.complaints.public_urls")),
    path("surveys/", include("dudao.surveys.urls")),
    path("p/surveys/", include("dudao.surveys.public_urls")),
    path("bulletins/", include("dudao.bulletins.urls")),
    path("training/", include("dudao.training.urls")),
    path("summaries/", include("dudao.summaries.urls")),
    path("p/county/", include("dudao.bulletins.public_urls")),
    # The switcher also remembers a logged-in user's choice (accounts.views.choose_language).
    path("i18n/setlang/", accounts_views.choose_language, name="set_language"),
    path("admin/", admin.site.urls),
    # The REST API (docs/api.md) and the user's API tokens.
    path("api/v1/", include("dudao.api.urls")),
    path("accounts/tokens/", include("dudao.api.token_urls")),
    # The office's group robots (WeChat Work, DingTalk) and their delivery log.
    path("office/robots/", include("dudao.webhooks.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded demo serves uploads itself; production serves them from S3 or nginx.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
