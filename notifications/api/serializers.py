from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """A notification as its reader sees it: texts in the request's language, ``read_at`` of the
    reader's audience (``audience`` in the context: ``store`` or ``admin``)."""

    title = serializers.CharField(source="title_text", read_only=True)
    message = serializers.CharField(source="message_text", read_only=True)
    store_id = serializers.IntegerField(read_only=True, allow_null=True)
    read_at = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "level",
            "title",
            "message",
            "store_id",
            "letzshop_order_id",
            "created_at",
            "read_at",
            "link",
            "occurrences",
            "last_seen_at",
            "resolved_at",
        ]
        read_only_fields = fields

    def _admin(self) -> bool:
        return self.context.get("audience") == "admin"

    def get_read_at(self, obj) -> str | None:
        value = obj.admin_read_at if self._admin() else obj.read_at
        return serializers.DateTimeField().to_representation(value) if value else None

    def get_link(self, obj) -> str:
        return (obj.admin_link or obj.link) if self._admin() else obj.link
