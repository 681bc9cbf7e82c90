"""Field encryption (AES-256-GCM) and keyed blind indexes (HMAC-SHA256).

A stored value looks like ``v1:<key id>:<base64(nonce || ciphertext || tag)>``.
The key id lets several keys live side by side during a rotation. The
associated data binds a ciphertext to its table and column, so a value copied
into another column does not decrypt.
"""

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"


class DecryptionError(Exception):
    pass


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"schutznetz-key-id" + key).hexdigest()[:8]


@cache
def _keyring(keys: tuple[bytes, ...]):
    return {key_id(key): AESGCM(key) for key in keys}


def active_key_id() -> str:
    return key_id(settings.SCHUTZNETZ_FIELD_KEYS[0])


def encrypt(plaintext: str, context: str) -> str:
    keys = settings.SCHUTZNETZ_FIELD_KEYS
    kid = key_id(keys[0])
    nonce = os.urandom(12)
    sealed = _keyring(tuple(keys))[kid].encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def stored_key_id(token: str) -> str | None:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def decrypt(token: str, context: str) -> str:
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("Wert ist nicht verschlüsselt gespeichert.")
    _, kid, payload = parts
    cipher = _keyring(tuple(settings.SCHUTZNETZ_FIELD_KEYS)).get(kid)
    if cipher is None:
        raise DecryptionError(f"Schlüssel {kid} ist nicht konfiguriert (SCHUTZNETZ_FIELD_KEYS).")
    raw = base64.b64decode(payload)
    try:
        return cipher.decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError(
            "Wert lässt sich nicht entschlüsseln (verändert oder falscher Kontext)."
        ) from exc


_UMLAUTS = str.maketrans({"ß": "ss", "ä": "a", "ö": "o", "ü": "u", "æ": "ae", "ø": "o", "œ": "oe"})
# "ue", "ae", "oe" are how umlauts are written without them ("Mueller"), and
# people drop the e as well ("Ludenscheidt"): all three spellings fold to one.
# Runs of e fold together ("aee" → "a"), so that normalising twice changes nothing.
_DIGRAPHS = re.compile(r"([aou])e+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_identity(*parts: str) -> str:
    """A canonical spelling of a name (and optionally a date) for matching.

    Case, ß/ss, umlauts written as ä or ae or a, other diacritics, hyphens,
    commas, extra spaces and the order of the name parts do not matter.
    """
    text = " ".join(str(part) for part in parts if part).lower().translate(_UMLAUTS)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _DIGRAPHS.sub(r"\1", text)
    tokens = [token for token in _NON_ALNUM.split(text) if token]
    return " ".join(sorted(tokens))


def blind_index(*parts: str, purpose: str = "identity") -> str:
    """Keyed HMAC-SHA256 of the normalised identity: comparable, not reversible."""
    message = f"{purpose}\x00{normalise_identity(*parts)}".encode()
    return hmac.new(settings.SCHUTZNETZ_BLIND_INDEX_KEY, message, hashlib.sha256).hexdigest()
