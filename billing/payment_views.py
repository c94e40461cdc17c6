"""Pages of payments: Make a Payment (Pay Online opens it in a new window), the receipt, the Payments page (Recurring Payment).

Only the billing and primary roles pay or change Recurring Payment (BILLING_ROLES); every row is
read through `for_membership`. The card or bank details go from the browser to Stripe.js; these
views see only the SetupIntent's ID.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.access import group_view
from accounts.models import BILLING_ROLES
from billing import charging, payments, rules
from billing import stripe_gateway as gateway
from billing.models import Autopay, Invoice, Payment, Refund
from billing.payment_forms import AutopayForm, MakePaymentForm, parse_amount
from billing.tables import PaymentTable
from core.exceptions import PortalError


def _invoice(request, invoice_number):
    return get_object_or_404(Invoice.objects.for_membership(request.membership), number=invoice_number)


def _stripe_context(request):
    return {
        "stripe_js_url": settings.STRIPE_JS_URL,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "payer_name": request.user.get_full_name() or request.user.username,
        "payer_email": request.user.email,
    }


def _initial_amount(request, balance):
    """Return the amount to fill in (the balance, or a valid `?amount=`) and a note when `?amount=` was refused."""
    if "amount" not in request.GET:
        return (balance if balance > 0 else None), ""
    amount = parse_amount(request.GET["amount"])
    try:
        if amount is None:
            raise ValueError
        rules.check_payment_amount(amount)
    except (ValueError, ValidationError):
        return (balance if balance > 0 else None), "The amount in the link is not a payment amount, so the amount due is filled in instead."
    return amount, ""


def _render_make_payment(request, invoice, form, *, error="", note="", status=200):
    balance = rules.balance(invoice.amount_due, invoice.amount_paid)
    autopay = Autopay.objects.for_membership(request.membership).select_related("payment_method").filter(is_active=True).first()
    return render(request, "billing/payments/make_payment.html", {
        "invoice": invoice, "form": form, "balance": balance, "credit": -balance if balance < 0 else None,
        "error": error, "note": note, "autopay": autopay, **_stripe_context(request),
    }, status=status)


@group_view(allow=BILLING_ROLES)
def make_payment(request, group, invoice_number):
    """Show Make a Payment (the amount due filled in, One Time or Recurring Payment, card or bank account); pay on POST."""
    invoice = _invoice(request, invoice_number)
    if request.method != "POST":
        amount, note = _initial_amount(request, rules.balance(invoice.amount_due, invoice.amount_paid))
        form = MakePaymentForm(initial={"amount": amount, "attempts_seen": payments.attempts_on(invoice)})
        return _render_make_payment(request, invoice, form, note=note)
    form = MakePaymentForm(request.POST)
    if not form.is_valid():
        return _render_make_payment(request, invoice, form, status=400)
    data = form.cleaned_data
    try:
        submitted = payments.pay_invoice(
            membership=request.membership, invoice=invoice, amount=data["amount"], setup_intent_id=data["setup_intent"],
            attempts_seen=data["attempts_seen"], recurring=data["frequency"] == payments.RECURRING, maximum=data["maximum_amount"],
            acting_user=request.user, today=timezone.localdate(),
        )
    except payments.StalePage as stale:
        messages.warning(request, stale.message)
        return redirect("billing:make_payment", group_number=group.group_number, invoice_number=invoice.number)
    payment = submitted.payment
    from_this_page = payment.stripe_setup_intent_id == data["setup_intent"]
    if submitted.duplicate and not from_this_page:
        if payment.status == Payment.Status.FAILED:
            messages.warning(request, "Another attempt to pay this invoice was made from another window and did not go through. "
                                      "Nothing was charged twice. Check the amount and pay again.")
            return redirect("billing:make_payment", group_number=group.group_number, invoice_number=invoice.number)
        messages.info(request, "This invoice was just paid from another window. Nothing more was charged.")
    elif payment.status == Payment.Status.FAILED:
        invoice.refresh_from_db()
        again = MakePaymentForm(initial={**{k: data[k] for k in ("amount", "frequency", "maximum_amount", "method")},
                                         "attempts_seen": payments.attempts_on(invoice)})
        return _render_make_payment(request, invoice, again, error=payment.failure_message)
    return redirect("billing:payment_detail", group_number=group.group_number, payment_reference=payment.reference)


@group_view(allow=BILLING_ROLES)
@require_POST
def make_payment_method(request, group, invoice_number):
    """Start collecting the method for Make a Payment: check the form, then a SetupIntent for Stripe.js (JSON)."""
    _invoice(request, invoice_number)
    form = MakePaymentForm(request.POST, require_method=False)
    if not form.is_valid():
        return JsonResponse({"invalid": True}, status=400)  # the page submits the form for the server to show the errors
    return _start_setup(request, form.cleaned_data["method"], off_session=form.cleaned_data["frequency"] == payments.RECURRING)


def _start_setup(request, kind, *, off_session):
    try:
        setup = payments.start_method_setup(
            group=request.group, kind=kind, off_session=off_session, acting_user=request.user, purpose="autopay" if off_session else "payment"
        )
    except PortalError as refused:
        return JsonResponse({"error": refused.message}, status=502)
    return JsonResponse({"client_secret": setup.client_secret})


@group_view(allow=BILLING_ROLES)
def payment_detail(request, group, payment_reference):
    """Show the receipt (or, until Stripe's webhook arrives, the payment processing; or why it failed)."""
    payment = get_object_or_404(
        Payment.objects.for_membership(request.membership).select_related("invoice", "payment_method", "created_by"), reference=payment_reference
    )
    client_secret = ""
    if payment.status == Payment.Status.PENDING and payment.stripe_status == "requires_action" and payment.stripe_payment_intent_id:
        try:
            intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
        except PortalError:
            intent = None
        if intent is not None and intent.status == "requires_action":  # else confirmed already: the webhook is on its way
            client_secret = intent.client_secret or ""
    invoice = payment.invoice
    balance = rules.balance(invoice.amount_due, invoice.amount_paid) if invoice else None
    return render(request, "billing/payments/payment_detail.html", {
        "payment": payment, "invoice": invoice, "balance": balance, "credit": -balance if balance is not None and balance < 0 else None,
        "refunds": payment.refunds.filter(status=Refund.Status.SUCCEEDED).order_by("created_at"),
        "client_secret": client_secret, **_stripe_context(request),
    })


@group_view(allow=BILLING_ROLES)
def payment_status(request, group, payment_reference):
    """Answer the payment's status as JSON, for the processing page to reload itself once Stripe's webhook has arrived."""
    payment = get_object_or_404(Payment.objects.for_membership(request.membership).only("status", "stripe_status"), reference=payment_reference)
    return JsonResponse({"status": payment.status})


@group_view(allow=BILLING_ROLES)
def payments_page(request, group):
    """Show Payments: Recurring Payment (view, change, cancel) and every payment of the group."""
    autopay = Autopay.objects.for_membership(request.membership).select_related("payment_method", "created_by").filter(is_active=True).first()
    next_charge = None
    if autopay is not None:
        invoice = charging.autopay_invoices(autopay).filter(due_on__gte=timezone.localdate()).order_by("due_on").first()
        if invoice is not None:
            amount = rules.autopay_amount(invoice.amount_due, invoice.amount_paid)
            next_charge = {"invoice": invoice, "amount": amount, "over": autopay.maximum_amount is not None and amount > autopay.maximum_amount}
    table = PaymentTable(Payment.objects.for_membership(request.membership).select_related("invoice", "payment_method"), group=group)
    RequestConfig(request, paginate={"per_page": 24}).configure(table)
    return render(request, "billing/payments/payments.html", {"autopay": autopay, "next_charge": next_charge, "table": table})


@group_view(allow=BILLING_ROLES)
def autopay_change(request, group):
    """Set up or change Recurring Payment: the method (a new card or bank account, or the current one) and the maximum."""
    autopay = Autopay.objects.for_membership(request.membership).select_related("payment_method").filter(is_active=True).first()
    current = autopay.payment_method if autopay else None
    initial = {"maximum_amount": autopay.maximum_amount} if autopay else {}
    form = AutopayForm(request.POST or None, initial=initial, current_method=current)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            payments.change_autopay(
                membership=request.membership, maximum=form.cleaned_data["maximum_amount"],
                setup_intent_id=form.cleaned_data["setup_intent"], acting_user=request.user,
            )
        except PortalError as refused:
            error = refused.message
        else:
            messages.success(request, "Recurring Payment is set up." if autopay is None else "Recurring Payment is changed.")
            return redirect("billing:payments", group_number=group.group_number)
    return render(request, "billing/payments/autopay_change.html", {
        "form": form, "autopay": autopay, "error": error, **_stripe_context(request),
        "setup_url": reverse("billing:autopay_method", kwargs={"group_number": group.group_number}),
    }, status=400 if form.errors or error else 200)


@group_view(allow=BILLING_ROLES)
@require_POST
def autopay_method(request, group):
    """Start collecting a new method for Recurring Payment: a SetupIntent for off-session charges (JSON)."""
    autopay = Autopay.objects.for_membership(request.membership).select_related("payment_method").filter(is_active=True).first()
    form = AutopayForm(request.POST, current_method=autopay.payment_method if autopay else None, require_method=False)
    if not form.is_valid() or form.cleaned_data["method"] == AutopayForm.KEEP:
        return JsonResponse({"invalid": True}, status=400)
    return _start_setup(request, form.cleaned_data["method"], off_session=True)


@group_view(allow=BILLING_ROLES)
def autopay_cancel(request, group):
    """Cancel Recurring Payment, after a confirmation page."""
    autopay = get_object_or_404(Autopay.objects.for_membership(request.membership).select_related("payment_method"), is_active=True)
    if request.method == "POST":
        payments.cancel_autopay(membership=request.membership, acting_user=request.user)
        messages.success(request, "Recurring Payment is cancelled. No invoice will be charged automatically.")
        return redirect("billing:payments", group_number=group.group_number)
    return render(request, "billing/payments/autopay_cancel.html", {"autopay": autopay})
