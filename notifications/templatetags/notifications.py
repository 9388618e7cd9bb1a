"""``{% notifications_bell %}``: the admin header's bell, with the platform admins' unread count."""

from django import template

from notifications.selectors import unread_count_for_admin

register = template.Library()


@register.inclusion_tag("admin/notifications/bell.html", takes_context=True)
def notifications_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_staff or not user.has_perm("notifications.view_notification"):
        return {"show": False}
    return {"show": True, "unread": unread_count_for_admin()}
