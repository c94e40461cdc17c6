"""The portal's URLs and made-up group pages: a keyword no filler fills, one its converter's filler fills, a regular expression."""

from django.http import Http404
from django.urls import include, path, re_path

from accounts.access import group_view


@group_view()
def widget(request, group, **kwargs):
    raise Http404


urlpatterns = [
    path("", include("portal.urls")),
    path("groups/<group:group_number>/widgets/<int:widget_id>/", widget, name="widget"),
    path("groups/<group:group_number>/amendments/<confirmation:original>/", widget, name="amendment"),
    re_path(r"^groups/(?P<group_number>[0-9]{6})/gadgets/(?P<gadget>[0-9]+)/$", widget, name="gadget"),
]
