"""The admin follows the user's language, and every string of ours in it is marked for
translation (the French and German catalogues are extracted from these marks)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.utils.functional import Promise

pytestmark = pytest.mark.django_db

OUR_APPS = ("merchants", "stores", "orders", "exceptions", "letzshop")


@pytest.mark.parametrize(("language", "log_out"), [("fr", "Déconnexion"), ("de", "Abmelden"), ("en", "Log out")])
def test_the_admin_speaks_the_browsers_language(admin_client, language, log_out):
    page = admin_client.get("/admin/letzshop/letzshopstore/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}"' in page
    assert log_out in page


def test_the_language_chosen_in_the_header_stays(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'value="de"' in page
    response = admin_client.post("/i18n/setlang/", {"language": "de", "next": "/admin/"})
    assert response["Location"] == "/admin/"
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="de"' in page and "Abmelden" in page


def _untranslated_words(source: str) -> list[str]:
    """Words of a template's text that no translate tag covers."""
    source = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%\s*block bodyclass\s*%}.*?{%\s*endblock\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', source)
    text = " ".join([re.sub(r"<[^>]*>", " ", source), *attributes])
    text = re.sub(r"&\w+;|&#\d+;", " ", text)
    return re.findall(r"[A-Za-z]{2,}", text)


def test_every_text_of_our_admin_templates_is_marked_for_translation():
    templates = sorted((Path(settings.BASE_DIR) / "templates" / "admin").rglob("*.html"))
    assert templates
    found = {str(path.relative_to(settings.BASE_DIR)): _untranslated_words(path.read_text()) for path in templates}
    assert {path: words for path, words in found.items() if words} == {}


def test_the_checker_sees_a_forgotten_string():
    assert _untranslated_words('<p title="Hello">{% translate "Fine" %} Forgotten</p>') == ["Forgotten", "Hello"]


def test_every_column_action_and_title_of_our_admin_is_translatable():
    loose = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        for column in model_admin.list_display:
            function = getattr(model_admin, column, None) if isinstance(column, str) else column
            description = getattr(function, "short_description", None)
            if description and not isinstance(description, Promise):
                loose.append(f"{model.__name__}.{column}")
        for name, (_function, _name, description) in model_admin.get_actions(_admin_request()).items():
            if name != "delete_selected" and not isinstance(description, Promise):
                loose.append(f"{model.__name__} action {name}")
        title = getattr(model_admin, "changelist_title", None)
        if title and not isinstance(title, Promise):
            loose.append(f"{model.__name__}.changelist_title")
    assert loose == []


def _admin_request():
    from django.test import RequestFactory

    from stores.tests.factories import UserFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True, username="i18n-admin")
    return request
