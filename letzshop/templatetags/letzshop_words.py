"""Letzshop's codes and answers in words, for the admin's templates (letzshop.wording)."""

from django import template

from config.admin_helpers import problem
from letzshop.wording import UNIT_STATES, error_explain, sync_log_error_text

register = template.Library()


@register.filter
def unit_state(value: str) -> str:
    """An inventory unit's state in the active language ("Declined", not confirmed_unavailable)."""
    return str(UNIT_STATES.get(value, value or "-"))


@register.filter
def explained(text: str) -> str:
    """A stored failure: the sentence, the technical text behind "Details"."""
    return problem(error_explain(text), text) if text else ""


@register.filter
def log_explained(error_details) -> str:
    """A sync log row's failure (its ``error_details``), explained."""
    text = sync_log_error_text(error_details)
    return problem(error_explain(text), text) if text else ""
