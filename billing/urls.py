from django.urls import path

from billing import adjust_views, payment_urls, views

app_name = "billing"

urlpatterns = [
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/current/", views.current_invoice, name="current_invoice"),
    path("invoices/next/", views.next_invoice_preview, name="next_invoice_preview"),
    path("invoices/<invoice:invoice_number>/", views.invoice, name="invoice"),
    path("invoices/<invoice:invoice_number>/breakdown/", views.invoice_breakdown, name="invoice_breakdown"),
    path("invoices/<invoice:invoice_number>/contracts/<subscriber:subscriber_number>/", views.contract_detail, name="contract_detail"),
    path("invoices/<invoice:invoice_number>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<invoice:invoice_number>/pdf/status/", views.invoice_pdf_status, name="invoice_pdf_status"),
    path("invoices/<invoice:invoice_number>/csv/", views.invoice_csv, name="invoice_csv"),
    path("invoices/<invoice:invoice_number>/adjust/", adjust_views.adjust_invoice, name="adjust_invoice"),
    path("invoices/<invoice:invoice_number>/adjust/<subscriber:subscriber_number>/terminate/", adjust_views.adjust_terminate, name="adjust_terminate"),
    path("invoices/<invoice:invoice_number>/adjust/<subscriber:subscriber_number>/add-dependent/", adjust_views.adjust_add_dependent,
         name="adjust_add_dependent"),
    path("invoices/<invoice:invoice_number>/adjust/confirmed/", adjust_views.adjust_confirmed, name="adjust_confirmed"),
    *payment_urls.urlpatterns,
]
