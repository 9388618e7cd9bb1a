"""Tenancy, walked over the URL conf: a new endpoint is covered without editing this file.

- every endpoint under /api/v1/store/ is a StoreScopedViewSet (so it cannot forget scoping);
- called by a user of another store, each answers 404 (rows by id, and the store by header);
- its list never shows another store's rows;
- every endpoint under /api/v1/admin/ answers 403 to a store user;
- every endpoint answers 401 without a token.
"""

import re
from dataclasses import dataclass

import factory
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.tests.clients import api_client_for
from stores.tenancy import StoreScopedMixin

pytestmark = pytest.mark.django_db

FACTORY_MODULES = (
    "merchants.tests.factories",
    "stores.tests.factories",
    "notifications.tests.factories",
    "orders.tests.factories",
    "exceptions.tests.factories",
    "letzshop.tests.factories",
)
NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@dataclass
class Endpoint:
    regex: str  # the full path regex, e.g. ^api/v1/store/products/(?P<pk>\d+)/?$
    view: object

    @property
    def path_kwargs(self) -> list[str]:
        return NAMED_GROUP.findall(self.regex)

    @property
    def view_class(self):
        return getattr(self.view, "cls", None) or getattr(self.view, "view_class", None)

    @property
    def methods(self) -> list[str]:
        allowed = getattr(self.view_class, "http_method_names", ())
        actions = getattr(self.view, "actions", None)
        if actions:
            return sorted(m for m in actions if m in allowed)
        return sorted(m for m in ("get", "post", "patch", "put", "delete") if hasattr(self.view_class, m))

    def url(self, **values) -> str:
        text = self.regex.lstrip("^").rstrip("$").replace("/?", "/").replace("\\.", ".")
        return "/" + NAMED_GROUP.sub(lambda m: str(values[m.group(1)]), text)


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _pattern_text(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Endpoint(prefix + _pattern_text(entry.pattern), entry.callback)


def _pattern_text(pattern) -> str:
    regex = getattr(pattern, "regex", None)
    text = pattern.regex.pattern if regex is not None else str(pattern)
    return text.lstrip("^").replace("\\Z", "").rstrip("$") if not text.endswith("/?$") else text.lstrip("^")


def endpoints(prefix: str) -> list[Endpoint]:
    found = [e for e in _walk(get_resolver().url_patterns) if e.regex.lstrip("^").startswith(prefix)]
    # Suffix-format duplicates add nothing.
    return [e for e in found if "format" not in e.path_kwargs]


def _factory_for(model):
    import importlib

    for module_name in FACTORY_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, factory.django.DjangoModelFactory)
                and value._meta.model is model
            ):
                return value
    raise AssertionError(f"No factory for {model.__name__}: add one to a tests/factories.py module")


STORE_ENDPOINTS = endpoints("api/v1/store/")
ADMIN_ENDPOINTS = endpoints("api/v1/admin/")


def test_the_walk_finds_the_endpoints():
    # Guards the walk itself: if it found nothing, every test below would pass vacuously.
    assert len(STORE_ENDPOINTS) >= 2
    assert len(ADMIN_ENDPOINTS) >= 5
    assert any("products" in e.regex for e in STORE_ENDPOINTS)


@pytest.mark.parametrize("endpoint", STORE_ENDPOINTS, ids=lambda e: e.regex)
def test_every_store_endpoint_is_store_scoped(endpoint):
    assert endpoint.view_class is not None and issubclass(endpoint.view_class, StoreScopedMixin), (
        f"{endpoint.regex} is served by {endpoint.view_class}, not a StoreScopedViewSet"
    )


@pytest.mark.parametrize("endpoint", STORE_ENDPOINTS, ids=lambda e: e.regex)
def test_store_endpoints_answer_404_for_another_store(endpoint, store, store_user, other_store):
    client = api_client_for(store_user)
    view_class = endpoint.view_class
    if "pk" in endpoint.path_kwargs:
        model = view_class.tenant_model
        assert model is not None, f"{view_class.__name__} serves rows by id but declares no tenant_model"
        foreign = _factory_for(model)(store=other_store)
        url = endpoint.url(pk=foreign.pk)
        for method in endpoint.methods:
            response = getattr(client, method)(url, {}, format="json")
            assert response.status_code == 404, f"{method.upper()} {url} → {response.status_code}"
            assert str(foreign.pk) not in response.content.decode().replace(url, "")
    url = endpoint.url(pk=1)
    for method in endpoint.methods:
        response = getattr(client, method)(url, {}, format="json", HTTP_X_STORE_ID=str(other_store.pk))
        assert response.status_code == 404, f"{method.upper()} {url} as store {other_store.pk} → {response.status_code}"


@pytest.mark.parametrize(
    "endpoint",
    [e for e in STORE_ENDPOINTS if "pk" not in e.path_kwargs and "get" in e.methods],
    ids=lambda e: e.regex,
)
def test_store_lists_never_show_another_stores_rows(endpoint, store, store_user, other_store):
    model = endpoint.view_class.tenant_model
    if model is None:
        pytest.skip(f"{endpoint.view_class.__name__} serves no rows of its own")
    make = _factory_for(model)
    own = make(store=store)
    foreign = make(store=other_store)
    response = api_client_for(store_user).get(endpoint.url())
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    ids = {row["id"] for row in rows}
    assert own.pk in ids
    assert foreign.pk not in ids


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=lambda e: e.regex)
def test_admin_endpoints_answer_403_to_store_users(endpoint, store, store_user):
    client = api_client_for(store_user)
    url = endpoint.url(**{name: store.pk for name in endpoint.path_kwargs})
    for method in endpoint.methods:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 403, f"{method.upper()} {url} → {response.status_code}"


@pytest.mark.parametrize("endpoint", STORE_ENDPOINTS + ADMIN_ENDPOINTS, ids=lambda e: e.regex)
def test_every_endpoint_needs_a_token(endpoint, store):
    client = api_client_for(None)
    url = endpoint.url(**{name: store.pk for name in endpoint.path_kwargs})
    for method in endpoint.methods:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 401, f"{method.upper()} {url} → {response.status_code}"
