"""Limits every request meets before a view reads it (docs/security.md)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext


def _refusal(request, status: int, data: dict, text: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(data, status=status)
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class RequestLimitsMiddleware:
    """A body over ``MAX_REQUEST_BODY_BYTES`` (20 MiB), whatever its content type, answers 413
    before a byte of it is read; a query parameter with a NUL character (no database column can
    keep one) answers 400 naming the parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            message = gettext("The request body is larger than %(size)d MiB: send less at once.") % {
                "size": limit // (1024 * 1024)
            }
            return _refusal(request, 413, {"detail": message}, message)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                message = gettext("Remove the NUL character.")
                return _refusal(request, 400, {name.replace("\x00", "") or "query": [message]}, message)
        return self.get_response(request)
