"""Throttles whose rate is a setting, read at each request (docs/security.md)."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class SettingRateThrottle(UserRateThrottle):
    """Per user (per address for anonymous calls), at the rate the setting ``rate_setting``
    names, such as ``"10/minute"``. The counts live in Django's cache."""

    rate_setting = ""

    def __init__(self):
        # The rate is read per request, so that a changed setting applies at once.
        pass

    def allow_request(self, request, view):
        self.rate = getattr(settings, self.rate_setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class CredentialsChangeThrottle(SettingRateThrottle):
    """Saving, deleting and testing Letzshop keys: each call reaches Letzshop or changes how the
    store reaches it."""

    scope = "letzshop-credentials"
    rate_setting = "LETZSHOP_CREDENTIALS_THROTTLE_RATE"
