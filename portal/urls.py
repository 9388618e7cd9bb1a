from django.urls import path
from django.views.i18n import JavaScriptCatalog

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("stores/", views.StoreChoiceView.as_view(), name="stores"),
    path("letzshop/", views.SettingsView.as_view(), name="settings"),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("orders/<int:order_id>/", views.OrderDetailView.as_view(), name="order"),
    path("orders/local/<int:order_id>/", views.LocalOrderView.as_view(), name="local-order"),
    path("exceptions/", views.ExceptionListView.as_view(), name="exceptions"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("logs/", views.SyncLogView.as_view(), name="logs"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("plan/", views.PlanView.as_view(), name="plan"),
    path("loyalty/", views.LoyaltyView.as_view(), name="loyalty"),
    # The strings of the portal's scripts, in the active language.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="jsi18n"),
]
