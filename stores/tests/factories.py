import factory
from django.contrib.auth import get_user_model

from merchants.tests.factories import MerchantFactory
from stores.gtin import gs1_check_digit
from stores.models import Product, Store, StoreDomain, StoreMembership


def make_gtin13(n: int) -> str:
    body = f"400{n:09d}"
    return body + str(gs1_check_digit(body))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.lu")
    password = factory.django.Password("secret-pass-123")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    code = factory.Sequence(lambda n: f"store-{n}")


class StoreDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreDomain

    store = factory.SubFactory(StoreFactory)
    domain = factory.Sequence(lambda n: f"shop{n}.example.lu")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreMembership

    user = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)
    role = StoreMembership.Role.OWNER


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    gtin = factory.Sequence(make_gtin13)
    gtin_normalized = factory.LazyAttribute(lambda o: o.gtin.zfill(14) if o.gtin else "")
    gtin_type = "gtin13"
    price = factory.Faker("pydecimal", left_digits=3, right_digits=2, positive=True)
