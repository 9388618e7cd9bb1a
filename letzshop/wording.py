"""What a person reads about Letzshop's answers: a sentence in their language, not a status line.

The queue and the sync log keep the technical text of each failure (an operator's evidence:
"Letzshop answered HTTP 503 (an HTML error page)"). Pages show ``error_explain`` of it first,
and the text itself only behind a "details" toggle (docs/admin.md, docs/portal.md).
"""

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Letzshop's inventory unit states, in words (the admin's order page and the portal's).
UNIT_STATES = {
    "unconfirmed": _("Unconfirmed"),
    "confirmed_available": _("Confirmed"),
    "confirmed_unavailable": _("Declined"),
    "returned": _("Returned"),
}

# Who started a sync log row, when not a person (LetzshopSyncLog.TRIGGER_*).
TRIGGERS = {
    "scheduler": _("Auto-Sync"),
    "command": _("Command"),
    "queue": _("Queue"),
    "webhook": _("Webhook"),
    "test": _("Test"),
}

# First match wins: the most specific patterns come first. Each is matched against the
# technical text the client and the services write (letzshop.client.errors, services/).
_RULES: list[tuple[re.Pattern, object]] = [
    (
        re.compile(r"rate limited this operation without a break", re.I),
        _(
            "Letzshop kept asking us to slow down, so this operation was given up. "
            "Retry it once Letzshop accepts calls again."
        ),
    ),
    (
        re.compile(r"cannot be decrypted", re.I),
        _("The stored API key can no longer be read. Enter the API key again in the Letzshop settings."),
    ),
    (
        re.compile(r"refused the API key|Authentication failed|HTTP 40[13]\b|unauthori[sz]ed|forbidden", re.I),
        _(
            "Letzshop refused the API key. Check the key in the Letzshop settings "
            "(Test connection tells whether it works)."
        ),
    ),
    (
        re.compile(r"HTTP 429|rate limit", re.I),
        _("Letzshop asked us to slow down. It is tried again automatically; nothing to do."),
    ),
    (
        re.compile(r"redirect", re.I),
        _("The Letzshop endpoint points elsewhere (it redirects). Check the endpoint in the Letzshop settings."),
    ),
    (
        re.compile(r"not allowed: the endpoint|LETZSHOP_ALLOWED_HOSTS", re.I),
        _("The Letzshop endpoint is not one this platform may call. Ask a platform admin to check it."),
    ),
    (
        re.compile(r"HTTP 5\d\d|unreachable|timed? ?out|timeout|connection|failing", re.I),
        _("Letzshop could not be reached or had a problem on its side. Try again in a few minutes."),
    ),
    (
        re.compile(r"Could not map the shipment", re.I),
        _("Letzshop sent an order this platform could not read. The other orders were imported."),
    ),
    (
        re.compile(r"GraphQL errors|Unexpected answer|not JSON|without data|HTTP 4\d\d", re.I),
        _("Letzshop did not accept the request. If this happens again, an operator can read the details."),
    ),
]


def error_explain(text) -> str:
    """One sentence that says what happened and what to do, in the active language;
    "" for no error."""
    text = str(text or "").strip()
    if not text:
        return ""
    for pattern, sentence in _RULES:
        if pattern.search(text):
            return str(sentence)
    return gettext("Something went wrong while talking to Letzshop. An operator can read the details.")


def sync_log_error_text(error_details) -> str:
    """The technical text of a sync log row's ``error_details`` (a dict, or an import's list)."""
    if not error_details:
        return ""
    if isinstance(error_details, dict):
        return str(error_details.get("message") or error_details.get("error") or "")
    if isinstance(error_details, list):
        return "; ".join(
            str(entry.get("error") or entry.get("message") or "") if isinstance(entry, dict) else str(entry)
            for entry in error_details
        )
    return str(error_details)


def trigger_label(value: str, user_names: dict[int, str]) -> str:
    """Who started a sync log row: a person's name, or what started it ("Auto-Sync")."""
    value = str(value or "")
    if value.isdigit():
        return user_names.get(int(value)) or gettext("a deleted user")
    return str(TRIGGERS.get(value, value)) if value else ""
