"""Billing's writes that other parts of billing post through.

Only `apply_payment` is here on this branch, kept minimal: the invoices work (issue 11) brings
issuing invoices and manual adjustments, and its own version of this service, which the merge
reconciles with this one.
"""

from datetime import date

from django.db import transaction
from django.db.models import F, Sum

from billing import rules
from billing.models import Invoice, Payment
from core.money import ZERO

# What counts as money received on an invoice: a payment Stripe confirmed, less what was refunded.
RECEIVED = (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED)


@transaction.atomic
def apply_payment(*, payment: Payment, today: date) -> Invoice | None:
    """Set the payment's invoice's amount paid (its received payments less refunds) and its status from billing.rules.

    Computed from the invoice's payments every time, so posting the same outcome twice (a webhook
    delivered again) changes nothing. An overpayment leaves amount paid above amount due: the
    invoice is paid, and the credit reaches the next invoice through its "payments received".
    """
    if payment.invoice_id is None:
        return None
    invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
    paid = Payment.objects.filter(invoice=invoice, status__in=RECEIVED).aggregate(total=Sum(F("amount") - F("amount_refunded")))["total"]
    invoice.amount_paid = paid or ZERO
    invoice.status = rules.invoice_status(amount_due=invoice.amount_due, amount_paid=invoice.amount_paid, due_on=invoice.due_on, today=today)
    invoice.save(update_fields=["amount_paid", "status"])
    return invoice
