"""``/api/v1/auth/token``: API tokens (docs/security.md).

Each login issues a token of its own (django-rest-knox): stored hashed, expiring after
``AUTH_TOKEN_TTL``, revoked when the user's password changes. Wrong logins are throttled by
django-axes, like the admin's and the portal's login pages.
"""

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.authentication import BearerTokenAuthentication

TokenResponse = inline_serializer(
    "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField(allow_null=True)}
)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


def token_issue(user) -> tuple[AuthToken, str]:
    """A new token for one client of ``user``; the plain token exists only in this answer.
    The user's expired tokens are deleted on the way."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user)


class TokenView(APIView):
    """POST: exchange a username and password for a new token. DELETE: revoke the token the call
    is made with (``?all=1``: every token of the user)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    # Tokens are for API clients: no session, so logging in needs no CSRF token.
    authentication_classes = [BearerTokenAuthentication]

    @extend_schema(request=LoginSerializer, responses={200: TokenResponse}, auth=[])
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request: django-axes records the failure and the address on it.
        user = authenticate(request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [gettext("Unable to log in with provided credentials.")]}
            )
        instance, token = token_issue(user)
        return Response({"token": token, "expiry": instance.expiry})

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("all", int, enum=[0, 1], description="1: every token of the user")],
    )
    def delete(self, request):
        if request.query_params.get("all") in ("1", "true"):
            AuthToken.objects.filter(user=request.user).delete()
        else:
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
