"""Errors that services raise and every entry point understands.

The API turns them into status codes (config.rest.exception_handler), admin actions into
messages, commands into a readable line. Messages say what to change.
"""


class ServiceError(Exception):
    """A rule of the domain refused the request. ``field`` names the input at fault, if any."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.__class__.__name__

    def as_response_data(self) -> dict:
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


class InvalidInput(ServiceError):
    status_code = 400


class NotFound(ServiceError):
    status_code = 404


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409
