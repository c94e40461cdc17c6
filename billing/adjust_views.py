"""Adjust Invoice pages: the worksheet with the reconciled amount, the form of one change, and the confirmation numbers.

The rules and the pricing are in billing/adjust.py; the forms of a change are roster maintenance's
(enrollment.maintenance.forms), so a change reported here is checked exactly as on the subscriber's page.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import can, group_view
from accounts.models import BILLING_ROLES
from billing import adjust, selectors
from billing.forms import AdjustStartForm
from enrollment.maintenance import forms as change_forms, selectors as maintenance_selectors, services
from enrollment.models import ChangeRequest, Subscriber

adjust_view = group_view(allow=adjust.ADJUST_ROLES)


def _invoice_or_404(membership, invoice_number):
    return get_object_or_404(selectors.invoices_for(membership).select_related("group"), number=invoice_number)


def _adjust_url(group, invoice) -> str:
    return reverse("billing:adjust_invoice", kwargs={"group_number": group.group_number, "invoice_number": invoice.number})


def _current_or_redirect(request, group, invoice):
    if adjust.is_current(request.membership, invoice):
        return None
    messages.info(request, "Only the current invoice is adjusted: changes reported now are adjusted on the next invoice.")
    return redirect("billing:invoice", group_number=group.group_number, invoice_number=invoice.number)


@adjust_view
def adjust_invoice(request, group, invoice_number):
    """Adjust Invoice: report changes, see the reconciled amount line by line, confirm them as requests."""
    found = _invoice_or_404(request.membership, invoice_number)
    if (elsewhere := _current_or_redirect(request, group, found)) is not None:
        return elsewhere
    sheet = adjust.Worksheet(request.session, found.number)
    start = AdjustStartForm(request.POST if "report" in request.POST else None, changes=adjust.CHANGES)
    today = timezone.localdate()

    if request.method == "POST":
        if "remove" in request.POST:
            sheet.remove(int(request.POST["remove"]) if request.POST["remove"].isdigit() else 0)
            return redirect(_adjust_url(group, found) + "#reported")
        if "cancel" in request.POST:
            sheet.clear()
            messages.info(request, "The adjustment was cancelled: nothing was submitted.")
            return redirect("billing:invoice", group_number=group.group_number, invoice_number=found.number)
        if "confirm" in request.POST:
            return _confirm(request, group, found, sheet, today)
        if start.is_valid():
            number = start.cleaned_data["subscriber"]
            if sheet.full and sheet.entry_for(number) is None:
                start.add_error(None, "An adjustment holds %d changes at most: confirm these first." % adjust.MAX_CHANGES)
            elif not adjust.on_invoice(request.membership, found, number):
                start.add_error("subscriber", ValidationError("No subscriber with this ID is on this invoice.", code="not_on_invoice"))
            else:
                name = "billing:adjust_terminate" if start.cleaned_data["change"] == adjust.TERMINATE else "billing:adjust_add_dependent"
                return redirect(name, group_number=group.group_number, invoice_number=found.number, subscriber_number=number)

    priced = adjust.rows(request.membership, found, sheet.entries, today=today)
    return render(request, "billing/adjust.html", {
        "invoice": found, "start": start, "rows": priced, "reconciled": adjust.reconcile(found, priced),
        "max_changes": adjust.MAX_CHANGES,
    })


def _confirm(request, group, invoice, sheet, today):
    entries = sheet.entries
    if not entries:
        messages.error(request, "Report at least one change before confirming.")
        return redirect(_adjust_url(group, invoice))
    priced = adjust.rows(request.membership, invoice, entries, today=today)
    reconciled = adjust.reconcile(invoice, priced)
    try:
        submitted = adjust.submit_all(
            membership=request.membership, invoice=invoice, entries=entries, acting_user=request.user, today=today,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except adjust.EntryRefused as refused:
        sheet.mark(refused.entry_id, refused.message)
        messages.error(request, "Nothing was submitted: one change needs your attention (marked below).")
        return redirect(_adjust_url(group, invoice) + "#reported")
    sheet.clear()
    request.session["adjust_invoice_done:%s" % invoice.number] = {
        "numbers": [r.confirmation_number for r in submitted], "reconciled": str(reconciled.amount), "to_pay": str(reconciled.to_pay),
    }
    return redirect("billing:adjust_confirmed", group_number=group.group_number, invoice_number=invoice.number)


class AdjustAddDependentForm(change_forms.AddDependentForm):
    """Add New Dependent as reported on an invoice: the proof document is uploaded from the subscriber's page afterwards."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["document"]


