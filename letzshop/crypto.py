"""Encryption of stored Letzshop API keys (Fernet through MultiFernet).

``LETZSHOP_ENCRYPTION_KEYS`` lists Fernet keys: the first encrypts, every one decrypts, so a
new key is rolled out by putting it first and running ``manage.py letzshop_rotate_keys``.
Without the variable one key is derived from ``SECRET_KEY`` with PBKDF2 (docs/security.md).
Decryption never returns ciphertext: it succeeds or raises ``CredentialsDecryptionError``.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PBKDF2_SALT = b"letzshop-order-integration/credentials/v1"
PBKDF2_ITERATIONS = 390_000
MASK = "****"


class CredentialsDecryptionError(Exception):
    """A stored key cannot be read with any configured key; the message names no secret."""


def _derived_key(secret: str) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=PBKDF2_SALT, iterations=PBKDF2_ITERATIONS)
    return base64.urlsafe_b64encode(kdf.derive(secret.encode()))


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...], secret: str) -> MultiFernet:
    if not keys:
        return MultiFernet([Fernet(_derived_key(secret))])
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.strip().encode()))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"LETZSHOP_ENCRYPTION_KEYS: key number {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with `manage.py letzshop_rotate_keys --generate`)."
            ) from None
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    keys = tuple(k for k in settings.LETZSHOP_ENCRYPTION_KEYS if k.strip())
    return _fernet_for(keys, settings.SECRET_KEY)


def encrypt_value(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt_value(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        raise CredentialsDecryptionError(
            "The stored Letzshop API key cannot be decrypted with any key in LETZSHOP_ENCRYPTION_KEYS "
            "(or the key derived from SECRET_KEY). Restore the old key in the list, or enter the API key again."
        ) from None


def rotate_value(token: str) -> str:
    """Re-encrypt with the first key; raises CredentialsDecryptionError if no key reads it."""
    try:
        return fernet().rotate(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        raise CredentialsDecryptionError(
            "A stored Letzshop API key cannot be decrypted with any configured key; it was left as it is."
        ) from None


def generate_key() -> str:
    return Fernet.generate_key().decode()


def mask_key(plain: str) -> str:
    """``letz****``: the first four characters, never more (and none of a short key)."""
    if len(plain) <= 8:
        return MASK
    return plain[:4] + MASK
