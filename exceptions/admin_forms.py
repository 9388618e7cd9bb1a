"""Forms of the product exception pages (types and sizes; the rules are the services')."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ResolveForm(forms.Form):
    product_id = forms.IntegerField(
        label=_("Product"), error_messages={"required": _("Choose the product this item is.")}
    )
    apply_to_all_with_gtin = forms.BooleanField(label=_("Apply to all exceptions with this GTIN"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )


class IgnoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why this item will not be matched. An ignored exception still blocks the order's confirmation."),
        widget=forms.TextInput(attrs={"size": 60, "autofocus": True}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
