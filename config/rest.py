"""How errors look in the API (docs/api.md)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext
from django.views import csrf, defaults
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(exc.as_response_data(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=400)
        return Response({"detail": " ".join(exc.messages)}, status=400)
    return drf_exception_handler(exc, context)


def validated(serializer_class, request) -> dict:
    """The request body checked by ``serializer_class`` (a 400 naming the fields otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- answers Django itself gives before any API view runs ----------------------------------


def _api_or_page(request, status: int, message: str, page_view, *args):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return page_view(request, *args)


def page_not_found(request, exception=None):
    """A URL that matches nothing (``/api/v1/store/products/abc``): JSON under /api/."""
    return _api_or_page(request, 404, gettext("Not found."), defaults.page_not_found, exception)


def bad_request(request, exception=None):
    return _api_or_page(request, 400, gettext("Bad request."), defaults.bad_request, exception)


def server_error(request):
    """Never a stack trace: a sentence, JSON under /api/ (the error is in the server's log)."""
    return _api_or_page(
        request, 500, gettext("Server error: the request failed; try again later."), defaults.server_error
    )


def csrf_failure(request, reason=""):
    return _api_or_page(
        request, 403, gettext("CSRF check failed: reload the page and try again."), csrf.csrf_failure, reason
    )
