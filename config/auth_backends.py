"""Login throttling (django-axes) on every login that a person or a client can reach: the API's
token, the admin's and the portal's login pages (docs/security.md)."""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check, skipped only where no request exists (code calling ``authenticate`` itself,
    such as a management command): every login view passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 with ``Retry-After`` (the cool-off), as JSON for the API and as a sentence for pages."""
    cool_off = get_cool_off(request)
    seconds = max(1, int(cool_off.total_seconds())) if cool_off else 900
    message = gettext("Too many failed logins: try again in %(minutes)d minutes.") % {
        "minutes": max(1, round(seconds / 60))
    }
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
