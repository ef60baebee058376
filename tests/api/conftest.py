"""Helpers for the API tests: JSON calls through django.test.Client, with a session or a token."""

import json

import pytest
from django.test import Client

from shuangsuiji.accounts.models import ApiToken
from tests.conftest import login

API = "/api/v1"


class ApiClient:
    """A django.test.Client that speaks JSON to /api/v1, as a browser session or with `Authorization: Token …`."""

    def __init__(self, user=None, token: str | None = None, **client_kwargs):
        self.client = Client(**client_kwargs)
        self.headers = {}
        if user is not None:
            login(self.client, user)
        if token is not None:
            self.headers["Authorization"] = f"Token {token}"

    def _call(self, method: str, path: str, data=None, **params):
        url = path if path.startswith("/api/") else API + path
        fn = getattr(self.client, method)
        if method == "get":
            return fn(url, data or params, headers=self.headers)
        body = json.dumps(data if data is not None else {}, ensure_ascii=False)
        return fn(url, body, content_type="application/json", headers=self.headers)

    def get(self, path, data=None, **params):
        return self._call("get", path, data, **params)

    def post(self, path, data=None):
        return self._call("post", path, data)

    def patch(self, path, data=None):
        return self._call("patch", path, data)

    def put(self, path, data=None):
        return self._call("put", path, data)


def token_for(user, name: str = "测试") -> str:
    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, name=name, prefix=key[4:12], key_hash=ApiToken.hash_key(key))
    return key


@pytest.fixture
def as_user():
    def make(user):
        return ApiClient(user)

    return make


@pytest.fixture
def anon():
    return ApiClient()
