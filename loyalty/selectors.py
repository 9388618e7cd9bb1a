"""Reads of loyalty: members of a merchant's program, the points of orders."""

from django.db.models import F, Prefetch, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from loyalty.models import LoyaltyMember, PointTransaction
from merchants.models import Merchant
from stores.models import Store
from stores.tenancy import store_required

HISTORY_LIMIT = 50


def member_search(*, merchant: Merchant, email: str = "") -> QuerySet[LoyaltyMember]:
    """The members of the merchant's program whose e-mail contains ``email``, each with its last
    HISTORY_LIMIT transactions (one more query per page)."""
    members = LoyaltyMember.objects.filter(program__merchant=merchant)
    if email:
        members = members.filter(email__icontains=email.strip())
    latest = Window(RowNumber(), partition_by=[F("member_id")], order_by=[F("created_at").desc(), F("id").desc()])
    history = (
        PointTransaction.objects.select_related("order")
        .annotate(position=latest)
        .filter(position__lte=HISTORY_LIMIT)
        .order_by("-created_at", "-id")
    )
    return members.prefetch_related(Prefetch("transactions", queryset=history)).order_by("email", "id")


def order_transactions(*, store: Store, order_id: int) -> QuerySet[PointTransaction]:
    """The transactions of one of the store's orders (its points)."""
    store_required(store)
    return (
        PointTransaction.objects.filter(order_id=order_id, order__store=store)
        .select_related("member", "order")
        .order_by("created_at", "id")
    )


def order_points(*, store: Store, order_id: int) -> int:
    return order_transactions(store=store, order_id=order_id).aggregate(total=Sum("points"))["total"] or 0
