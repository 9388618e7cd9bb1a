"""/healthz, /readyz and /metrics (docs/operations.md)."""

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from monitoring.metrics import metrics_render
from monitoring.services import readiness_check


@never_cache
@require_GET
def healthz(request):
    """200 while the process serves requests: what a process supervisor restarts on."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """200 while the database and the broker answer, else 503 naming the failing checks: what a
    load balancer takes a process out of rotation on."""
    readiness = readiness_check()
    return JsonResponse(readiness.as_dict(), status=200 if readiness.ready else 503)


def _metrics_token_presented(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not token or not header.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(header[7:].strip().encode(), token.encode())


class CanReadMetrics(BasePermission):
    message = gettext_lazy("Only a platform admin allowed to read the metrics, or METRICS_TOKEN, may read /metrics.")

    def has_permission(self, request, view) -> bool:
        if getattr(request, "metrics_token", False):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm("monitoring.view_metrics"))


@extend_schema(exclude=True)
class MetricsView(APIView):
    """Prometheus' text format, for a platform admin's token or ``Bearer $METRICS_TOKEN``."""

    permission_classes = [CanReadMetrics]

    def perform_authentication(self, request):
        # The metrics token is no user's API token: it must not reach the token authentication.
        if _metrics_token_presented(request._request):
            request._request.metrics_token = True
            request.metrics_token = True
            return
        super().perform_authentication(request)

    def get(self, request):
        body, content_type = metrics_render()
        response = HttpResponse(body, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response
