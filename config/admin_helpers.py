"""What every admin page of ours shares: per-object outcome reports, badges, JSON shown readably,
and the intermediate pages of actions that ask for something (a reason, a tracking number).

Admin actions call services and turn what happened to each object into an ``Outcome``; the
report groups objects that had the same outcome into one message, so selecting 200 orders gives
a few readable lines instead of 200.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ShowFacets
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

RETURN_TO = "_return_to"
# Beyond this many objects a list in a message stops being readable.
SUBJECTS_SHOWN = 25
# Actions that call Letzshop or ask for input per object refuse bigger selections.
MAX_ACTION_OBJECTS = 200


def admin_url(name: str, *args, query: str = "") -> str:
    """The URL of an admin page (``letzshop_letzshoporder_changelist``), with a query string."""
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{query}" if query else url


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


def selection_too_big(request, queryset, limit: int | None = None) -> bool:
    """True (and says so) when an action is asked for more objects than it takes at once."""
    limit = limit or MAX_ACTION_OBJECTS
    if queryset[: limit + 1].count() <= limit:
        return False
    messages.error(
        request,
        ngettext(
            "This action takes at most %(limit)d object at a time: select fewer.",
            "This action takes at most %(limit)d objects at a time: select fewer.",
            limit,
        )
        % {"limit": limit},
    )
    return True


def redirect_back(request, *, or_referer: bool = False) -> HttpResponseRedirect | None:
    """Back to the page the action was started from (an object's page), if it said so."""
    targets = [request.POST.get(RETURN_TO), request.GET.get(RETURN_TO)]
    if or_referer:
        targets.append(request.headers.get("referer"))
    for target in targets:
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(target)
    return None


def badge(text: Any, tone: str = "neutral") -> str:
    """A small coloured label; tone is one of ok, warn, error, info, neutral."""
    return format_html('<span class="ls-badge ls-badge--{}">{}</span>', tone, text)


TONES = {
    "success": "ok",
    "completed": "ok",
    "confirmed": "ok",
    "shipped": "ok",
    "delivered": "ok",
    "failed": "error",
    "rejected": "error",
    "partial": "warn",
    "pending": "warn",
    "unconfirmed": "warn",
    "running": "info",
    "processing": "info",
}


def status_badge(value: str, label) -> str:
    """A badge whose colour follows the status (completed green, failed red, pending amber...)."""
    return badge(label, TONES.get(value, "neutral")) if value else "-"


def when(value) -> str:
    """A time on two short lines (date, then time), in the site's time zone."""
    if not value:
        return "-"
    local = localtime(value)
    return format_html(
        '<span class="ls-when">{}<br>{}</span>',
        date_format(local, "SHORT_DATE_FORMAT"),
        time_format(local, "TIME_FORMAT"),
    )


def pretty_json(value: Any) -> str:
    if value in (None, "", {}, []):
        return "-"
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return format_html('<pre class="ls-json">{}</pre>', text)


def action_page(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    title: str,
    form=None,
    formset=None,
    rows: Sequence[tuple[Any, Any]] | None = None,
    intro: str = "",
    submit_label: str = "",
) -> TemplateResponse:
    """The page an action shows to ask for its input; it posts back to the same action.

    ``form`` asks once for every selected object, ``formset`` once per object (``rows`` pairs
    each object with its form)."""
    opts = modeladmin.model._meta
    for subject, row_form in rows or ():
        # One row per object under column headers: each input names its column and its object.
        for field in row_form.visible_fields():
            field.field.widget.attrs["aria-label"] = f"{field.label} ({subject})"
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "action": action,
        "objects": list(queryset),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "form": form,
        "formset": formset,
        "rows": rows,
        "intro": intro,
        "submit_label": submit_label or _("Apply"),
        "return_to": request.POST.get(RETURN_TO, ""),
        "media": modeladmin.media + form.media if form is not None else modeladmin.media,
    }
    return TemplateResponse(request, "admin/letzshop/action_form.html", context)


