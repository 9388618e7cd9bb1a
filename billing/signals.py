"""An issued invoice is never changed nor deleted (docs/billing.md): every path that would
(the admin, a shell, a bug) meets this refusal, whatever its entry point."""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from billing.models import Invoice


class InvoiceImmutable(Exception):
    pass


@receiver(pre_save, sender=Invoice)
def invoice_never_changes(sender, instance: Invoice, raw=False, **kwargs) -> None:
    if instance.pk is not None and not raw and Invoice.objects.filter(pk=instance.pk).exists():
        raise InvoiceImmutable(f"invoice {instance.display_number} is issued: it cannot be changed")


@receiver(pre_delete, sender=Invoice)
def invoice_never_deleted(sender, instance: Invoice, **kwargs) -> None:
    raise InvoiceImmutable(f"invoice {instance.display_number} is issued: it cannot be deleted")
