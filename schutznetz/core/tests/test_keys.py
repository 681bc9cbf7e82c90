"""Keys come from the environment; development generates them once; production refuses to guess."""

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from schutznetz.core import keys

REPO = Path(__file__).resolve().parents[3]


def clean_env(tmp_path, **extra):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "SCHUTZNETZ_VAR_DIR": str(tmp_path / "var"),
    }
    env.update(extra)
    return env


def manage(tmp_path, *args, **extra):
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=clean_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def generated():
    return dict(keys.generate_values())


@pytest.mark.parametrize("missing", [keys.SECRET_KEY_VAR, keys.FIELD_KEYS_VAR, keys.BLIND_INDEX_KEY_VAR])
def test_production_start_without_a_key_names_the_variable(tmp_path, missing):
    values = generated()
    del values[missing]
    result = manage(tmp_path, "check", SCHUTZNETZ_DEBUG="0", SCHUTZNETZ_ALLOWED_HOSTS="example.org", **values)
    assert result.returncode != 0
    assert f"Die Umgebungsvariable {missing} fehlt" in result.stderr
    # Nothing was generated behind the operator's back.
    assert not (tmp_path / "var" / keys.KEY_FILE_NAME).exists()


def test_load_keys_in_production_raises_for_missing_key(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=keys.SECRET_KEY_VAR):
        keys.load_keys({}, tmp_path, generate_missing=False)


def test_invalid_field_key_is_refused_with_its_name(tmp_path):
    values = generated()
    values[keys.FIELD_KEYS_VAR] = base64.urlsafe_b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured, match=keys.FIELD_KEYS_VAR):
        keys.load_keys(values, tmp_path, generate_missing=False)


def test_development_generates_keys_once_and_reuses_them(tmp_path):
    first = keys.load_keys({}, tmp_path, generate_missing=True)
    key_file = tmp_path / keys.KEY_FILE_NAME
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_text()
    second = keys.load_keys({}, tmp_path, generate_missing=True)
    assert second == first
    assert key_file.read_text() == content
    assert len(first.field_keys) == 1 and len(first.field_keys[0]) == 32
    assert len(first.blind_index_key) == 32


def test_environment_wins_over_generated_file(tmp_path):
    keys.load_keys({}, tmp_path, generate_missing=True)
    values = generated()
    loaded = keys.load_keys(values, tmp_path, generate_missing=True)
    assert loaded.secret_key == values[keys.SECRET_KEY_VAR]


def test_several_field_keys_first_is_active(tmp_path):
    values = generated()
    old = keys.new_binary_key()
    values[keys.FIELD_KEYS_VAR] = f"{values[keys.FIELD_KEYS_VAR]}, {old}"
    loaded = keys.load_keys(values, tmp_path, generate_missing=False)
    assert len(loaded.field_keys) == 2
    assert loaded.field_keys[1] == base64.urlsafe_b64decode(old)


def test_development_start_generates_key_file(tmp_path):
    result = manage(tmp_path, "check", SCHUTZNETZ_DEBUG="1")
    assert result.returncode == 0, result.stderr
    stored = keys.read_env_file(tmp_path / "var" / keys.KEY_FILE_NAME)
    assert set(stored) == {keys.SECRET_KEY_VAR, keys.FIELD_KEYS_VAR, keys.BLIND_INDEX_KEY_VAR}
    again = manage(tmp_path, "check", SCHUTZNETZ_DEBUG="1")
    assert again.returncode == 0
    assert keys.read_env_file(tmp_path / "var" / keys.KEY_FILE_NAME) == stored


def test_generate_keys_prints_three_valid_lines(tmp_path):
    # Works without any key configured: it is what an operator runs first.
    result = manage(tmp_path, "generate_keys", SCHUTZNETZ_DEBUG="0")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    values = dict(line.split("=", 1) for line in lines)
    assert list(values) == [keys.SECRET_KEY_VAR, keys.FIELD_KEYS_VAR, keys.BLIND_INDEX_KEY_VAR]
    loaded = keys.load_keys(values, tmp_path, generate_missing=False)
    assert len(loaded.secret_key) >= 50
    assert loaded.field_keys[0] != loaded.blind_index_key
    second = dict(
        line.split("=", 1) for line in manage(tmp_path, "generate_keys").stdout.strip().splitlines()
    )
    assert set(second.values()).isdisjoint(values.values())


def test_check_deploy_passes_without_warnings_under_production_settings(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SCHUTZNETZ_DEBUG="0",
        SCHUTZNETZ_ALLOWED_HOSTS="example.org",
        SCHUTZNETZ_NEUTRAL_EMAIL_FROM="Terminerinnerung <noreply@example.org>",
        **generated(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


PRODUCTION_COOKIES = """
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory

def view(request):
    get_token(request)
    return HttpResponse()

print(CsrfViewMiddleware(view)(RequestFactory().get("/", secure=True)).cookies.output())
print("session", settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_PATH,
      settings.SESSION_COOKIE_DOMAIN, settings.SESSION_COOKIE_HTTPONLY)
"""


def test_production_cookies_are_host_only_secure_cookies(tmp_path):
    """``__Host-`` names: browsers take them only over HTTPS, for exactly this host and path "/", so
    no other host under the county's domain can plant a session or CSRF cookie."""
    result = manage(
        tmp_path, "shell", "-c", PRODUCTION_COOKIES, SCHUTZNETZ_DEBUG="0",
        SCHUTZNETZ_ALLOWED_HOSTS="testserver", **generated(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    csrf, session = result.stdout.strip().splitlines()[-2:]
    assert csrf.startswith("Set-Cookie: __Host-csrftoken=")
    attributes = {part.strip().split("=")[0].lower() for part in csrf.split(";")[1:]}
    assert {"secure", "path"} <= attributes and "domain" not in attributes
    assert "Path=/;" in csrf + ";"
    assert session == "session __Host-sessionid True / None True"
    development = manage(tmp_path, "shell", "-c", PRODUCTION_COOKIES, SCHUTZNETZ_DEBUG="1")
    assert "Set-Cookie: csrftoken=" in development.stdout  # plain HTTP on a developer's machine
