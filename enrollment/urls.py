from django.urls import path

from enrollment import oe_views, views
from enrollment.continuation import urls as continuation_urls
from enrollment.maintenance import urls as maintenance_urls

app_name = "enrollment"

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("roster/csv/", views.roster_csv, name="roster_csv"),
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
    # Open Enrollment
    path("open-enrollment/", oe_views.search, name="open_enrollment"),
    path("open-enrollment/progress/", oe_views.progress, name="oe_progress"),
    path("open-enrollment/progress/not-acted-on.csv", oe_views.not_acted_on_csv, name="oe_not_acted_on_csv"),
    path("open-enrollment/subscribers/<subscriber:subscriber_number>/", oe_views.subscriber, name="oe_subscriber"),
    path("open-enrollment/subscribers/<subscriber:subscriber_number>/keep/", oe_views.keep, name="oe_keep"),
    path("open-enrollment/subscribers/<subscriber:subscriber_number>/decline/", oe_views.decline, name="oe_decline"),
    path("open-enrollment/subscribers/<subscriber:subscriber_number>/begin/", oe_views.begin, name="oe_begin"),
    path("open-enrollment/confirmation/<confirmation:number>/", oe_views.confirmation, name="oe_confirmation"),
]
urlpatterns += maintenance_urls.urlpatterns  # roster maintenance: the subscriber page, changes, ID Cards
urlpatterns += continuation_urls.urlpatterns  # COBRA or state continuation: the COBRA roster, elections, ends
