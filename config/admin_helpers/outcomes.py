"""Per-object outcome reports of admin actions.

Admin actions call services and turn what happened to each object into an ``Outcome``; the
report groups objects that had the same outcome into one message, so selecting 200 orders gives
a few readable lines instead of 200.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Beyond this many objects a list in a message stops being readable.
SUBJECTS_SHOWN = 25


@dataclass(frozen=True)
class Outcome:
    level: int  # django.contrib.messages level
    text: str  # what happened, translated ("confirmation queued")
    subject: str  # to what ("R532332163")


def success(subject: Any, text: str) -> Outcome:
    return Outcome(messages.SUCCESS, text, str(subject))


def warning(subject: Any, text: str) -> Outcome:
    return Outcome(messages.WARNING, text, str(subject))


def error(subject: Any, text: str) -> Outcome:
    return Outcome(messages.ERROR, text, str(subject))


def outcomes_report(request, outcomes: Iterable[Outcome]) -> None:
    """One message per distinct outcome, naming the objects it happened to."""
    grouped: dict[tuple[int, str], list[str]] = {}
    for outcome in outcomes:
        grouped.setdefault((outcome.level, outcome.text), []).append(outcome.subject)
    for (level, text), subjects in sorted(grouped.items(), key=lambda entry: -entry[0][0]):
        shown = ", ".join(subjects[:SUBJECTS_SHOWN])
        hidden = len(subjects) - SUBJECTS_SHOWN
        if hidden > 0:
            shown += " " + ngettext("and %(count)d more", "and %(count)d more", hidden) % {"count": hidden}
        messages.add_message(request, level, _("%(subjects)s: %(outcome)s") % {"subjects": shown, "outcome": text})
