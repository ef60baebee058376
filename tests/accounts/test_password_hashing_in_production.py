"""Tests hash passwords cheaply (tests/hashers.py); production must still use full-cost Argon2id first."""

import importlib

from django.contrib.auth.hashers import get_hasher, make_password


def test_production_settings_hash_with_argon2id_first():
    production = importlib.import_module("shuangsuiji.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_production_hasher_uses_django_s_full_argon2id_cost():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("Test@pass123", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")


def test_tests_store_the_same_algorithm_only_cheaper():
    assert get_hasher().algorithm == "argon2"
    assert make_password("Test@pass123").startswith("argon2$argon2id$")
