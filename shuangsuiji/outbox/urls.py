from django.urls import path

from . import views

urlpatterns = [
    path("", views.delivery_page, name="outbox_delivery"),
    path("<int:pk>/resend/", views.event_resend, name="outbox_event_resend"),
    path("resend-rejected/", views.rejected_resend, name="outbox_rejected_resend"),
]
