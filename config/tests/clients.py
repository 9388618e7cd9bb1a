"""API clients for the tests."""

from rest_framework.test import APIClient


def api_client_for(user) -> APIClient:
    """An API client holding a token of ``user``, issued as a login issues one."""
    from config.auth_views import token_issue

    client = APIClient()
    if user is not None:
        _instance, token = token_issue(user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client
