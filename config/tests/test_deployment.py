"""The deployment settings (docs/configuration.md, docs/security.md): a published or short
SECRET_KEY refused with DEBUG off, `check --deploy` clean with the documented production
settings, a Content-Security-Policy on the admin and the portal."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    # As README's "Production" and docs/configuration.md list them.
    "ALLOWED_HOSTS": "shop.example.lu",
    "CSRF_TRUSTED_ORIGINS": "https://shop.example.lu",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (conftest.py) belongs to the test process, not to
    # a deployment: `check --deploy` rightly refuses it.
    dropped = ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "key",
    ["x", "short-but-not-empty-key", "dev-only-insecure-key-do-not-use-in-production-0123456789", "a" * 60],
)
def test_a_short_or_published_key_is_refused_with_debug_off(key):
    result = _manage("check", SECRET_KEY=key, **PRODUCTION)
    assert result.returncode != 0 and "SECRET_KEY is refused" in result.stderr


def test_make_run_makes_one_random_key_under_var_and_keeps_it(tmp_path):
    def key() -> str:
        env = {**os.environ, "VAR_DIR": str(tmp_path / "var")}
        return subprocess.run(
            [str(ROOT / "scripts/secret-key.sh")], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()

    first = key()
    assert len(first) >= 50 and key() == first
    assert (tmp_path / "var/secret_key").stat().st_mode & 0o777 == 0o600
    assert "secret-key.sh" in (ROOT / "scripts/run.sh").read_text()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/login/", "/store/login/"])
def test_the_admin_and_the_portal_allow_only_their_own_assets(url):
    policy = Client().get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "http" not in policy
