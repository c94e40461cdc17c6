"""Continuation pages (COBRA or state): the COBRA roster and its CSV, a continuation's page, the election notice, and the flows.

Every change is a small form -> a summary -> Confirm -> a confirmation number, like roster
maintenance (docs/maintenance.md): what the form asked waits in the session until Confirm.
Enrollment and primary admins act; read-only and billing admins view. Every row is read through
the admin's membership: another group's (or another subgroup's) continuation is a 404.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.access import group_view
from accounts.models import ENROLLMENT_ROLES
from core.templatetags.core_tags import usd
from enrollment import continuation_rules, documents, selectors as enrollment_selectors
from enrollment.continuation import forms, selectors, services
from enrollment.maintenance import selectors as maintenance_selectors
from enrollment.maintenance.views import Flow, _run
from enrollment.models import ChangeRequest, Continuation, continuation_page_name

change_view = group_view(allow=ENROLLMENT_ROLES)
Kind = ChangeRequest.Kind
PER_PAGE = 50


def _shown(day: date) -> str:
    return format_date(day, "M j, Y")


def _details(rows):
    return [(label, _shown(value) if isinstance(value, date) else value) for label, value in rows]


def _continuation_or_404(membership, continuation_id) -> Continuation:
    # A void one (its event was rejected) still has its page, which says so; the roster leaves it out.
    return get_object_or_404(selectors.continuations(membership, include_void=True).select_related("group"), pk=continuation_id)


def _detail_url(continuation) -> str:
    return reverse("enrollment:continuation_detail", kwargs={"group_number": continuation.group.group_number, "continuation_id": continuation.pk})


# --- The COBRA roster ------------------------------------------------------------------------------------


@group_view()
def continuation_roster(request, group):
    """Continuing, pending election and ended continuations, with the event, the deadlines and the end of the maximum period."""
    form = forms.RosterFilterForm(request.GET or None)
    status = text = ""
    if form.is_valid():
        status, text = form.cleaned_data["status"], form.cleaned_data["q"]
    rows = Paginator(selectors.roster(request.membership, status=status, text=text), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enrollment/continuation/roster.html", {
        "form": form, "rows": rows, "query": query.urlencode(), "page_name": continuation_page_name(group.continuation),
    })


class Echo:
    """A file-like object whose write returns the line, for a streamed CSV."""

    def write(self, value):
        return value


@group_view()
def continuation_roster_csv(request, group):
    """Download the COBRA roster as CSV, one line per qualified beneficiary (audited: member data leaves the portal)."""
    form = forms.RosterFilterForm(request.GET or None)
    status = text = ""
    if form.is_valid():
        status, text = form.cleaned_data["status"], form.cleaned_data["q"]
    documents.audit_download(actor=request.user, group=group, object_type="continuation_roster", object_id=group.group_number,
                             ip_address=request.META.get("REMOTE_ADDR"))
    writer = csv.writer(Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in selectors.csv_rows(request.membership, status=status, text=text)),
                                     content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="continuation-%s-%s.csv"' % (group.group_number, timezone.localdate().isoformat())
    return response


# --- A continuation --------------------------------------------------------------------------------------------


@group_view()
def continuation_detail(request, group, continuation_id):
    """The qualifying event, the qualified beneficiaries, the premium of each choice, the deadlines, and what to do next."""
    continuation = _continuation_or_404(request.membership, continuation_id)
    today = timezone.localdate()
    page = selectors.continuation_page(request.membership, continuation, today=today)
    return render(request, "enrollment/continuation/detail.html", {
        "page": page, "continuation": continuation, "subscriber": continuation.subscriber, "today": today,
        "may_change": request.membership.role in ENROLLMENT_ROLES,
    })


@change_view
def election_notice(request, group, continuation_id):
    """Download the election notice to print and mail (audited)."""
    continuation = _continuation_or_404(request.membership, continuation_id)
    if not continuation.notice_file:
        raise Http404("The election notice is not ready yet.")
    documents.audit_download(actor=request.user, group=group, object_type="continuation_notice", object_id=str(continuation.pk),
                             ip_address=request.META.get("REMOTE_ADDR"))
    return FileResponse(documents.open_private_file(continuation.notice_file), as_attachment=True, content_type="application/pdf",
                        filename="election-notice-%s-%d.pdf" % (continuation.subscriber.subscriber_number, continuation.pk))


# --- The flows on a continuation: form -> summary -> Confirm ---------------------------------------------------------


@dataclass
class Ctx:
    request: object
    group: object
    membership: object
    continuation: Continuation
    today: date

    @property
    def subscriber(self):
        return self.continuation.subscriber


class ContinuationFlow:
    name = ""
    title = ""
    form_class = None
    multipart = False

    def form_kwargs(self, ctx) -> dict:
        return {"continuation": ctx.continuation}

    def initial(self, ctx) -> dict:
        return {}

    def summary(self, ctx, data) -> dict:
        raise NotImplementedError

    def submit(self, ctx, data) -> ChangeRequest:
        raise NotImplementedError


def _iso(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def _dates(data: dict, *names) -> dict:
    return {**data, **{n: date.fromisoformat(data[n]) for n in names if data.get(n)}}


class ElectionFlow(ContinuationFlow):
    name, title, form_class = "elect", "Record an election", forms.ElectionForm

    def form_kwargs(self, ctx):
        family = maintenance_selectors.subscriber_page(ctx.membership, ctx.subscriber, today=ctx.today).members
        return {"continuation": ctx.continuation, "subscriber": ctx.subscriber, "family": family, "today": ctx.today}

    def initial(self, ctx):
        return {"elected_on": ctx.today, "beneficiaries": [b.key for b in ctx.continuation.beneficiaries.all()]}

    def summary(self, ctx, data):
        data = _dates(data, "elected_on")
        chosen = services.check_election(ctx.subscriber, ctx.continuation, elected_on=data["elected_on"], electing=data["beneficiaries"], today=ctx.today)
        preview = services.election_preview(ctx.continuation, chosen, elected_on=data["elected_on"])
        c = ctx.continuation
        names = ", ".join((b.dependent or ctx.subscriber).full_name for b in chosen)
        waiving = [(b.dependent or ctx.subscriber).full_name for b in c.beneficiaries.all() if b not in chosen]
        details = [
            ("Qualifying event", "%s on %s" % (c.get_event_kind_display(), _shown(c.event_date))),
            ("Elects continuation", names), ("Does not elect", ", ".join(waiving) or "Nobody"),
            ("Election date", data["elected_on"]), ("Election deadline", c.election_deadline),
            ("Coverage", "%s, tier %s" % (c.plan.name, preview["tier"])),
            ("Continues from (effective date)", preview["start"]), ("Maximum period ends", c.maximum_end),
            ("Monthly premium", ("%s (102%% of the plan's %s)" % (usd(preview["premium"]), usd(preview["rate"])))
             if preview["premium"] is not None else "Rate not set"),
            ("First payment due by", preview["first_payment_due"]),
        ]
        return {"details": details, "notes": ["Coverage continues from %s with no gap, even though the election comes later." % _shown(preview["start"])]}

    def submit(self, ctx, data):
        data = _dates(data, "elected_on")
        return services.submit_election(
            membership=ctx.membership, continuation=ctx.continuation, elected_on=data["elected_on"], electing=data["beneficiaries"],
            acting_user=ctx.request.user, today=ctx.today, ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


class EndFlow(ContinuationFlow):
    name, title, form_class = "end", "End continuation coverage", forms.EndForm

    def summary(self, ctx, data):
        data = _dates(data, "on")
        end = services.check_end(ctx.continuation, reason=data["reason"], on=data["on"])
        c = ctx.continuation
        details = [
            ("Continuation of", ", ".join(person.full_name for person in services.covered_people(c))),
            ("Reason", Continuation.EndReason(data["reason"]).label), ("Date", data["on"]),
            ("Coverage ends (effective date)", end), ("Maximum period would have ended", c.maximum_end),
        ]
        notes = []
        if end < c.start:
            notes.append("No premium was paid: the continuation is cancelled from its start, %s." % _shown(c.start))
        return {"details": details, "notes": notes}

    def submit(self, ctx, data):
        data = _dates(data, "on")
        return services.submit_continuation_end(
            membership=ctx.membership, continuation=ctx.continuation, reason=data["reason"], on=data["on"], acting_user=ctx.request.user,
            today=ctx.today, ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


class ExtensionFlow(ContinuationFlow):
    name, title, form_class = "extend", "Extend continuation coverage", forms.ExtensionForm

    def form_kwargs(self, ctx):
        return {"continuation": ctx.continuation, "today": ctx.today}

    def summary(self, ctx, data):
        data = _dates(data, "on")
        months = services.check_extension(ctx.continuation, extension=data["extension"], on=data["on"], today=ctx.today)
        from_rules = continuation_rules.maximum_end(ctx.continuation.start, months)
        details = [("Extension", Continuation.Extension(data["extension"]).label), ("Date", data["on"]),
                   ("Maximum period", "%d months" % months), ("Maximum period ends", from_rules)]
        notes = ["Months 19 to 29 cost 150% of the plan's rate."] if data["extension"] == Continuation.Extension.DISABILITY else []
        return {"details": details, "notes": notes}

    def submit(self, ctx, data):
        data = _dates(data, "on")
        return services.submit_extension(
            membership=ctx.membership, continuation=ctx.continuation, extension=data["extension"], on=data["on"], acting_user=ctx.request.user,
            today=ctx.today, ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


def _run_flow(request, group, continuation_id, flow: ContinuationFlow):
    continuation = _continuation_or_404(request.membership, continuation_id)
    ctx = Ctx(request, group, request.membership, continuation, timezone.localdate())
    key = "continuation:%d:%s" % (continuation.pk, flow.name)
    back = _detail_url(continuation)
    stored = request.session.get(key)

    if request.method == "POST" and "confirm" in request.POST:
        if stored is None:
            messages.info(request, "That change was already confirmed or has expired; start it again.")
            return redirect(back)
        request.session.pop(key, None)
        try:
            change = flow.submit(ctx, stored)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(back)
        return redirect("enrollment:change_confirmed", group_number=group.group_number, number=change.confirmation_number)

    if request.GET.get("step") == "summary" and stored is not None:
        try:
            summary = flow.summary(ctx, stored)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(back)
        summary["details"] = _details(summary["details"])
        return render(request, "enrollment/subscriber/change_summary.html", {
            "flow": flow, "subscriber": continuation.subscriber, "summary": summary, "back": back, "editable": True,
        })

    if request.method == "POST":
        form = flow.form_class(request.POST, **flow.form_kwargs(ctx))
        if form.is_valid():
            request.session[key] = _iso(form.cleaned_data)
            return redirect(request.path + "?step=summary")
    else:
        initial = flow.initial(ctx)
        if stored and request.GET.get("step") == "change":
            initial.update({k: v for k, v in stored.items() if k in flow.form_class.base_fields})
        form = flow.form_class(initial=initial, **flow.form_kwargs(ctx))
    return render(request, "enrollment/subscriber/change_form.html", {
        "flow": flow, "form": form, "subscriber": continuation.subscriber, "back": back,
    })


@change_view
def record_election(request, group, continuation_id):
    return _run_flow(request, group, continuation_id, ElectionFlow())


@change_view
def end_continuation(request, group, continuation_id):
    return _run_flow(request, group, continuation_id, EndFlow())


@change_view
def extend_continuation(request, group, continuation_id):
    return _run_flow(request, group, continuation_id, ExtensionFlow())


# --- Offering continuation after a termination or a removal ----------------------------------------------------------


def _proposal_details(subscriber, proposal) -> list:
    return _details([
        ("Qualifying event", "%s on %s" % (Continuation.EventKind(proposal.kind).label, _shown(proposal.event_date))),
        ("Qualified beneficiaries", ", ".join(proposal.names(subscriber))),
        ("Coverage they may continue", "%s, tier %s" % (proposal.row.plan.name, proposal.row.tier)),
        ("Group coverage ends", proposal.coverage_lost_on), ("Continuation would start", proposal.start),
        ("Continuation law", subscriber.group.continuation_description),
        ("Maximum period", "%d months, through %s" % (proposal.maximum_months, _shown(proposal.maximum_end))),
    ])


OFFER_NOTES = [
    "Confirm to record the qualifying event: the election notice is then ready to print and mail, and each qualified beneficiary "
    "may elect within 60 days of the later of the notice and the end of group coverage.",
]


@change_view
def offer_continuation(request, group, number):
    """Offer continuation coverage to the members a completed termination or removal left uncovered."""
    change = enrollment_selectors.find_request(request.membership, number)
    if change is None:
        raise Http404("No such request.")
    back = reverse("enrollment:change_confirmed", kwargs={"group_number": group.group_number, "number": change.confirmation_number})
    today = timezone.localdate()
    try:
        subscriber, kind, event_date, people = services.offer_from_request(request.membership, change)
        if request.method == "POST" and "confirm" in request.POST:
            offered = services.submit_qualifying_event(
                membership=request.membership, subscriber=subscriber, kind=kind, event_date=event_date, people=people,
                acting_user=request.user, today=today, source_request=change, ip_address=request.META.get("REMOTE_ADDR"),
            )
            return redirect("enrollment:change_confirmed", group_number=group.group_number, number=offered.confirmation_number)
        proposal = services.check_qualifying_event(subscriber, kind=kind, event_date=event_date, people=people)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    flow = Flow()
    flow.title = "Offer continuation coverage"
    return render(request, "enrollment/subscriber/change_summary.html", {
        "flow": flow, "subscriber": subscriber, "back": back, "editable": False,
        "summary": {"details": _proposal_details(subscriber, proposal), "notes": OFFER_NOTES},
    })


class QualifyingEventFlow(Flow):
    """Report a qualifying event on its own, from the subscriber page."""

    name, kind, title, form_class = "qualifying_event", Kind.QUALIFYING_EVENT, "Report a qualifying event", forms.QualifyingEventForm

    def form_kwargs(self, ctx):
        return {"members": ctx.page.members, "subscriber": ctx.subscriber}

    def summary(self, ctx, data):
        data = _dates(data, "event_date")
        proposal = services.check_qualifying_event(ctx.subscriber, kind=data["kind"], event_date=data["event_date"],
                                                   people=services.people_of(ctx.subscriber, data["members"]))
        return {"details": [(label, value) for label, value in _proposal_details(ctx.subscriber, proposal)], "notes": OFFER_NOTES}

    def submit(self, ctx, data):
        data = _dates(data, "event_date")
        return services.submit_qualifying_event(
            membership=ctx.membership, subscriber=ctx.subscriber, kind=data["kind"], event_date=data["event_date"],
            people=services.people_of(ctx.subscriber, data["members"]), acting_user=ctx.request.user, today=ctx.today,
            ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


@change_view
def report_qualifying_event(request, group, subscriber_number):
    return _run(request, group, subscriber_number, QualifyingEventFlow())
