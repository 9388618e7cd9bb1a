"""What every admin page of ours shares, by concern: outcome reports (``outcomes``), how
values are shown (``display``), action pages (``actions``) and change lists (``changelist``)."""

from config.admin_helpers.actions import (
    MAX_ACTION_OBJECTS,
    RETURN_TO,
    action_confirmed,
    action_page,
    admin_url,
    form_error,
    per_order_form_action,
    redirect_back,
    selection_too_big,
)
from config.admin_helpers.changelist import BigListMixin, ChangeListTitleMixin, StoreColumnMixin
from config.admin_helpers.display import TONES, address_block, badge, money, pretty_json, problem, status_badge, when
from config.admin_helpers.outcomes import SUBJECTS_SHOWN, Outcome, error, outcomes_report, success, warning

__all__ = [
    "MAX_ACTION_OBJECTS",
    "RETURN_TO",
    "SUBJECTS_SHOWN",
    "TONES",
    "BigListMixin",
    "ChangeListTitleMixin",
    "Outcome",
    "StoreColumnMixin",
    "action_confirmed",
    "action_page",
    "address_block",
    "admin_url",
    "badge",
    "error",
    "form_error",
    "money",
    "outcomes_report",
    "per_order_form_action",
    "pretty_json",
    "problem",
    "redirect_back",
    "selection_too_big",
    "status_badge",
    "success",
    "warning",
    "when",
]
