"""``/api/v1/auth/token`` (CONTRACT.md "Authentication") and ``/api/v1/me``."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.authentication import BearerTokenAuthentication
from stores.selectors import memberships_for_user

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


class MeView(APIView):
    """Who is calling, and the stores it may act for (the portal's store switcher)."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "is_staff": serializers.BooleanField(),
                "stores": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        stores = [
            {"id": m.store_id, "name": m.store.name, "code": m.store.code, "role": m.role}
            for m in memberships_for_user(user=request.user)
        ]
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "is_staff": user.is_staff, "stores": stores})
