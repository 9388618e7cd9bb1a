"""The store portal's pages. They render templates and handle login, logout and the choice of
store; the data on each page comes from the REST API, called from the browser with the session.

The current store is kept in the session: the switcher sets it, an order page opened from a
link sets it to the order's store, and a user of one store never has to choose.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from config.errors import InvalidInput, NotFound
from letzshop.models import SYNC_INTERVAL_MAX, SYNC_INTERVAL_MIN, LetzshopOrder
from orders.models import Order
from orders.selectors import carrier_names
from portal.labels import portal_labels
from portal.selectors import letzshop_order_of_local_order, letzshop_order_store_id
from stores.tenancy import StoreContext, acts_for_any_store, store_context_resolve, store_contexts_for_user

SESSION_STORE = "portal_store_id"


def _store_named(request, store_id) -> StoreContext:
    """One of the user's stores (any store for a platform admin); another answers NotFound."""
    if store_id in (None, ""):
        raise NotFound(_("Choose a store."))
    return store_context_resolve(
        user=request.user, store_id=store_id, as_admin=acts_for_any_store(request.user), field="store_id"
    )


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Log in")}


class LogoutView(auth_views.LogoutView):
    pass


class PortalPage(LoginRequiredMixin, TemplateView):
    """A page for the current store. Subclasses name their template and their place in the menu."""

    nav: str = ""
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.stores = store_contexts_for_user(user=request.user)
        self.store = self.current_store(request, *args, **kwargs)
        if self.store is None:
            if not self.stores:
                return render(request, "portal/no_store.html", {"title": _("No store")}, status=403)
            chooser = reverse("portal:stores")
            return HttpResponseRedirect(f"{chooser}?next={request.get_full_path()}")
        return super().dispatch(request, *args, **kwargs)

    def current_store(self, request, *args, **kwargs) -> StoreContext | None:
        chosen = request.session.get(SESSION_STORE)
        if chosen is not None:
            for store in self.stores:
                if store.id == chosen:
                    return store
            request.session.pop(SESSION_STORE, None)  # no longer one of the user's stores
        if len(self.stores) == 1:
            return self.stores[0]
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = portal_labels()
        context.update(
            title=self.title,
            labels=labels,
            nav=self.nav,
            store=self.store,
            stores=self.stores,
            portal_config={
                "storeId": self.store.id,
                "userId": self.request.user.pk,
                "role": self.store.role,
                "canManage": self.store.can_manage,
                "apiBase": "/api/v1/store/",
                "loginUrl": reverse("portal:login"),
                "timeZone": self.store.time_zone,
                "labels": labels,
                "urls": {
                    "home": reverse("portal:home"),
                    "orders": reverse("portal:orders"),
                    "localOrder": reverse("portal:local-order", args=[0]).replace("/0/", "/{id}/"),
                    "exceptions": reverse("portal:exceptions"),
                    "queue": reverse("portal:queue"),
                    "logs": reverse("portal:logs"),
                    "settings": reverse("portal:settings"),
                    "notifications": reverse("portal:notifications"),
                    "plan": reverse("portal:plan"),
                    "loyalty": reverse("portal:loyalty"),
                },
            },
        )
        return context


class HomeView(PortalPage):
    template_name = "portal/home.html"
    nav = "home"
    title = _("Overview")


class SettingsView(PortalPage):
    template_name = "portal/settings.html"
    nav = "settings"
    title = _("Letzshop Integration")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["default_endpoint"] = settings.LETZSHOP_API_ENDPOINT
        context["interval_min"], context["interval_max"] = SYNC_INTERVAL_MIN, SYNC_INTERVAL_MAX
        context["portal_config"]["defaultEndpoint"] = settings.LETZSHOP_API_ENDPOINT
        context["portal_config"]["interval"] = {"min": SYNC_INTERVAL_MIN, "max": SYNC_INTERVAL_MAX}
        return context


