"""Forms of the orders admin pages (types and sizes; the rules are the services')."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ShipRowForm(forms.Form):
    """Mark one order shipped, with the tracking it left with (all optional)."""

    order_id = forms.IntegerField(widget=forms.HiddenInput)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=128, required=False)
    tracking_url = forms.CharField(
        label=_("Tracking URL"), max_length=500, required=False, widget=forms.URLInput(attrs={"size": 40})
    )
    shipping_carrier = forms.CharField(
        label=_("Carrier"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"list": "ls-carriers", "size": 16}),
    )


ShipFormSet = forms.formset_factory(ShipRowForm, extra=0)
