"""URLs of payments, under /groups/<group>/billing/ (appended to billing.urls, namespace billing)."""

from django.urls import path

from billing import payment_views

urlpatterns = [
    path("invoices/<invoice:invoice_number>/pay/", payment_views.make_payment, name="make_payment"),
    path("invoices/<invoice:invoice_number>/pay/method/", payment_views.make_payment_method, name="make_payment_method"),
    path("payments/", payment_views.payments_page, name="payments"),
    path("payments/autopay/", payment_views.autopay_change, name="autopay_change"),
    path("payments/autopay/method/", payment_views.autopay_method, name="autopay_method"),
    path("payments/autopay/cancel/", payment_views.autopay_cancel, name="autopay_cancel"),
    path("payments/<confirmation:payment_reference>/", payment_views.payment_detail, name="payment_detail"),
    path("payments/<confirmation:payment_reference>/status/", payment_views.payment_status, name="payment_status"),
]
