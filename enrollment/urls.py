from django.urls import path

from enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("roster/", views.roster, name="roster"),
]