def form_error(form, exc) -> None:
    """Show a service's refusal (a ServiceError) on the field it names, else on the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def action_confirmed(request) -> bool:
    """The intermediate page was submitted (not the first click on the action)."""
    return request.method == "POST" and "apply" in request.POST


def per_order_form_action(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    orders: Sequence[Any],
    skipped: Sequence[Outcome],
    formset_class,
    prefix: str,
    initial: Callable[[Any], dict],
    apply: Callable[[Any, dict], None],
    done: str,
    page: dict,
):
    """An action that asks for a row of fields per order (tracking, shipping), then calls
    ``apply(order, row)`` for each (a service) and reports per order what happened.

    ``page`` holds the intermediate page's ``title``, ``intro`` and ``submit_label`` (and any
    more context for its template)."""
    from config.errors import ServiceError

    if not orders:
        outcomes_report(request, skipped)
        return redirect_back(request)
    if action_confirmed(request):
        formset = formset_class(request.POST, prefix=prefix)
        if formset.is_valid():
            by_id = {order.pk: order for order in orders}
            outcomes = list(skipped)
            for row in formset.cleaned_data:
                order = by_id.get(row.get("order_id"))
                if order is None:
                    continue
                try:
                    apply(order, row)
                except ServiceError as exc:
                    outcomes.append(error(order, exc.message))
                else:
                    outcomes.append(success(order, done))
            outcomes_report(request, outcomes)
            return redirect_back(request)
    else:
        formset = formset_class(initial=[initial(order) for order in orders], prefix=prefix)
    extra = dict(page)
    context = {key: extra.pop(key) for key in ("title", "intro", "submit_label")}
    response = action_page(
        modeladmin,
        request,
        queryset,
        action=action,
        formset=formset,
        rows=list(zip(orders, formset.forms, strict=True)),
        **context,
    )
    response.context_data.update(extra)
    return response


class ChangeListTitleMixin:
    """A change list titled by what it shows ("Fulfillment queue"), not "Select ... to change"."""

    changelist_title = None

    def changelist_view(self, request, extra_context=None):
        if self.changelist_title:
            extra_context = {"title": self.changelist_title, **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class StoreColumnMixin:
    """Lists filtered to one store leave out their store column (room for the others)."""

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if request.GET.get("store", "").isdigit():
            return [column for column in columns if column != "store"]
        return columns


class BigListMixin:
    """A list over a big table: newest first by id (the primary key's index, no sort of the
    table), no full count, no facets, and without the big columns its rows do not show."""

    ordering = ["-id"]
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    list_per_page = 100
    # Columns (JSON documents, addresses) a row of the list never shows.
    list_defer: tuple[str, ...] = ()
    # Filter parameter -> the ordering an index serves once it is applied (e.g. the store
    # filter and a (store, -created_at) index): newest first without sorting the store's rows.
    indexed_orderings: dict[str, list[str]] = {}

    def get_ordering(self, request):
        for parameter, ordering in self.indexed_orderings.items():
            if request.GET.get(parameter):
                return ordering
        return super().get_ordering(request)

    def page_annotate(self, rows: list) -> None:
        """Add to a page's rows what is counted elsewhere, in queries per page, not per row.

        A correlated subquery in the list's SELECT would be computed for every row a deep page
        skips as well (OFFSET), so counts are read once the page is known."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        model_admin, deferred = self, self.list_defer

        class BigChangeList(changelist):
            def get_queryset(self, request, exclude_parameters=None):
                queryset = super().get_queryset(request, exclude_parameters)
                return queryset.defer(*deferred) if deferred else queryset

            def get_results(self, request):
                super().get_results(request)
                # The page's ids first (an index scan, however deep the page), then its rows:
                # the joins are made for 100 rows, not for every row an OFFSET skips.
                ids = list(self.result_list.values_list("pk", flat=True))
                rows = self.queryset.order_by().filter(pk__in=ids) if ids else []
                position = {pk: index for index, pk in enumerate(ids)}
                self.result_list = sorted(rows, key=lambda row: position[row.pk])
                model_admin.page_annotate(self.result_list)

        return BigChangeList
