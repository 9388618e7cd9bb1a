"""``/api/v1/auth/token``: API tokens (docs/security.md)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.authentication import BearerTokenAuthentication

TokenResponse = inline_serializer("TokenResponse", {"token": serializers.CharField()})


class TokenView(APIView):
    """POST: exchange a username and password for a token. DELETE: revoke the caller's token."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    # Tokens are for API clients: no session, so logging in needs no CSRF token.
    authentication_classes = [BearerTokenAuthentication]

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenResponse}, auth=[])
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
