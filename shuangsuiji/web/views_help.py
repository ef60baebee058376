"""The user manual inside the platform, the first-login tour's dismissal and /favicon.ico (issue 15, item 13)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from shuangsuiji.accounts.services import tour_dismiss

from .help import render_manual

FAVICON = Path(__file__).resolve().parent / "static" / "ssj" / "favicon.svg"


@require_GET
@login_required
def help_page(request):
    body, toc, _anchors = render_manual()
    return render(request, "web/help.html", {"manual": body, "toc": toc})


@require_POST
@login_required
def tour_dismiss_view(request):
    tour_dismiss(actor=request.user)
    return redirect("home")


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says: answer with the site's icon (SVG).
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
