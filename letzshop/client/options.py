"""The client's settings: Django's when Django is configured, else the defaults."""

import os
from typing import Any


def setting(name: str, default: Any) -> Any:
    """A Django setting when Django is configured, else ``default``: the client also runs in
    plain scripts (benchmarks, the sandbox's own checks)."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        return default
    try:
        if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
            return default
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default
