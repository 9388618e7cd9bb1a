"""Filters every admin template has without ``{% load %}`` (TEMPLATES' ``builtins``)."""

from django import template

from config.admin_helpers.display import status_tone

register = template.Library()
register.filter("status_tone", status_tone)
