from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from merchants.models import Merchant
from stores.models import Product, Store, StoreMembership


class StoreSerializer(serializers.ModelSerializer):
    merchant_id = serializers.PrimaryKeyRelatedField(source="merchant", queryset=Merchant.objects.all())

    class Meta:
        model = Store
        fields = ["id", "merchant_id", "name", "code", "is_active", "time_zone", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"code": {"required": False, "validators": []}}


class UserCreateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    # Django's own rule for usernames (letters, digits and @.+-_), stated in the schema too.
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(write_only=True, max_length=4096, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    is_staff = serializers.BooleanField(required=False, default=False)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "is_staff"]


class MembershipSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username", read_only=True)
    store_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = StoreMembership
        fields = ["id", "user_id", "username", "store_id", "role", "created_at"]
        read_only_fields = ["id", "created_at"]


class ProductSerializer(serializers.ModelSerializer):
    """A catalog product. Its validation is the one of every write path
    (stores.services.product_fields_clean: the model's limits, a valid GTIN), shared with the
    import, the catalog copy and the admin."""

    def to_internal_value(self, data):
        from stores.services import product_fields_clean

        try:
            return product_fields_clean(data, partial=self.partial)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None

    class Meta:
        model = Product
        fields = ["id", "name", "sku", "gtin", "gtin_type", "price", "is_active"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "name": {"required": False, "allow_blank": True},
            "sku": {"validators": []},
            "gtin_type": {"required": False},
        }


class AdminProductSerializer(ProductSerializer):
    store_id = serializers.IntegerField(read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "store_id"]


class ProductWriteResultSerializer(ProductSerializer):
    exceptions_resolved = serializers.IntegerField(read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "exceptions_resolved"]


class CatalogImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    exceptions_resolved = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class CatalogCopySerializer(serializers.Serializer):
    source_store_id = serializers.IntegerField(help_text=_("The store whose catalog to copy from"))
    product_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Only these products of the source store (all of them without it)"),
    )
