"""Reads that several views share."""

from billing.models import Invoice


def current_invoice(group):
    """The group's latest issued invoice, or None."""
    return Invoice.objects.for_group(group).order_by("-period", "-sequence").first()
