from rest_framework import serializers

from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services.credentials import credentials_masked_key


class CredentialsSerializer(serializers.ModelSerializer):
    """The guide's "Credentials Response": the key only ever as ``api_key_masked``."""

    store_id = serializers.IntegerField(read_only=True)
    api_key_masked = serializers.SerializerMethodField()
    last_sync_error = serializers.SerializerMethodField()

    class Meta:
        model = StoreLetzshopCredentials
        fields = [
            "id",
            "store_id",
            "api_key_masked",
            "api_endpoint",
            "auto_sync_enabled",
            "sync_interval_minutes",
            "last_sync_at",
            "last_sync_status",
            "last_sync_error",
            "created_at",
            "updated_at",
        ]

    def get_api_key_masked(self, obj) -> str:
        return credentials_masked_key(credentials=obj)

    def get_last_sync_error(self, obj) -> str | None:
        return obj.last_sync_error or None


class CredentialsInputSerializer(serializers.Serializer):
    """Types only; the rules (allowed hosts, interval range) are the service's."""

    api_key = serializers.CharField(write_only=True, required=False, trim_whitespace=True)
    api_endpoint = serializers.CharField(required=False, allow_blank=True)
    auto_sync_enabled = serializers.BooleanField(required=False)
    sync_interval_minutes = serializers.IntegerField(required=False)


class TestKeySerializer(serializers.Serializer):
    api_key = serializers.CharField(write_only=True)
    api_endpoint = serializers.CharField(required=False, allow_blank=True)


class ConnectionTestSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    response_time_ms = serializers.FloatField()


class IntegrationStatusSerializer(serializers.Serializer):
    """A store's Letzshop integration at a glance (store ``status`` and the admin's ``stores``)."""

    store_id = serializers.IntegerField(source="pk")
    store_name = serializers.CharField(source="name")
    store_code = serializers.CharField(source="code")
    is_configured = serializers.BooleanField()
    api_key_masked = serializers.SerializerMethodField()
    api_endpoint = serializers.SerializerMethodField()
    auto_sync_enabled = serializers.SerializerMethodField()
    sync_interval_minutes = serializers.SerializerMethodField()
    last_sync_at = serializers.SerializerMethodField()
    last_sync_status = serializers.SerializerMethodField()
    last_sync_error = serializers.SerializerMethodField()
    pending_orders = serializers.IntegerField()
    pending_exceptions = serializers.IntegerField()
    failed_queue_items = serializers.IntegerField()

    def _credentials(self, store):
        return getattr(store, "letzshop_credentials", None) if store.is_configured else None

    def _field(self, store, name, default=None):
        credentials = self._credentials(store)
        return getattr(credentials, name) if credentials is not None else default

    def get_api_key_masked(self, store) -> str | None:
        credentials = self._credentials(store)
        return credentials_masked_key(credentials=credentials) if credentials is not None else None

    def get_api_endpoint(self, store) -> str | None:
        return self._field(store, "api_endpoint")

    def get_auto_sync_enabled(self, store) -> bool:
        return bool(self._field(store, "auto_sync_enabled", False))

    def get_sync_interval_minutes(self, store) -> int | None:
        return self._field(store, "sync_interval_minutes")

    def get_last_sync_at(self, store) -> str | None:
        value = self._field(store, "last_sync_at")
        return serializers.DateTimeField().to_representation(value) if value else None

    def get_last_sync_status(self, store) -> str | None:
        return self._field(store, "last_sync_status") or None

    def get_last_sync_error(self, store) -> str | None:
        return self._field(store, "last_sync_error") or None