class OrderListView(PortalPage):
    template_name = "portal/orders.html"
    nav = "orders"
    title = _("Orders")


class OrderDetailView(PortalPage):
    # The rows its URL names (the tenancy test walks the portal's URLs with it).
    tenant_model = LetzshopOrder
    template_name = "portal/order.html"
    nav = "orders"
    title = _("Order")

    def current_store(self, request, *args, **kwargs):
        # The order decides the store: 404 unless it is in one of the user's stores.
        try:
            store_id = letzshop_order_store_id(user=request.user, order_id=kwargs["order_id"])
        except NotFound:
            raise Http404(_("No such order in your stores.")) from None
        store = next((s for s in self.stores if s.id == store_id), None)
        if store is None:
            # A platform admin's switcher is capped; the order's store is still theirs to open.
            store = _store_named(request, store_id)
        if request.session.get(SESSION_STORE) != store.id:
            request.session[SESSION_STORE] = store.id
        return store

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["order_id"] = self.kwargs["order_id"]
        # Suggestions of the tracking form: the carriers of Settings > Shipping, code and name.
        context["carriers"] = carrier_names()
        context["portal_config"]["labels"] = {**context["portal_config"]["labels"], "carrier": context["carriers"]}
        context["portal_config"]["orderId"] = self.kwargs["order_id"]
        return context


class LocalOrderView(LoginRequiredMixin, View):
    """The order page of a local order id (what a product exception names)."""

    tenant_model = Order

    def get(self, request, order_id: int):
        try:
            letzshop_order_id = letzshop_order_of_local_order(user=request.user, order_id=order_id)
        except NotFound:
            raise Http404(_("No such order in your stores.")) from None
        return redirect("portal:order", order_id=letzshop_order_id)


class ExceptionListView(PortalPage):
    template_name = "portal/exceptions.html"
    nav = "exceptions"
    title = _("Product exceptions")


class QueueView(PortalPage):
    template_name = "portal/queue.html"
    nav = "queue"
    title = _("Fulfillment queue")


class SyncLogView(PortalPage):
    template_name = "portal/logs.html"
    nav = "logs"
    title = _("Sync logs")


class NotificationListView(PortalPage):
    template_name = "portal/notifications.html"
    nav = "notifications"
    title = _("Notifications")


class PlanView(PortalPage):
    """The merchant's plan and its usage, read-only; invoices for owners and managers."""

    template_name = "portal/plan.html"
    nav = "plan"
    title = _("Plan & usage")


class LoyaltyView(PortalPage):
    """The merchant's loyalty program: its settings, members by e-mail with their history."""

    template_name = "portal/loyalty.html"
    nav = "loyalty"
    title = _("Loyalty")


class StoreChoiceView(LoginRequiredMixin, View):
    """GET: the list of the user's stores to pick from. POST ``store_id``: make it the current
    store (only one of the user's stores; any store for a platform admin), then go back."""

    def get(self, request):
        stores = store_contexts_for_user(user=request.user)
        if not stores:
            return render(request, "portal/no_store.html", {"title": _("No store")}, status=403)
        context = {
            "title": _("Choose a store"),
            "stores": stores,
            "next": _safe_next(request, reverse("portal:home")),
            "current_id": request.session.get(SESSION_STORE),
        }
        return render(request, "portal/stores.html", context)

    def post(self, request):
        try:
            store = _store_named(request, request.POST.get("store_id"))
        except (NotFound, InvalidInput):
            raise Http404(_("No such store among yours.")) from None
        request.session[SESSION_STORE] = store.id
        target = _safe_next(request, reverse("portal:home"))
        # A page of one order belongs to the store it was opened for; after a switch, the list.
        if target.startswith(reverse("portal:orders")) and target.rstrip("/") != reverse("portal:orders").rstrip("/"):
            target = reverse("portal:orders")
        return redirect(target)
