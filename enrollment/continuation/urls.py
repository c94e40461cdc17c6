"""Continuation URLs (COBRA or state), included in the enrollment namespace by enrollment/urls.py (under /groups/<group>/).

URL keywords: continuation_id (Continuation), number (confirmation number), subscriber_number (Subscriber ID).
"""

from django.urls import path

from enrollment.continuation import views

C = "continuation/<int:continuation_id>/"

urlpatterns = [
    path("continuation/", views.continuation_roster, name="continuation_roster"),
    path("continuation/roster.csv", views.continuation_roster_csv, name="continuation_roster_csv"),
    path(C, views.continuation_detail, name="continuation_detail"),
    path(C + "election-notice.pdf", views.election_notice, name="election_notice"),
    path(C + "elect/", views.record_election, name="record_election"),
    path(C + "end/", views.end_continuation, name="end_continuation"),
    path(C + "extend/", views.extend_continuation, name="extend_continuation"),
    path("requests/<confirmation:number>/offer-continuation/", views.offer_continuation, name="offer_continuation"),
    path("subscribers/<subscriber:subscriber_number>/qualifying-event/", views.report_qualifying_event, name="report_qualifying_event"),
]
