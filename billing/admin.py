"""Billing in the Django admin: plans, subscriptions with their usage, invoices (read-only, CSV)."""

import csv

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from billing import selectors, services
from billing.models import Invoice, Plan, Subscription, SubscriptionChange, UsagePeriod
from config.admin_helpers.actions import form_error
from config.errors import ServiceError


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "price_monthly",
        "max_stores",
        "min_sync_interval_minutes",
        "monthly_order_limit",
        "overage_price_per_order",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []  # invoices and logs name plans by code


class SubscriptionChangeInline(admin.TabularInline):
    model = SubscriptionChange
    extra = 0
    can_delete = False
    fields = ["created_at", "old_plan_code", "new_plan_code", "old_status", "new_status", "changed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class SubscriptionAdminForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["merchant", "plan", "status"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionAdminForm
    list_display = ["merchant", "plan", "status", "current_period_start", "current_period_end", "usage"]
    list_filter = ["status", "plan"]
    search_fields = ["merchant__name", "plan__code"]
    list_select_related = ["merchant", "plan"]
    autocomplete_fields = ["merchant"]
    inlines = [SubscriptionChangeInline]

    def get_readonly_fields(self, request, obj=None):
        base = ["current_period_start", "current_period_end", "usage"]
        return ["merchant", *base] if obj is not None else base

    def get_queryset(self, request):
        # The list's usage column in the list's own query (a constant number per page).
        return selectors.subscriptions_with_usage(super().get_queryset(request))

    @admin.display(description=_("usage this period"))
    def usage(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        orders, stores = getattr(obj, "usage_orders", None), getattr(obj, "usage_stores", None)
        if orders is None or stores is None:
            current = selectors.usage_current(merchant=obj.merchant, subscription=obj)
            orders, stores = current["orders_imported"], current["stores"]
        limit = obj.plan.monthly_order_limit
        text = _("%(orders)s / %(limit)s orders (%(percent)s %%), %(stores)s / %(max)s stores") % {
            "orders": orders,
            "limit": limit,
            "percent": selectors.percent(orders, limit),
            "stores": stores,
            "max": obj.plan.max_stores,
        }
        if orders > limit:
            text += " · " + _("%(count)s over the limit") % {"count": orders - limit}
        return text

    def get_form(self, request, obj=None, **kwargs):
        """Plan and status changes go through ``subscription_set`` (its rules, and the log of who
        changed what), called as the form is cleaned so that a refusal shows on the form."""
        form_class = super().get_form(request, obj, **kwargs)

        class Form(form_class):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                merchant = cleaned.get("merchant") or self.instance.merchant
                try:
                    self.saved = services.subscription_set(
                        merchant=merchant, plan_code=cleaned["plan"].code, status=cleaned["status"], user=request.user
                    )
                except ServiceError as exc:
                    form_error(self, exc)
                return cleaned

        return Form

    def save_model(self, request, obj, form, change):
        # subscription_set wrote the row (and its log line) while the form was cleaned.
        form.instance = form.saved
        obj.pk = form.saved.pk

    def save_related(self, request, form, formsets, change):
        form.instance = form.saved
        for formset in formsets:
            formset.instance = form.saved
        super().save_related(request, form, formsets, change)


@admin.register(UsagePeriod)
class UsagePeriodAdmin(admin.ModelAdmin):
    list_display = ["merchant", "period_start", "period_end", "orders_imported", "warned_80_at", "warned_100_at"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name"]
    date_hierarchy = "period_start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # counted by imports only


def invoices_csv(rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="invoices.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["number", "merchant", "period_start", "period_end", "plan", "orders_imported", "overage_orders",
         "subtotal", "vat_rate", "vat_amount", "total", "currency", "issued_at"]
    )  # fmt: skip
    for invoice in rows:
        writer.writerow(
            [
                invoice.display_number,
                _csv_text(invoice.merchant.name),
                invoice.period_start.isoformat(),
                invoice.period_end.isoformat(),
                invoice.plan_code,
                invoice.orders_imported,
                invoice.overage_orders,
                invoice.subtotal,
                invoice.vat_rate,
                invoice.vat_amount,
                invoice.total,
                invoice.currency,
                invoice.issued_at.isoformat(),
            ]
        )
    return response


def _csv_text(value: str) -> str:
    # A cell starting with =, +, - or @ would be a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices are written by the period close and never changed: read-only, exported as CSV."""

    list_display = ["display_number", "merchant", "period_start", "period_end", "plan_code", "overage_orders", "total"]
    list_filter = ["plan_code", "period_start"]
    search_fields = ["merchant__name", "number"]
    list_select_related = ["merchant"]
    date_hierarchy = "period_start"
    actions = ["export_csv"]
    readonly_fields = [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("number"), ordering="number")
    def display_number(self, obj):
        return obj.display_number

    @admin.action(description=_("Export the selected invoices as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return invoices_csv(queryset.select_related("merchant").order_by("number"))
