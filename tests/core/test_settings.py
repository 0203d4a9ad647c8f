"""Production settings refuse to start when misconfigured; local ones explain what is missing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(module, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env=clean,
                          capture_output=True, text=True)


def test_production_refuses_debug():
    result = _import_settings("ancile.settings.production", DJANGO_DEBUG="true",
                              DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="ancile.events")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be false" in result.stderr


def test_production_refuses_a_missing_secret():
    result = _import_settings("ancile.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_weak_secret():
    result = _import_settings("ancile.settings.production", DJANGO_SECRET_KEY="short",
                              DJANGO_ALLOWED_HOSTS="ancile.events")
    assert "at least 40 characters" in result.stderr


def test_production_starts_when_configured():
    result = _import_settings(
        "ancile.settings.production", DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="ancile.events,.ancile.events", DJANGO_EMAIL_HOST="smtp.example",
        DJANGO_DEFAULT_FROM_EMAIL="rooms@ancile.events", ANCILE_DOMAIN="ancile.events",
        **REAL_STRIPE)
    assert result.returncode == 0, result.stderr


def test_production_asks_for_the_domain_group_sites_hang_off():
    result = _import_settings(
        "ancile.settings.production", DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="ancile.events", DJANGO_EMAIL_HOST="smtp.example",
        DJANGO_DEFAULT_FROM_EMAIL="rooms@ancile.events", ANCILE_DOMAIN="", **REAL_STRIPE)
    assert "ANCILE_DOMAIN" in result.stderr


REAL_STRIPE = dict(STRIPE_SECRET_KEY="sk_live_" + "a" * 24, STRIPE_WEBHOOK_SECRET="whsec_x",
                   STRIPE_API_BASE="")


def test_production_refuses_the_fake_stripe():
    configured = dict(DJANGO_SECRET_KEY="k" * 50, DJANGO_ALLOWED_HOSTS="ancile.events",
                      DJANGO_EMAIL_HOST="smtp.example", DJANGO_DEFAULT_FROM_EMAIL="a@b.c",
                      ANCILE_DOMAIN="ancile.events")
    result = _import_settings("ancile.settings.production", **configured,
                              **{**REAL_STRIPE, "STRIPE_SECRET_KEY": "sk_test_ancile_fake"})
    assert "must be a real Stripe secret key" in result.stderr
    result = _import_settings("ancile.settings.production", **configured,
                              **{**REAL_STRIPE, "STRIPE_API_BASE": "http://127.0.0.1:12111"})
    assert "STRIPE_API_BASE points at a fake Stripe" in result.stderr


def test_the_image_build_can_load_production_settings():
    """docker/Dockerfile runs collectstatic under the production settings with build-only
    values; with exactly those, the settings must load (or the image does not build)."""
    import re
    import shlex

    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    step = re.search(r"RUN (DJANGO_SECRET_KEY=.*?manage.py collectstatic)", dockerfile,
                     re.S).group(1)
    build_env = dict(word.split("=", 1) for word in shlex.split(step.replace("\\\n", " "))
                     if "=" in word and word.split("=", 1)[0].isupper())
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **build_env}
    result = subprocess.run([sys.executable, "-c", "import ancile.settings.production"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
