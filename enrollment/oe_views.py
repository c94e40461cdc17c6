"""Open Enrollment pages: subscriber search, a subscriber's three options, Keep's Summary, Decline, progress.

Every page reads "today" as the group's own date. Primary and enrollment admins act; every
role sees the search and the progress pages (docs/open-enrollment.md).
"""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import group_view
from accounts.audit import record_event
from accounts.models import ENROLLMENT_ROLES, AuditEvent
from enrollment import oe_charts, oe_selectors, open_enrollment, selectors
from enrollment.oe_forms import DeclineForm, SubscriberSearchForm
from enrollment.models import Subscriber

enrollment_view = group_view(allow=ENROLLMENT_ROLES)
PER_PAGE = 25
AGED_OUT_SHOWN = 100


def _window(group):
    return oe_selectors.window_for(group, group.today())


def _subscriber_or_404(membership, subscriber_number):
    return get_object_or_404(Subscriber.objects.for_membership(membership).select_related("subgroup"), subscriber_number=subscriber_number)


def _refused(request, group, error: ValidationError, subscriber=None):
    """Show why an option was refused (nothing was saved) and go back to where it was chosen."""
    for message in error.messages:
        messages.error(request, message)
    if subscriber is not None and error.code != "outside_open_enrollment":
        return redirect("enrollment:oe_subscriber", group_number=group.group_number, subscriber_number=subscriber.subscriber_number)
    return redirect("enrollment:open_enrollment", group_number=group.group_number)


@group_view()
def search(request, group):
    """The subscriber search: by subscriber ID or last name, each with this year's coverage and what was done."""
    window = _window(group)
    form = SubscriberSearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(oe_selectors.search(request.membership, window, text), PER_PAGE).get_page(request.GET.get("page"))
    rows = oe_selectors.rows_for(group, page.object_list, window)
    return render(request, "enrollment/open_enrollment/search.html", {"window": window, "form": form, "page": page, "rows": rows, "q": text})


@enrollment_view
def subscriber(request, group, subscriber_number):
    """The chosen subscriber's coverage and the three options."""
    window = _window(group)
    found = _subscriber_or_404(request.membership, subscriber_number)
    row = oe_selectors.rows_for(group, [found], window)[0]
    return render(request, "enrollment/open_enrollment/subscriber.html", {
        "window": window, "row": row, "subscriber": found, "election": oe_selectors.election_of(found, window.plan_year),
    })


@enrollment_view
def keep(request, group, subscriber_number):
    """Keep Existing Coverage: the Summary of the current elections in the new plan year; Confirm or Cancel."""
    today = group.today()
    found = _subscriber_or_404(request.membership, subscriber_number)
    if request.method == "POST":
        try:
            change_request = open_enrollment.keep_existing_coverage(
                group=group, subscriber_pk=found.pk, acting_user=request.user, today=today, ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as error:
            return _refused(request, group, error, found)
        return redirect("enrollment:oe_confirmation", group_number=group.group_number, number=change_request.confirmation_number)
    try:
        window = open_enrollment.open_window(group, today)
    except ValidationError as error:
        return _refused(request, group, error)
    roll = oe_selectors.rollover(group, found, window)
    if roll is None:
        raise Http404("No coverage to renew.")
    return render(request, "enrollment/open_enrollment/keep.html", {"window": window, "subscriber": found, "roll": roll})


@enrollment_view
def decline(request, group, subscriber_number):
    """Decline Coverage: the reason, the alternate health plan name where it applies; Confirm or Back."""
    today = group.today()
    window = oe_selectors.window_for(group, today)
    found = _subscriber_or_404(request.membership, subscriber_number)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_request = open_enrollment.decline_coverage(
                group=group, subscriber_pk=found.pk, reason=form.cleaned_data["reason"],
                alternate_plan_name=form.cleaned_data["alternate_plan_name"], acting_user=request.user, today=today,
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, group, error, found)
            form.add_error(None, error)
        else:
            return redirect("enrollment:oe_confirmation", group_number=group.group_number, number=change_request.confirmation_number)
    elif request.method == "GET" and not window.is_open:
        return _refused(request, group, ValidationError(open_enrollment.closed_message(window), code="outside_open_enrollment"))
    coverage = oe_selectors.current_coverages([found.pk], window).get(found.pk)
    return render(request, "enrollment/open_enrollment/decline.html", {"window": window, "subscriber": found, "form": form, "coverage": coverage})


@enrollment_view
@require_POST
def begin(request, group, subscriber_number):
    """Begin Enrollment: the New Enrollment wizard, prefilled, for the new plan year."""
    found = _subscriber_or_404(request.membership, subscriber_number)
    try:
        draft = open_enrollment.start_begin_enrollment(group=group, subscriber_pk=found.pk, acting_user=request.user, today=group.today())
    except ValidationError as error:
        return _refused(request, group, error, found)
    return redirect("enrollment:enrollment_plan", group_number=group.group_number, draft_id=draft.pk)


@group_view()
def confirmation(request, group, number):
    """The confirmation number of a Keep or Decline just confirmed."""
    change_request = selectors.find_request(request.membership, number)
    if change_request is None or change_request.kind not in oe_selectors.OE_KINDS:
        raise Http404("No such open-enrollment request.")
    return render(request, "enrollment/open_enrollment/confirmation.html", {"change_request": change_request})


@group_view()
def progress(request, group):
    """Counts kept, changed, declined and not yet acted on, by subgroup, with a chart and what cannot carry over as it is."""
    window = _window(group)
    rows = oe_selectors.progress(request.membership, window)
    totals = oe_selectors.totals(rows)
    acted = (oe_selectors.KEPT, oe_selectors.CHANGED, oe_selectors.DECLINED)
    chart = oe_charts.stacked_bars(
        [(row.subgroup.name, row.counts) for row in rows if row.total], oe_selectors.OUTCOMES, oe_selectors.OUTCOME_LABELS, acted,
    )
    aged_out = oe_selectors.aged_out_children(request.membership, window, limit=AGED_OUT_SHOWN)
    return render(request, "enrollment/open_enrollment/progress.html", {
        "window": window, "rows": rows, "total": sum(totals.values()), "chart": chart,
        "total_cells": [(key, oe_selectors.OUTCOME_LABELS[key], totals[key]) for key in oe_selectors.OUTCOMES],
        "outcomes": [(key, oe_selectors.OUTCOME_LABELS[key]) for key in oe_selectors.OUTCOMES],
        "aged_out": aged_out[:AGED_OUT_SHOWN], "aged_out_more": len(aged_out) > AGED_OUT_SHOWN, "plan_changes": oe_selectors.plan_changes(request.membership, window),
    })


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv rows."""

    def write(self, value):
        return value


@group_view()
def not_acted_on_csv(request, group):
    """A CSV of the subscribers in this open enrollment with nothing done yet (streamed, one query)."""
    window = _window(group)
    rows = oe_selectors.not_acted_on(request.membership, window)
    writer = csv.writer(_Echo())
    record_event(
        action=AuditEvent.Action.EXPORT, actor=request.user, group=group, ip_address=request.META.get("REMOTE_ADDR"),
        object_type="open_enrollment_not_acted_on", object_id=str(window.plan_year),
    )

    def lines():
        yield writer.writerow(["Subscriber ID", "Last name", "First name", "Subgroup", "Plan code", "Plan", "Tier"])
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="open-enrollment-%s-%d-not-acted-on.csv"' % (group.group_number, window.plan_year)
    return response
