"""Roster maintenance URLs, included in the enrollment namespace by enrollment/urls.py (under /groups/<group>/).

URL keywords: subscriber_number (Subscriber ID), dependent_id, order_id (IDCardOrder), document_id
(ProofDocument), number (confirmation number).
"""

from django.urls import path

from enrollment.maintenance import views

S = "subscribers/<subscriber:subscriber_number>/"

urlpatterns = [
    path("subscribers/search/", views.subscriber_search, name="subscriber_search"),
    path(S, views.subscriber_detail, name="subscriber_detail"),
    path(S + "requests/", views.subscriber_requests, name="subscriber_requests"),
    path(S + "history/", views.subscriber_history, name="subscriber_history"),
    path(S + "update/", views.update_personal_information, name="update_personal_information"),
    path(S + "dependents/<int:dependent_id>/update/", views.update_dependent, name="update_dependent"),
    path(S + "dependents/add/", views.add_dependent, name="add_dependent"),
    path(S + "pcp/", views.change_pcp, name="change_pcp"),
    path(S + "terminate/", views.terminate, name="terminate"),
    path(S + "reinstate/", views.reinstate, name="reinstate"),
    path(S + "id-cards/", views.order_id_cards, name="order_id_cards"),
    path("requests/<confirmation:number>/confirmed/", views.change_confirmed, name="change_confirmed"),
    path("id-cards/", views.id_cards, name="id_cards"),
    path("id-cards/<int:order_id>/", views.id_card_order, name="id_card_order"),
    path("id-cards/<int:order_id>/temporary-card.pdf", views.temporary_card, name="temporary_card"),
    path("documents/<int:document_id>/", views.proof_document, name="proof_document"),
]
