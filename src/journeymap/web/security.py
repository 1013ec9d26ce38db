"""Passwords, tokens and CSRF: the app's secrets, none of them stored or logged in clear.

Passwords are hashed with Argon2id (argon2-cffi). Session cookies, API tokens, invite and
share links are random 256-bit tokens; the database holds only their SHA-256, so a copy
of it opens nothing. Each session has its own CSRF token, checked on every state-changing
request a browser makes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "MIN_PASSWORD",
    "check_password",
    "hash_password",
    "hash_token",
    "new_token",
    "password_problem",
    "same",
]

MIN_PASSWORD = 10

_HASHER = PasswordHasher()
# verified against when the account does not exist, so that timing tells nothing
_DUMMY = _HASHER.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (Argon2); ``None`` takes as long as a miss."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or ``None``."""
    if len(password) < MIN_PASSWORD:
        return f"use at least {MIN_PASSWORD} characters"
    if len(password) > 1000:
        return "use at most 1000 characters"
    return None


def new_token(prefix: str = "") -> str:
    """A random URL-safe token (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )
