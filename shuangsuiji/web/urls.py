from django.urls import include, path

from . import views_accountability, views_draws, views_papers, views_planning

urlpatterns = [
    path("", include("shuangsuiji.web.urls_core")),
    path("", include("shuangsuiji.web.urls_import")),
    path("", include("shuangsuiji.web.urls_records")),
    path("", include("shuangsuiji.web.urls_help")),  # manual, first-login tour, favicon (issue 15, item 13)
    path("portal/", include("shuangsuiji.portal.urls")),
    path("plans/", views_planning.plan_list, name="plan_list"),
    path("plans/new/", views_planning.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views_planning.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/items/", views_planning.plan_item_add, name="plan_item_add"),
    path(
        "plans/<int:pk>/items/<int:item_pk>/remove/", views_planning.plan_item_remove, name="plan_item_remove"
    ),
    path("plans/<int:pk>/batches/", views_planning.plan_batch_add, name="plan_batch_add"),
    path(
        "plans/<int:pk>/batches/<int:batch_pk>/remove/",
        views_planning.plan_batch_remove,
        name="plan_batch_remove",
    ),
    path(
        "plans/<int:pk>/extra-batches-reason/",
        views_planning.plan_extra_batches_reason,
        name="plan_extra_batches_reason",
    ),
    path("plans/<int:pk>/<str:action>/", views_planning.plan_transition, name="plan_transition"),
    path("caps/", include("shuangsuiji.caps.urls")),
    path("stats/", include("shuangsuiji.stats.urls")),
    path("outbox/", include("shuangsuiji.outbox.urls")),
    path("schemes/", views_planning.scheme_list, name="scheme_list"),
    path("schemes/new/", views_planning.scheme_create, name="scheme_create"),
    path(
        "schemes/raise-problems/", views_planning.department_raise_problems, name="department_raise_problems"
    ),
    path("schemes/<int:pk>/", views_planning.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/publish/", views_planning.scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/accept/", views_planning.scheme_accept, name="scheme_accept"),
    path("schemes/<int:pk>/close/", views_planning.scheme_close, name="scheme_close"),
    path("schemes/<int:pk>/freeze/", views_draws.freeze, name="draw_freeze"),
    path("draws/<int:pk>/", views_draws.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/teams/", views_draws.draw_teams, name="draw_teams"),
    path("draws/<int:pk>/ceremony/", views_draws.ceremony, name="draw_ceremony"),
    path("draws/<int:pk>/files/<str:name>", views_draws.draw_file, name="draw_file"),
    path("draws/<int:pk>/full/<str:name>", views_draws.full_file, name="draw_full_file"),
    path("draws/<int:pk>/proof/", views_draws.firm_proof, name="draw_firm_proof"),
    path(
        "draws/<int:pk>/selections/<int:sel_pk>/substitute/",
        views_draws.substitute_object,
        name="substitute_object",
    ),
    path(
        "draws/<int:pk>/members/<int:member_pk>/substitute/",
        views_draws.substitute_member,
        name="substitute_member",
    ),
    path("draws/<int:pk>/selections/<int:sel_pk>/qr.svg", views_draws.visit_qr, name="visit_qr"),
    path("draws/<int:pk>/register/", views_draws.register_page, name="register_task"),
    path("draws/<int:pk>/register.xlsx", views_draws.register_xlsx, name="register_task_xlsx"),
    path("draws/<int:pk>/register/<int:sel_pk>/", views_draws.register_page, name="register_object"),
    path("draws/<int:pk>/register/<int:sel_pk>.xlsx", views_draws.register_xlsx, name="register_object_xlsx"),
    # The papers inspectors carry (issue 14, part 1): 检查通知书 and 检查记录表, by batch or for one object.
    path("draws/<int:pk>/papers/", views_papers.papers_page, name="papers_task"),
    path("draws/<int:pk>/papers.xlsx", views_papers.papers_xlsx, name="papers_task_xlsx"),
    path("draws/<int:pk>/papers/<int:sel_pk>/", views_papers.papers_page, name="papers_object"),
    path("draws/<int:pk>/papers/<int:sel_pk>.xlsx", views_papers.papers_xlsx, name="papers_object_xlsx"),
    path("accountability/", views_accountability.accountability_report, name="accountability_report"),
    path("accountability/report.xlsx", views_accountability.accountability_xlsx, name="accountability_xlsx"),
    path("records/<int:pk>/evidence.zip", views_accountability.evidence_pack, name="record_evidence_pack"),
]
