import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
application = get_wsgi_application()


def _refuse_without_keys() -> None:
    """A production server never serves with a missing or development key (gunicorn runs no system checks)."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    serious = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.is_serious()]
    if serious:
        raise ImproperlyConfigured("；".join(f"{m.id} {m.msg}" for m in serious))


_refuse_without_keys()
