from django.urls import path

from shuangsuiji.caps import views as caps
from shuangsuiji.stats import views as stats

from . import results, verify, views
from .verifier import views as verifier

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("items/", views.item_list, name="items"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("caps/", caps.public_caps, name="caps"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("draws/<int:pk>/files/<str:name>", views.draw_file, name="draw_file"),
    path("results/", results.result_search, name="results"),
    path("stats/", stats.portal_stats, name="stats"),
    path("verify/", verify.verify_form, name="verify_form"),
    path("verify/<str:code>", verify.verify, name="verify"),
    path("verifier/", verifier.verifier, name="verifier"),
    path("verifier/verify_draw.py", verifier.verifier_script, name="verifier_script"),
    path("verifier/<str:filename>", verifier.verifier_wheel, name="verifier_wheel"),
]
