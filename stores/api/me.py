"""``/api/v1/me``: who is calling, and the stores it may act for."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from stores.selectors import memberships_for_user


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
