from django.urls import path

from . import views

urlpatterns = [
    path("", views.delivery_page, name="outbox_delivery"),
    path("<int:pk>/resend/", views.event_resend, name="outbox_event_resend"),
    path("resend-rejected/", views.rejected_resend, name="outbox_rejected_resend"),
    path("batches/<int:pk>/download/", views.batch_download, name="outbox_batch_download"),
    path("batches/<int:pk>/uploaded/", views.batch_uploaded, name="outbox_batch_uploaded"),
    path("batches/<int:pk>/returned/", views.batch_returned, name="outbox_batch_returned"),
]
