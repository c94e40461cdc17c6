"""Reads that several views share."""

from billing.models import Invoice


def current_invoice(membership):
    """Return the group's latest issued invoice, or None."""
    return Invoice.objects.for_membership(membership).order_by("-period", "-sequence").first()
