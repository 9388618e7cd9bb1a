"""A password change revokes every API token of the user (docs/security.md)."""

from django.db.models.signals import post_save


def _revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    # ``set_password`` keeps the new raw password on ``_password`` until the save completes.
    if not created and getattr(instance, "_password", None) is not None:
        from knox.models import AuthToken

        AuthToken.objects.filter(user=instance).delete()


def connect() -> None:
    from django.contrib.auth import get_user_model

    post_save.connect(
        _revoke_tokens_on_password_change, sender=get_user_model(), dispatch_uid="revoke-tokens-on-password-change"
    )