def _change(request, group, invoice_number, subscriber_number, change):
    found = _invoice_or_404(request.membership, invoice_number)
    if (elsewhere := _current_or_redirect(request, group, found)) is not None:
        return elsewhere
    subscriber = get_object_or_404(Subscriber.objects.for_membership(request.membership).select_related("group"), subscriber_number=subscriber_number)
    if not adjust.on_invoice(request.membership, found, subscriber.subscriber_number):
        raise Http404("The subscriber is not on this invoice.")
    today = timezone.localdate()
    sheet = adjust.Worksheet(request.session, found.number)
    if change == adjust.TERMINATE:
        page = maintenance_selectors.subscriber_page(request.membership, subscriber, today=today)
        form_class, kwargs, title = change_forms.TerminateForm, {"members": page.members, "subscriber": subscriber}, "Terminate coverage"
        initial = {"member": services.SUBSCRIBER_KEY, "termination_date": today}
    else:
        form_class, kwargs, title = AdjustAddDependentForm, {"subscriber": subscriber, "today": today}, "Add New Dependent"
        initial = {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid() and _not_open(form, subscriber, change):
            data = {k: v for k, v in form.cleaned_data.items() if k != "dependent"}
            sheet.add(subscriber.subscriber_number, change, data)
            messages.success(request, "%s: %s is on the adjustment. Confirm it below, with any other change." % (title, subscriber.full_name))
            return redirect(_adjust_url(group, found) + "#reported")
    else:
        form = form_class(initial=initial, **kwargs)
    return render(request, "billing/adjust_change.html", {
        "invoice": found, "subscriber": subscriber, "form": form, "title": title, "back": _adjust_url(group, found),
        "replaces": sheet.entry_for(subscriber.subscriber_number) is not None,
    })


def _not_open(form, subscriber, change) -> bool:
    """Refuse on the form (next to the member) a change whose member already has an open request of the same kind."""
    data = form.cleaned_data
    if change == adjust.TERMINATE:
        kind, key = services.termination_kind(data.get("dependent")), services.member_key(data.get("dependent"))
    else:
        kind, key = ChangeRequest.Kind.DEPENDENT_ADDED, services.new_dependent_key(data)
    try:
        services.refuse_if_open(subscriber, kind, key)
    except ValidationError as error:
        form.add_error("member" if change == adjust.TERMINATE else None, error)
        return False
    return True


@adjust_view
def adjust_terminate(request, group, invoice_number, subscriber_number):
    return _change(request, group, invoice_number, subscriber_number, adjust.TERMINATE)


@adjust_view
def adjust_add_dependent(request, group, invoice_number, subscriber_number):
    return _change(request, group, invoice_number, subscriber_number, adjust.ADD_DEPENDENT)


@adjust_view
def adjust_confirmed(request, group, invoice_number):
    """The confirmation numbers of the changes just confirmed, and the reconciled amount offered to pay."""
    found = _invoice_or_404(request.membership, invoice_number)
    done = request.session.get("adjust_invoice_done:%s" % found.number)
    if not done:
        return redirect(_adjust_url(group, found))
    submitted = list(ChangeRequest.objects.for_membership(request.membership).filter(confirmation_number__in=done["numbers"])
                     .select_related("subscriber").order_by("submitted_at", "pk"))
    return render(request, "billing/adjust_confirmed.html", {
        "invoice": found, "submitted": submitted, "reconciled": Decimal(done["reconciled"]), "to_pay": Decimal(done["to_pay"]),
        "may_pay": can(request.membership, BILLING_ROLES),
    })
