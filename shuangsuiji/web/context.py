from django.conf import settings

from shuangsuiji.accounts.scoping import has_perm, sees_all_departments


def platform(request):
    user = request.user
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "perms_ssj": {
            "edit_entities": has_perm(user, "directory.edit_entities"),
            "edit_inspectors": has_perm(user, "directory.edit_inspectors"),
            "edit_items": has_perm(user, "directory.edit_items"),
            "edit_supervision": has_perm(user, "directory.edit_supervision"),
            "import": has_perm(user, "directory.import"),
            "export": has_perm(user, "directory.export"),
            "audit": has_perm(user, "audit.view"),
            "all_departments": sees_all_departments(user),
        },
    }
