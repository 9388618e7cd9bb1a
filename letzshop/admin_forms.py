"""Forms of the letzshop admin pages. Types and sizes only: the rules are the services' (a
service's InvalidInput names the field it refuses, and the view puts it on that field)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from letzshop.models import SYNC_INTERVAL_MAX, SYNC_INTERVAL_MIN


class CredentialsForm(forms.Form):
    """A store's Letzshop credentials. The API key is write-only: never rendered back, and
    left blank on an edit it keeps the stored key."""

    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}),
    )
    api_endpoint = forms.CharField(
        label=_("API endpoint"),
        max_length=500,
        help_text=_("Letzshop's GraphQL endpoint; leave the default unless told otherwise."),
        widget=forms.URLInput(attrs={"size": 60}),
    )
    auto_sync_enabled = forms.BooleanField(
        label=_("Auto-sync"), required=False, help_text=_("Import the store's orders on a schedule.")
    )
    sync_interval_minutes = forms.IntegerField(
        label=_("Sync interval (minutes)"),
        min_value=SYNC_INTERVAL_MIN,
        max_value=SYNC_INTERVAL_MAX,
        initial=15,
    )

    def __init__(self, *args, credentials=None, masked_key: str = "", **kwargs):
        self.credentials = credentials
        if credentials is not None:
            kwargs.setdefault(
                "initial",
                {
                    "api_endpoint": credentials.api_endpoint,
                    "auto_sync_enabled": credentials.auto_sync_enabled,
                    "sync_interval_minutes": credentials.sync_interval_minutes,
                },
            )
        else:
            kwargs.setdefault("initial", {"api_endpoint": settings.LETZSHOP_API_ENDPOINT, "sync_interval_minutes": 15})
        super().__init__(*args, **kwargs)
        self.fields["sync_interval_minutes"].help_text = _("Between %(min)d and %(max)d minutes.") % {
            "min": SYNC_INTERVAL_MIN,
            "max": SYNC_INTERVAL_MAX,
        }
        key = self.fields["api_key"]
        if credentials is None:
            key.required = True
            key.help_text = _("The key from Letzshop's merchant portal.")
        else:
            key.help_text = _("Stored key: %(masked)s. Leave blank to keep it; enter a new key to replace it.") % {
                "masked": masked_key
            }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "api_endpoint": data["api_endpoint"],
            "auto_sync_enabled": data["auto_sync_enabled"],
            "sync_interval_minutes": data["sync_interval_minutes"],
        }
        if data.get("api_key"):
            arguments["api_key"] = data["api_key"]
        return arguments


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Kept with the order (Letzshop takes no reason), e.g. out of stock."),
        widget=forms.TextInput(attrs={"size": 60, "autofocus": True}),
    )


class TrackingRowForm(forms.Form):
    """The tracking of one order (an action page shows one row per selected order)."""

    order_id = forms.IntegerField(widget=forms.HiddenInput)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=128)
    tracking_carrier = forms.CharField(
        label=_("Carrier"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "ls-carriers", "size": 16}),
    )


TrackingFormSet = forms.formset_factory(TrackingRowForm, extra=0)
