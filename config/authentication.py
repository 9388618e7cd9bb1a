from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """DRF token auth answering to ``Authorization: Bearer <token>`` (docs/security.md)."""

    keyword = "Bearer"
