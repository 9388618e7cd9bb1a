"""The French and German catalogs are complete and compiled, and requests follow the language."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from config.tests.clients import api_client_for

CATALOGS = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po"))


def test_both_languages_have_both_catalogs():
    assert {f"{p.parts[-3]}/{p.name}" for p in CATALOGS} == {
        "fr/django.po",
        "fr/djangojs.po",
        "de/django.po",
        "de/djangojs.po",
    }


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_catalog_is_complete_valid_and_compiled(catalog):
    untranslated = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", str(catalog)], capture_output=True)
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", "--no-obsolete", str(catalog)], capture_output=True)
    assert untranslated.stdout.count(b"\nmsgid ") == 0, untranslated.stdout.decode()[:2000]
    assert fuzzy.stdout.count(b"\nmsgid ") == 0, fuzzy.stdout.decode()[:2000]
    compiled = subprocess.run(
        ["msgfmt", "--check-format", "-o", "-", str(catalog)], capture_output=True, check=True
    ).stdout
    assert catalog.with_suffix(".mo").read_bytes() == compiled, "run `make messages` to compile it"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, words",
    [("en", "unresolved exception"), ("fr", "anomalie(s) non résolue(s)"), ("de", "ungelöste Abweichung")],
)
def test_api_errors_follow_the_requested_language(store, store_user, language, words):
    from exceptions.tests.factories import OrderItemExceptionFactory
    from letzshop.tests.factories import LetzshopOrderFactory

    order = LetzshopOrderFactory(store=store)
    OrderItemExceptionFactory(store=store, order=order.local_order)
    response = api_client_for(store_user).post(
        f"/api/v1/store/letzshop/orders/{order.pk}/confirm", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 409
    assert words in response.json()["detail"]
