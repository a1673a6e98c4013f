"""Encryption at rest and keyed hashing for CPR numbers.

The keys come from settings (the environment), never from the database. CPR
numbers are encrypted with Fernet (AES-128-CBC with HMAC-SHA256); a
``MultiFernet`` over ``settings.CPR_KEYS`` encrypts with the first key and
decrypts with any, which is how a key is rotated. Look-ups use an HMAC of the
number, so a stolen database gives neither the numbers nor a way to test
guesses without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "HELHED_CPR_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.CPR_KEYS))


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A CPR number could not be decrypted with any key in HELHED_CPR_KEYS"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the current primary key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A CPR number could not be decrypted with any key in HELHED_CPR_KEYS"
        ) from exc


def keyed_hash(value: str, purpose: str = "cpr") -> str:
    """HMAC-SHA256 of ``value``; ``purpose`` separates look-up hashes from pseudonyms."""
    key = f"{purpose}:{settings.PSEUDONYM_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
