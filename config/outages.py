"""A lost database or broker answers 503 with Retry-After and a sentence, never a 500 page.

``ServiceUnavailableMiddleware`` catches what a view raises (the API's and the pages' alike);
``server_error`` (``handler500``) catches what is raised outside a view, such as a session saved
after the response. The API answers JSON (``{"detail": ...}``), the admin and the portal a short
page. Each service writes in one transaction, so a request cut short by the outage has written
nothing half. Readiness for machines is a separate endpoint (docs/api.md).
"""

import logging
import sys

from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from kombu.exceptions import OperationalError as BrokerOperationalError

from config import rest

logger = logging.getLogger(__name__)

# Long enough for a restarted database or broker, short enough for a person to wait.
RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (DatabaseOperationalError, InterfaceError)
BROKER_ERRORS = (BrokerOperationalError,)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def outage_message(exc: BaseException) -> str | None:
    """The sentence for a person when ``exc`` is an outage of the database or the broker, else None."""
    if isinstance(exc, DATABASE_ERRORS):
        return gettext(
            "The service is briefly unavailable: its database cannot be reached. Try again in %(seconds)d seconds."
        ) % {"seconds": RETRY_AFTER_SECONDS}
    if isinstance(exc, BROKER_ERRORS):
        return gettext(
            "The service is briefly unavailable: its task queue cannot be reached. Try again in %(seconds)d seconds."
        ) % {"seconds": RETRY_AFTER_SECONDS}
    return None


def service_unavailable(request, message: str) -> HttpResponse:
    if _is_api(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        # Rendered without the request: context processors would reach for the lost database.
        page = render_to_string("503.html", {"message": message, "path": request.path})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        message = outage_message(exception)
        if message is None:
            return None
        logger.error("%s %s: %s", request.method, request.path, exception.__class__.__name__, exc_info=exception)
        return service_unavailable(request, message)


def server_error(request, *args, **kwargs):
    """``handler500``: an outage raised outside a view is a 503 too; any other error the plain
    500 of ``config.rest.server_error`` (JSON on the API), never a stack trace."""
    exc = sys.exc_info()[1]
    message = outage_message(exc) if exc is not None else None
    if message is not None:
        return service_unavailable(request, message)
    return rest.server_error(request)
