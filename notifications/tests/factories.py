import factory
from django.utils import timezone

from notifications.models import Notification
from stores.tests.factories import StoreFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    store = factory.SubFactory(StoreFactory)
    kind = Notification.SYNC_FAILED
    level = Notification.Level.ERROR
    title = "The imports of %(store)s keep failing"
    message = "The last %(count)s imports did not complete."
    params = factory.LazyAttribute(lambda o: {"store": o.store.name if o.store else "-", "count": "3"})
    incident_key = factory.Sequence(lambda n: f"test:incident:{n}")
    last_seen_at = factory.LazyFunction(timezone.now)
    link = "/store/logs/"
    admin_link = "/admin/letzshop/letzshopsynclog/"
