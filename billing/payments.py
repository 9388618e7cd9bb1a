"""Where a payment provider plugs in (docs/billing.md). The platform has none yet.

An invoice is issued by ``billing.services.subscription_period_close``; once its transaction is
committed, ``invoice_issued`` is called with its id. A provider (Stripe, a bank's direct debit)
goes here: it charges the invoice, records the provider's reference and, when it is told the
payment failed, sets the merchant's subscription ``past_due`` through
``billing.services.subscription_set``. ``BILLING_PAYMENT_PROVIDER`` names the function (a dotted
path) that receives the invoice; empty, invoices are paid outside the platform.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def invoice_issued(*, invoice_id: int) -> None:
    path = getattr(settings, "BILLING_PAYMENT_PROVIDER", "")
    if not path:
        logger.info("invoice %s issued; no payment provider is configured", invoice_id)
        return
    from billing.models import Invoice

    import_string(path)(invoice=Invoice.objects.get(pk=invoice_id))
