"""Loading and generating the secrets schutznetz needs.

Read by settings.py before Django is set up, so this module imports nothing
from Django.
"""

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_VAR = "SCHUTZNETZ_SECRET_KEY"  # noqa: S105 - a variable name
FIELD_KEYS_VAR = "SCHUTZNETZ_FIELD_KEYS"
BLIND_INDEX_KEY_VAR = "SCHUTZNETZ_BLIND_INDEX_KEY"
KEY_FILE_NAME = "keys.env"


@dataclass(frozen=True)
class Keys:
    secret_key: str
    field_keys: tuple[bytes, ...]
    blind_index_key: bytes


def new_secret_key():
    return secrets.token_urlsafe(50)


def new_binary_key():
    """A fresh 256-bit key, base64-encoded for an environment file."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def generate_values():
    """Fresh values for every key variable, as (name, value) pairs."""
    return [
        (SECRET_KEY_VAR, new_secret_key()),
        (FIELD_KEYS_VAR, new_binary_key()),
        (BLIND_INDEX_KEY_VAR, new_binary_key()),
    ]


def decode_binary_key(name, text):
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(f"{name} ist kein gültiger Base64-Schlüssel.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} muss 32 Byte (256 Bit) lang sein, hat aber {len(raw)} Byte.")
    return raw


def read_env_file(path: Path):
    values = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                values[name.strip()] = value.strip()
    return values


def load_keys(environ, var_dir: Path, generate_missing: bool) -> Keys:
    """Keys from the environment; in development missing ones come from var/keys.env.

    In development (``generate_missing``) a missing key is generated once and
    kept in ``var/keys.env`` so that encrypted demo data stays readable across
    restarts. In production a missing key is an error that names the variable.
    """
    values = {name: environ.get(name, "").strip() for name, _ in generate_values()}
    missing = [name for name, value in values.items() if not value]
    if missing and generate_missing:
        key_file = var_dir / KEY_FILE_NAME
        stored = read_env_file(key_file)
        fresh = dict(generate_values())
        changed = False
        for name in missing:
            if not stored.get(name):
                stored[name] = fresh[name]
                changed = True
            values[name] = stored[name]
        if changed:
            var_dir.mkdir(parents=True, exist_ok=True)
            text = "# Entwicklungsschlüssel, beim ersten Start erzeugt. Nicht für den Betrieb.\n"
            text += "".join(f"{name}={value}\n" for name, value in stored.items())
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
    elif missing:
        raise ImproperlyConfigured(
            f"Die Umgebungsvariable {missing[0]} fehlt. "
            "Erzeugen Sie Schlüssel mit 'python manage.py generate_keys' "
            "oder starten Sie im Entwicklungsmodus mit SCHUTZNETZ_DEBUG=1."
        )
    field_keys = tuple(
        decode_binary_key(FIELD_KEYS_VAR, part) for part in values[FIELD_KEYS_VAR].split(",") if part.strip()
    )
    if not field_keys:
        raise ImproperlyConfigured(f"{FIELD_KEYS_VAR} enthält keinen Schlüssel.")
    return Keys(
        secret_key=values[SECRET_KEY_VAR],
        field_keys=field_keys,
        blind_index_key=decode_binary_key(BLIND_INDEX_KEY_VAR, values[BLIND_INDEX_KEY_VAR]),
    )
