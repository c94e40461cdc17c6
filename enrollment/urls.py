from django.urls import path

from enrollment import views
from enrollment.continuation import urls as continuation_urls
from enrollment.maintenance import urls as maintenance_urls

app_name = "enrollment"

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("enrollment/new/", views.new_enrollment, name="new_enrollment"),
    path("enrollment/new/<int:draft_id>/subscriber/", views.enrollment_subscriber, name="enrollment_subscriber"),
    path("enrollment/new/<int:draft_id>/plan/", views.enrollment_plan, name="enrollment_plan"),
    path("enrollment/new/<int:draft_id>/dependents/", views.enrollment_dependents, name="enrollment_dependents"),
    path("enrollment/new/<int:draft_id>/summary/", views.enrollment_summary, name="enrollment_summary"),
    path("enrollment/new/<int:draft_id>/confirm/", views.enrollment_confirm, name="enrollment_confirm"),
    path("enrollment/new/<int:draft_id>/discard/", views.enrollment_discard, name="enrollment_discard"),
    path("enrollment/new/<int:draft_id>/confirmation/", views.enrollment_confirmation, name="enrollment_confirmation"),
    path("requests/", views.track_requests, name="track_requests"),
    path("requests/<confirmation:number>/", views.request_detail, name="request_detail"),
    path("requests/<confirmation:number>/print/", views.request_print, name="request_print"),
]
urlpatterns += maintenance_urls.urlpatterns  # roster maintenance: the subscriber page, changes, ID Cards
urlpatterns += continuation_urls.urlpatterns  # COBRA or state continuation: the COBRA roster, elections, ends
