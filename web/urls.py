"""The site's root URL conf: it mounts every app's API, the admin and the store portal, so it
sits above every app (docs/architecture.md)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import config.schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from billing.api import urls as billing_urls
from config.auth_views import TokenView
from exceptions.api import urls as exceptions_urls
from letzshop.api import urls as letzshop_urls
from loyalty.api import urls as loyalty_urls
from merchants.api import urls as merchants_urls
from notifications.api import urls as notifications_urls
from orders.api import urls as orders_urls
from stores.api import urls as stores_urls
from stores.api.me import MeView

# The admin's "View site" opens the store portal, not the admin again.
admin.site.site_url = "/store/"

API_APPS = (
    merchants_urls,
    stores_urls,
    notifications_urls,
    orders_urls,
    exceptions_urls,
    letzshop_urls,
    billing_urls,
    loyalty_urls,
)

admin_api = [pattern for app in API_APPS for pattern in app.admin_urlpatterns]
store_api = [pattern for app in API_APPS for pattern in app.store_urlpatterns]

urlpatterns = [
    # /healthz, /readyz, /metrics (docs/operations.md)
    path("", include("monitoring.urls")),
    re_path(r"^api/v1/auth/token/?$", TokenView.as_view(), name="auth-token"),
    re_path(r"^api/v1/me/?$", MeView.as_view(), name="me"),
    path("api/v1/admin/", include((admin_api, "admin-api"))),
    path("api/v1/store/", include((store_api, "store-api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the site's own static files, its start-up script a file of its own (the
    # "split" view): no CDN, no inline script, the same Content-Security-Policy as every page.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("store/", include("portal.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

handler400 = "config.rest.bad_request"
handler404 = "config.rest.page_not_found"
# An outage raised outside a view is a 503 (config.outages); any other error config.rest's 500.
handler500 = "config.outages.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
