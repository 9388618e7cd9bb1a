"""Tenancy, walked over the URL conf: a new endpoint is covered without editing this file.

- every endpoint under /api/v1/store/ is a StoreScopedViewSet (so it cannot forget scoping);
- called by a user of another store, each answers 404 (rows by id, and the store by header);
- its list never shows another store's rows;
- every endpoint under /api/v1/admin/ answers 403 to a store user;
- every endpoint answers 401 without a token;
- under /api/v1/admin/.../stores/{store_pk}/, a row of another store answers 404 and a list
  shows the named store's rows only;
- every page of the portal (/store/) shows the user's stores only, and a page naming a row of
  another store answers 404;
- every store-scoped selector refuses to run without its store.
"""

import importlib
import inspect
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


STORE_PK_ENDPOINTS = [
    e for e in ADMIN_ENDPOINTS if "store_pk" in e.path_kwargs and issubclass(e.view_class, StoreScopedMixin)
]


def test_the_walk_finds_the_admin_store_routes():
    assert any("pk" in e.path_kwargs for e in STORE_PK_ENDPOINTS)
    assert any("pk" not in e.path_kwargs and "get" in e.methods for e in STORE_PK_ENDPOINTS)


@pytest.mark.parametrize("endpoint", [e for e in STORE_PK_ENDPOINTS if "pk" in e.path_kwargs], ids=lambda e: e.regex)
def test_admin_store_routes_answer_404_for_a_row_of_another_store(endpoint, store, other_store, admin_user):
    foreign = _factory_for(endpoint.view_class.tenant_model)(store=other_store)
    url = endpoint.url(store_pk=store.pk, pk=foreign.pk)
    client = api_client_for(admin_user)
    for method in endpoint.methods:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 404, f"{method.upper()} {url} → {response.status_code}"


@pytest.mark.parametrize(
    "endpoint",
    [e for e in STORE_PK_ENDPOINTS if "pk" not in e.path_kwargs and "get" in e.methods and e.view_class.tenant_model],
    ids=lambda e: e.regex,
)
def test_admin_store_lists_show_the_named_stores_rows_only(endpoint, store, other_store, admin_user):
    make = _factory_for(endpoint.view_class.tenant_model)
    own, foreign = make(store=store), make(store=other_store)
    response = api_client_for(admin_user).get(endpoint.url(store_pk=store.pk))
    assert response.status_code == 200, response.content
    body = response.json()
    ids = {row["id"] for row in (body["results"] if isinstance(body, dict) and "results" in body else body)}
    assert own.pk in ids and foreign.pk not in ids


PORTAL_PAGES = [
    e
    for e in endpoints("store/")
    if e.view_class is not None and "get" in getattr(e.view_class, "http_method_names", ())
]


def test_the_walk_finds_the_portal_pages():
    assert len(PORTAL_PAGES) >= 8 and any(e.path_kwargs for e in PORTAL_PAGES)


@pytest.mark.parametrize("page", [e for e in PORTAL_PAGES if not e.path_kwargs], ids=lambda e: e.regex)
def test_portal_pages_show_the_users_stores_only(page, client, store, store_user, other_store):
    client.force_login(store_user)
    response = client.get(page.url())
    assert response.status_code in (200, 302), response.status_code
    html = response.content.decode()
    assert other_store.name not in html and f'"storeId": {other_store.pk},' not in html


@pytest.mark.parametrize("page", [e for e in PORTAL_PAGES if e.path_kwargs], ids=lambda e: e.regex)
def test_portal_pages_naming_a_row_of_another_store_answer_404(page, client, store, store_user, other_store):
    model = getattr(page.view_class, "tenant_model", None)
    assert model is not None, f"{page.view_class.__name__} names rows in its URL but declares no tenant_model"
    foreign = _factory_for(model)(store=other_store)
    client.force_login(store_user)
    response = client.get(page.url(**{name: foreign.pk for name in page.path_kwargs}))
    assert response.status_code == 404, response.status_code


def _store_scoped_selectors():
    for app in ("merchants", "stores", "notifications", "orders", "exceptions", "letzshop", "billing", "loyalty"):
        try:
            module = importlib.import_module(f"{app}.selectors")
        except ModuleNotFoundError:
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameter = inspect.signature(function).parameters.get("store")
            if parameter is None or parameter.kind is not parameter.KEYWORD_ONLY:
                continue
            # ``store: Store | None`` serves the admin's reads over every store on purpose.
            if parameter.default is parameter.empty and "None" not in str(parameter.annotation):
                yield function


STORE_SELECTORS = list(_store_scoped_selectors())
STAND_INS = {int: 1, str: "", set: set(), "set[str]": set(), "int": 1, "str": ""}


def test_the_walk_finds_the_store_scoped_selectors():
    assert len(STORE_SELECTORS) >= 10


@pytest.mark.parametrize("selector", STORE_SELECTORS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_a_store_scoped_selector_refuses_to_run_without_its_store(selector):
    others = {
        name: STAND_INS.get(parameter.annotation, STAND_INS.get(str(parameter.annotation), None))
        for name, parameter in inspect.signature(selector).parameters.items()
        if name != "store" and parameter.default is parameter.empty
    }
    with pytest.raises(TypeError, match="needs a saved Store"):
        result = selector(store=None, **others)
        list(result) if hasattr(result, "__iter__") and not isinstance(result, str | dict) else result
