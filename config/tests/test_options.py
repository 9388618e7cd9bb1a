"""OPTIONS on every API endpoint answers, never 500 (a viewset without a serializer used to)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _api_paths(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$").replace("/?", "/").replace("\\.", ".")
        if isinstance(pattern, URLResolver):
            yield from _api_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and (prefix + route).startswith("api/v1/"):
            yield "/" + prefix + route


def _concrete(path: str, store_id: int) -> str:
    import re

    path = re.sub(r"\(\?P<store_pk>[^)]*\)", str(store_id), path)
    path = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "1", path)
    return path.replace("\\", "")


def test_options_answers_on_every_api_endpoint(admin_api, store_api, store):
    paths = sorted({_concrete(path, store.pk) for path in _api_paths() if "(?P<format>" not in path})
    assert len(paths) > 30
    failures = []
    for path in paths:
        client = admin_api if path.startswith("/api/v1/admin/") else store_api
        response = client.options(path)
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
    assert not failures, failures
