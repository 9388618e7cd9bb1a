"""How a call to Letzshop failed, in the terms a caller decides a retry with.

No message built here ever holds the API key: the transport redacts it from anything the server
echoes before an exception is raised.
"""

from __future__ import annotations

MAX_MESSAGE_LENGTH = 1000


def truncate(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rebuilt(cls: type, state: dict) -> LetzshopError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class LetzshopError(Exception):
    """Base class. ``retryable`` tells the caller whether the same call may succeed later."""

    retryable = False

    def __reduce__(self):
        # Pickled whole (the import's fetch process hands its error to the run): the default
        # rebuilds an exception from its args alone, which loses retry_after and status_code.
        return (_rebuilt, (type(self), dict(self.__dict__)))

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        self.message = truncate(message)
        self.status_code = status_code
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


class AuthError(LetzshopError):
    """The API key was refused (HTTP 401/403, or an "unauthorized" GraphQL error). Never retried:
    the same key will be refused again."""


class RateLimited(LetzshopError):
    """HTTP 429. ``retry_after`` is the wait Letzshop asked for, in seconds, bounded by the
    client's ``max_retry_after``."""

    retryable = True

    def __init__(self, message: str, *, retry_after: int, status_code: int | None = 429) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"RateLimited({self.message!r}, retry_after={self.retry_after!r})"


class TransientError(LetzshopError):
    """HTTP 5xx, a timeout, a refused or dropped connection: retry with backoff."""

    retryable = True


class ResponseError(LetzshopError):
    """Letzshop answered, but not with what was asked for: GraphQL errors, a malformed or non-JSON
    answer, missing data. Retrying the same request gets the same answer."""


class Cancelled(LetzshopError):
    """The client was cancelled (``LetzshopClient.cancel``): its owner stopped, no call is made."""
