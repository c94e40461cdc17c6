"""Template helpers of continuation (COBRA or state): whether a confirmed change may be offered continuation."""

from django import template

from enrollment.continuation import selectors
from enrollment.continuation.services import QUALIFYING_REASONS
from enrollment.models import ChangeRequest

register = template.Library()


@register.filter
def offers_continuation(change_request) -> bool:
    """Return whether a change's page asks "Offer continuation coverage": a completed termination or removal for a qualifying reason."""
    return (
        change_request.kind in (ChangeRequest.Kind.TERMINATION, ChangeRequest.Kind.DEPENDENT_REMOVED)
        and change_request.status == ChangeRequest.Status.COMPLETED
        and change_request.snapshot.get("reason") in QUALIFYING_REASONS
    )


@register.inclusion_tag("enrollment/continuation/_subscriber_section.html", takes_context=True)
def subscriber_continuations(context, subscriber):
    """Render the subscriber page's continuation section (one query, read through the admin's membership)."""
    membership = context["membership"]
    return {"continuations": selectors.subscriber_continuations(membership, subscriber), "current_group": context["current_group"]}
