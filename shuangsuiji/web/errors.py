"""Error pages in Chinese, in the site's frame (issue 15, item 10): 400/403/404 through Django's handlers with our
templates and the request's context (menu, user); 500 and a CSRF failure rendered here."""

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    # No request context: its processors query the database, which may be the very thing that failed.
    body = loader.get_template(template_name).render({"PLATFORM_NAME": settings.PLATFORM_NAME})
    return HttpResponseServerError(body)


def csrf_failure(request, reason: str = ""):
    """A form sent from an expired or foreign page: Django's own page is English and shows its internals."""
    body = loader.get_template("403.html").render(
        {"exception": "页面已过期或来源不明，提交未被接受。请刷新页面后重新提交。"}, request
    )
    return HttpResponseForbidden(body)
