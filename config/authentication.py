from django.utils import timezone
from django.utils.translation import gettext
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class BearerTokenAuthentication(TokenAuthentication):
    """django-rest-knox tokens, sent as ``Authorization: Bearer <token>`` (``REST_KNOX``'s
    ``AUTH_HEADER_PREFIX``; docs/security.md)."""

    def authenticate_credentials(self, token: bytes):
        # A header is Latin-1: bytes that are not UTF-8 are no token of ours, not a server error.
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(gettext("Invalid token.")) from None
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (then deleted). knox also walks every other token of the
        user on each call; here they are swept at each login instead (config.auth_views), so that a
        call costs one query whatever the number of the user's clients."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
