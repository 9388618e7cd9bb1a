from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from config.errors import Conflict
from merchants.models import Merchant

MERCHANT_FIELDS = ("name", "email", "is_active")


def merchant_create(*, name: str, email: str = "", is_active: bool = True) -> Merchant:
    return Merchant.objects.create(name=name, email=email, is_active=is_active)


def merchant_update(*, merchant: Merchant, data: dict[str, Any]) -> Merchant:
    for name in MERCHANT_FIELDS:
        if name in data:
            setattr(merchant, name, data[name])
    merchant.save()
    return merchant


@transaction.atomic
def merchant_delete(*, merchant: Merchant) -> None:
    if merchant.stores.exists():
        raise Conflict(gettext("This merchant still has stores: delete or move them first."))
    merchant.delete()
