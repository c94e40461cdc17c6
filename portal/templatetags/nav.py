from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.inclusion_tag("includes/nav_link.html", takes_context=True)
def nav_link(context, url_name, label, group=None):
    """Render a left-navigation link; omitted while the page it names does not exist yet."""
    try:
        url = reverse(url_name, kwargs={"group_number": group.group_number} if group else None)
    except NoReverseMatch:
        return {"url": None}
    request = context.get("request")
    active = bool(request and request.path.startswith(url) and (url.count("/") > 3 or request.path == url))
    return {"url": url, "label": label, "active": active}
