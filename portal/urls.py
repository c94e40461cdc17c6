from django.contrib import admin
from django.urls import include, path

from billing.webhooks import stripe_webhook
from portal import views

admin.site.site_header = "Group Benefits Portal: billing specialists"
admin.site.site_title = "Billing specialists"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("billing/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("", include("accounts.urls")),
    path("groups/<group:group_number>/", views.group_home, name="group_home"),
    path("groups/<group:group_number>/", include("enrollment.urls")),
    path("groups/<group:group_number>/billing/", include("billing.urls")),
]
