"""Notifications in the admin: the list a platform admin works through, the bell's target.

Read and unread are the platform admins' own state (the store's people have theirs in the
portal). Opening a notification marks it read and goes to where the problem is fixed.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin_helpers import ChangeListTitleMixin, admin_url, badge, redirect_back, when
from notifications import selectors, services
from notifications.models import KIND_LABELS, Notification
from stores.admin_filters import StoreFilter

LEVEL_TONES = {"info": "info", "warning": "warn", "error": "error"}


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("unread", _("Unread")), ("read", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() == "unread":
            return queryset.filter(admin_read_at__isnull=True)
        if self.value() == "read":
            return queryset.filter(admin_read_at__isnull=False)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = _("incident")
    parameter_name = "incident"

    def lookups(self, request, model_admin):
        return [("open", _("Still open")), ("resolved", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return list(KIND_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(ChangeListTitleMixin, admin.ModelAdmin):
    change_list_template = "admin/notifications/notification/change_list.html"
    changelist_title = _("Notifications")
    list_display = ["summary", "store_name", "seen", "read_and_resolved", "open_link"]
    list_display_links = None
    list_filter = [ReadFilter, OpenFilter, KindFilter, "level", StoreFilter]
    list_select_related = ["store"]
    search_fields = ["title", "message", "params", "incident_key"]
    ordering = ["-created_at", "-id"]
    actions = ["mark_read", "mark_unread"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only: reading and marking go through the actions below

    def has_read_permission(self, request) -> bool:
        return request.user.has_perm("notifications.view_notification")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/open/", wrap(self.open_view), name="notifications_notification_open"),
            path("<int:object_id>/read/", wrap(self.read_view), name="notifications_notification_read"),
            path("email/", wrap(self.email_preference_view), name="notifications_notification_email"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "email_enabled": selectors.email_preference_enabled(user=request.user),
            "email_url": admin_url("notifications_notification_email"),
            "has_email": bool(request.user.email),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.open_view(request, object_id)

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("notification"))
    def summary(self, obj):
        level = badge(obj.get_level_display(), LEVEL_TONES.get(obj.level, "neutral"))
        title = format_html("<strong>{}</strong>", obj.title_text) if obj.admin_read_at is None else obj.title_text
        return format_html(
            '<div class="ls-notification">{} <a href="{}">{}</a><div class="ls-muted">{}</div></div>',
            level,
            admin_url("notifications_notification_open", obj.pk),
            title,
            obj.message_text,
        )

    @admin.display(description=_("store"))
    def store_name(self, obj):
        return obj.store.name if obj.store_id else "-"

    @admin.display(description=_("when"), ordering="created_at")
    def seen(self, obj):
        if obj.occurrences > 1:
            more = ngettext("seen %(count)d time, last:", "seen %(count)d times, last:", obj.occurrences) % {
                "count": obj.occurrences
            }
            return format_html(
                '{}<br><span class="ls-muted">{}</span> {}', when(obj.created_at), more, when(obj.last_seen_at)
            )
        return when(obj.created_at)

    @admin.display(description=_("state"))
    def read_and_resolved(self, obj):
        read = badge(_("unread"), "info") if obj.admin_read_at is None else badge(_("read"))
        resolved = badge(_("resolved"), "ok") if obj.resolved_at else badge(_("open"), "warn")
        return format_html("{} {}", read, resolved)

    @admin.display(description="")
    def open_link(self, obj):
        if obj.admin_read_at is not None:
            return ""
        return format_html(
            '<button type="submit" class="button ls-button-small" formaction="{}" formnovalidate>{}</button>',
            admin_url("notifications_notification_read", obj.pk),
            _("Mark read"),
        )

    # --- actions ---------------------------------------------------------------------------

    @admin.action(description=_("Mark as read"), permissions=["read"])
    def mark_read(self, request, queryset):
        count = services.notifications_mark_read(queryset=queryset, user=request.user, audience=services.ADMIN)
        messages.success(
            request,
            ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
            % {"count": count},
        )

    @admin.action(description=_("Mark as unread"), permissions=["read"])
    def mark_unread(self, request, queryset):
        count = services.notifications_mark_read(
            queryset=queryset, user=request.user, audience=services.ADMIN, read=False
        )
        messages.success(
            request,
            ngettext("%(count)d notification marked unread.", "%(count)d notifications marked unread.", count)
            % {"count": count},
        )

    def open_view(self, request, object_id):
        """Mark read, then go where the problem is fixed (the list if there is no such page)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        notification = get_object_or_404(Notification, pk=object_id)
        services.notification_mark_read(notification=notification, user=request.user, audience=services.ADMIN)
        target = notification.admin_link or notification.link
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = admin_url("notifications_notification_changelist")
        return HttpResponseRedirect(target)

    def read_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_read_permission(request):
            raise PermissionDenied
        notification = get_object_or_404(Notification, pk=object_id)
        services.notification_mark_read(notification=notification, user=request.user, audience=services.ADMIN)
        return redirect_back(request, or_referer=True) or HttpResponseRedirect(
            admin_url("notifications_notification_changelist")
        )

    def email_preference_view(self, request):
        """The admin's own choice: e-mails about failures, or the app only."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        enabled = request.POST.get("email_enabled") == "1"
        services.notification_preference_set(user=request.user, email_enabled=enabled)
        if enabled:
            messages.success(
                request, _("You will get an e-mail for each new failure, at %(email)s.") % {"email": request.user.email}
            )
        else:
            messages.success(request, _("You will no longer get e-mails about failures; they stay listed here."))
        return HttpResponseRedirect(admin_url("notifications_notification_changelist"))
