from django.urls import path

from billing import payment_urls, views

app_name = "billing"

urlpatterns = [
    path("invoices/", views.invoices, name="invoices"),
    *payment_urls.urlpatterns,
]
