"""Loyalty in the Django admin: programs, members (with a by-hand adjustment), transactions."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from config.errors import ServiceError
from loyalty import services
from loyalty.models import LoyaltyMember, LoyaltyProgram, PointTransaction


@admin.register(LoyaltyProgram)
class LoyaltyProgramAdmin(admin.ModelAdmin):
    list_display = ["merchant", "active", "points_per_eur", "updated_at"]
    list_filter = ["active"]
    search_fields = ["merchant__name"]
    list_select_related = ["merchant"]
    autocomplete_fields = ["merchant"]


class AdjustForm(forms.Form):
    points = forms.IntegerField(label=_("Points (negative to take away)"), min_value=-(10**9), max_value=10**9)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PointTransactionInline(admin.TabularInline):
    model = PointTransaction
    extra = 0
    can_delete = False
    fields = ["created_at", "reason", "points", "balance_after", "order", "note", "created_by"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LoyaltyMember)
class LoyaltyMemberAdmin(admin.ModelAdmin):
    """Balances change only through transactions: the page adjusts by hand, with a reason."""

    list_display = ["email", "program", "points_balance", "updated_at"]
    search_fields = ["email", "program__merchant__name"]
    list_select_related = ["program__merchant"]
    readonly_fields = ["program", "email", "points_balance", "created_at", "updated_at"]
    inlines = [PointTransactionInline]
    change_form_template = "admin/loyalty/member_change_form.html"

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        adjust = self.admin_site.admin_view(self.adjust_view)
        return [path("<int:member_id>/adjust/", adjust, name="loyalty_loyaltymember_adjust"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "adjust_form": AdjustForm()}
        return super().change_view(request, object_id, form_url, extra_context)

    def adjust_view(self, request, member_id: int):
        member = LoyaltyMember.objects.select_related("program__merchant").filter(pk=member_id).first()
        back = reverse("admin:loyalty_loyaltymember_change", args=[member_id])
        if member is None or request.method != "POST" or not self.has_change_permission(request, member):
            return HttpResponseRedirect(back)
        form = AdjustForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return HttpResponseRedirect(back)
        try:
            services.points_adjust(
                merchant=member.program.merchant,
                email=member.email,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The balance of %(email)s was adjusted.") % {"email": member.email})
        return HttpResponseRedirect(back)


@admin.register(PointTransaction)
class PointTransactionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "member", "reason", "points", "balance_after", "order", "store", "note"]
    list_filter = ["reason"]
    search_fields = ["member__email", "order__external_order_number", "note"]
    list_select_related = ["member", "order", "store"]
    raw_id_fields = ["member", "order", "store", "created_by"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
