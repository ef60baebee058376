"""/portal/verifier/: what the verifiers are, how to install and run them, and the two downloads. GET only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .wheel import wheel

SCRIPT_NAME = "verify_draw.py"
SCRIPT_PATH = Path(__file__).resolve().parent / SCRIPT_NAME


@dataclass(frozen=True)
class Script:
    content: bytes
    sha256: str


@cache
def script() -> Script:
    content = SCRIPT_PATH.read_bytes()
    return Script(content, hashlib.sha256(content).hexdigest())


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    response["Content-Length"] = str(len(content))
    return response


@require_GET
def verifier(request):
    w, s = wheel(), script()
    wheel_url = request.build_absolute_uri(reverse("portal:verifier_wheel", args=[w.filename]))
    script_url = request.build_absolute_uri(reverse("portal:verifier_script"))
    return render(
        request,
        "portal/verifier.html",
        {
            "wheel": w,
            "wheel_url": wheel_url,
            "wheel_size": len(w.content),
            "script": s,
            "script_name": SCRIPT_NAME,
            "script_url": script_url,
            "script_size": len(s.content),
        },
    )


@require_GET
def verifier_wheel(request, filename: str):
    w = wheel()
    if filename != w.filename:  # another version's name: this portal serves only the wheel of its own sources
        raise Http404
    return _download(w.content, "application/zip", w.filename)


@require_GET
def verifier_script(request):
    return _download(script().content, "text/x-python; charset=utf-8", SCRIPT_NAME)
