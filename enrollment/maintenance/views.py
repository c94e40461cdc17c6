"""Roster maintenance pages: the subscriber page and its changes, the header's search, ID Cards, private downloads.

Every change is a small form -> a summary (effective date, tier and premium, credit) -> Confirm
-> a confirmation number. What the form asked waits in the session between the form and the
summary (a proof document is stored privately as soon as it is uploaded, not yet tied to a
request); Confirm hands it to a service, which submits the request. Every row is read through
the admin's membership: another group's (or another subgroup's) subscriber is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from accounts.access import group_view
from accounts.models import ENROLLMENT_ROLES
from core.identifiers import normalize_subscriber_number
from core.uploads import oversized_uploads
from enrollment import documents, rules, selectors as enrollment_selectors
from enrollment.maintenance import forms, history, selectors, services
from enrollment.models import ChangeRequest, Dependent, IDCardOrder, ProofDocument, Subscriber

change_view = group_view(allow=ENROLLMENT_ROLES)
Kind = ChangeRequest.Kind


def _shown(day: date) -> str:
    return format_date(day, "M j, Y")


def _subscriber_or_404(membership, subscriber_number) -> Subscriber:
    return get_object_or_404(Subscriber.objects.for_membership(membership).select_related("group", "subgroup"), subscriber_number=subscriber_number)


def _subscriber_url(subscriber, name="enrollment:subscriber_detail"):
    return reverse(name, kwargs={"group_number": subscriber.group.group_number, "subscriber_number": subscriber.subscriber_number})


# --- Finding a subscriber ------------------------------------------------------------------------------


@group_view()
def subscriber_search(request, group):
    """The header's search: one match opens the subscriber's page; several give a list."""
    text = request.GET.get("q", "").strip()
    results = list(selectors.search_subscribers(request.membership, text))
    if len(results) == 1 and text:
        found = results[0]
        if found.subscriber_number:
            return redirect("enrollment:subscriber_detail", group_number=group.group_number, subscriber_number=found.subscriber_number)
        if found.latest_request_number:
            return redirect("enrollment:request_detail", group_number=group.group_number, number=found.latest_request_number)
    return render(request, "enrollment/subscriber/search.html", {"q": text, "results": results, "limit": selectors.SEARCH_LIMIT})


# --- The subscriber page: members and coverage, requests, History -----------------------------------------


def _page(request, group, subscriber_number, tab, template, extra=None):
    subscriber = _subscriber_or_404(request.membership, subscriber_number)
    today = timezone.localdate()
    context = {"page": selectors.subscriber_page(request.membership, subscriber, today=today), "subscriber": subscriber, "tab": tab,
               "today": today, "may_change": request.membership.role in ENROLLMENT_ROLES}
    context.update(extra(subscriber) if extra else {})
    return render(request, template, context)


@group_view()
def subscriber_detail(request, group, subscriber_number):
    """Members and coverage, with the changes an admin can make."""
    return _page(request, group, subscriber_number, "members", "enrollment/subscriber/detail.html")


@group_view()
def subscriber_requests(request, group, subscriber_number):
    """The subscriber's requests, with any proof documents."""
    return _page(request, group, subscriber_number, "requests", "enrollment/subscriber/requests.html")


@group_view()
def subscriber_history(request, group, subscriber_number):
    """Every change: field, old and new value, who, when, the confirmation number."""
    return _page(request, group, subscriber_number, "history", "enrollment/subscriber/history.html",
                 extra=lambda subscriber: {"changes": history.subscriber_history(subscriber)})


# --- The change flows: form -> summary -> Confirm -------------------------------------------------------------


@dataclass
class Ctx:
    request: object
    group: object
    membership: object
    subscriber: Subscriber
    today: date
    page: selectors.SubscriberPage
    dependent: Dependent | None = None
    flow_name: str = ""

    @property
    def session_key(self):
        return "maintenance:%d:%s:%s" % (self.subscriber.pk, self.flow_name, self.dependent.pk if self.dependent else "")


def _iso(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def _dates(data: dict, *names) -> dict:
    return {**data, **{n: date.fromisoformat(data[n]) for n in names if data.get(n)}}


def _member(ctx, key):
    member = next((m for m in ctx.page.members if m.key == key), None)
    if member is None:
        raise Http404("No such member.")
    return member


class Flow:
    """One change: its form, what waits in the session, its summary and the service that submits it."""

    name = ""
    kind = ""
    title = ""
    form_class = None
    multipart = False

    def form_kwargs(self, ctx):
        return {}

    def initial(self, ctx):
        return {}

    def to_session(self, ctx, form) -> dict:
        return _iso(form.cleaned_data)

    def summary(self, ctx, data) -> dict:
        raise NotImplementedError

    def submit(self, ctx, data) -> ChangeRequest:
        raise NotImplementedError


class PersonalInformationFlow(Flow):
    name, kind, title, form_class = "update", Kind.DEMOGRAPHIC_UPDATE, "Update personal information", forms.PersonalInformationForm

    def person(self, ctx):
        return ctx.dependent or ctx.subscriber

    def form_kwargs(self, ctx):
        return {"person": self.person(ctx)}

    def initial(self, ctx):
        person = self.person(ctx)
        return {name: getattr(person, name) for name in self.form_class.changeable}

    def summary(self, ctx, data):
        person = self.person(ctx)
        rows = [(services.field_label(person, n), services.display_value(person, n, getattr(person, n)) or "—",
                 services.display_value(person, n, data[n]) or "—")
                for n in self.form_class.changeable if n in data and data[n] != getattr(person, n)]
        details = [("Member", person.full_name), ("Effective date", ctx.today)]
        if data.get("name_change_reason"):
            details.append(("Reason for the name change", dict(forms.NAME_CHANGE_REASONS)[data["name_change_reason"]]))
        return {"details": details, "changes": rows}

    def submit(self, ctx, data):
        return services.submit_demographic_update(
            membership=ctx.membership, subscriber=ctx.subscriber, dependent=ctx.dependent,
            values={n: data[n] for n in self.form_class.changeable if n in data}, name_change_reason=data.get("name_change_reason", ""),
            acting_user=ctx.request.user, today=ctx.today, ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


class DependentNameFlow(PersonalInformationFlow):
    name, title, form_class = "update_dependent", "Update a dependent's name", forms.DependentNameForm


class PCPFlow(Flow):
    name, kind, title, form_class = "pcp", Kind.PCP_CHANGE, "Primary care provider", forms.PCPForm

    def form_kwargs(self, ctx):
        return {"members": ctx.page.members}

    def initial(self, ctx):
        return {"member": ctx.request.GET.get("member", services.SUBSCRIBER_KEY)}

    def summary(self, ctx, data):
        member = _member(ctx, data["member"])
        return {"details": [("Member", member.name), ("Effective date", ctx.today)],
                "changes": [("Primary care provider", member.pcp, "%s (%s)" % (data["pcp_name"], data["pcp_id"]))]}

    def submit(self, ctx, data):
        return services.submit_pcp_change(
            membership=ctx.membership, subscriber=ctx.subscriber, dependent=_member(ctx, data["member"]).dependent,
            pcp_name=data["pcp_name"], pcp_id=data["pcp_id"], acting_user=ctx.request.user, today=ctx.today,
            ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


class AddDependentFlow(Flow):
    name, kind, title, form_class, multipart = "add_dependent", Kind.DEPENDENT_ADDED, "Add New Dependent", forms.AddDependentForm, True

    def form_kwargs(self, ctx):
        return {"subscriber": ctx.subscriber, "today": ctx.today, "oversized": oversized_uploads(ctx.request)}

    def to_session(self, ctx, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "document"}
        uploaded = form.cleaned_data.get("document")
        if uploaded:
            document = documents.store_proof_document(
                group=ctx.group, subscriber=ctx.subscriber, kind=forms.EVENT_DOCUMENTS[data["event"]], uploaded=uploaded,
                uploaded_by=ctx.request.user,
            )
            data["document_id"] = document.pk
        return _iso(data)

    def _document(self, ctx, data):
        if not data.get("document_id"):
            return None
        return ProofDocument.objects.for_membership(ctx.membership).filter(
            pk=data["document_id"], request__isnull=True, uploaded_by=ctx.request.user, subscriber=ctx.subscriber
        ).first()

    def summary(self, ctx, data):
        data = _dates(data, "event_date", "date_of_birth")
        preview = services.dependent_added_preview(ctx.subscriber, event=data["event"], event_date=data["event_date"], person=data, today=ctx.today)
        document = self._document(ctx, data)
        name = services.new_dependent_name(data)
        details = [
            ("Life event", services.EVENT_LABELS[data["event"]]), ("Event date", data["event_date"]),
            ("New dependent", "%s, %s" % (name, Dependent.Relationship(data["relationship"]).label)),
            ("Date of birth", data["date_of_birth"]), ("Coverage starts (effective date)", preview["coverage_start"]),
            ("Proof document", "%s (%s)" % (document.get_kind_display(), document.original_name) if document else "None attached"),
        ]
        notes = []
        if preview["late"]:
            notes.append("The request comes more than %d days after the event: a billing specialist will review it." % preview["window_days"])
        return {"details": details, "premium": preview["premium"], "notes": notes}

    def submit(self, ctx, data):
        data = _dates(data, "event_date", "date_of_birth")
        return services.submit_dependent_added(
            membership=ctx.membership, subscriber=ctx.subscriber, event=data["event"], event_date=data["event_date"], person=data,
            document=self._document(ctx, data), acting_user=ctx.request.user, today=ctx.today, ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


class TerminateFlow(Flow):
    name, kind, title, form_class = "terminate", Kind.TERMINATION, "Terminate coverage", forms.TerminateForm

    def form_kwargs(self, ctx):
        return {"members": ctx.page.members, "subscriber": ctx.subscriber}

    def initial(self, ctx):
        return {"member": ctx.request.GET.get("member", services.SUBSCRIBER_KEY), "termination_date": ctx.today}

    def to_session(self, ctx, form):
        return _iso({k: v for k, v in form.cleaned_data.items() if k != "dependent"})

    def summary(self, ctx, data):
        data = _dates(data, "termination_date")
        member = _member(ctx, data["member"])
        preview = services.termination_preview(ctx.subscriber, dependent=member.dependent, termination_date=data["termination_date"], today=ctx.today)
        reasons = services.termination_reasons(member.dependent)
        details = [
            ("Coverage of", member.name if member.dependent else "%s and every dependent" % member.name),
            ("Reason", reasons.get(data["reason"], data["reason"])), ("Termination date", data["termination_date"]),
            ("Coverage ends (effective date)", preview["coverage_end"]),
        ]
        notes = []
        if preview["retro"]:
            notes.append("The coverage would end more than %d days in the past: a billing specialist will review the request."
                         % ctx.subscriber.group.retro_days)
        return {"details": details, "premium": preview["premium"], "credit": preview["credit"], "notes": notes}

    def submit(self, ctx, data):
        data = _dates(data, "termination_date")
        return services.submit_termination(
            membership=ctx.membership, subscriber=ctx.subscriber, dependent=_member(ctx, data["member"]).dependent, reason=data["reason"],
            termination_date=data["termination_date"], acting_user=ctx.request.user, today=ctx.today,
            ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


class ReinstateFlow(Flow):
    """No form: the summary says what continues, from when."""

    name, kind, title = "reinstate", Kind.REINSTATEMENT, "Reinstate coverage"

    def summary(self, ctx, data):
        ended = services.reinstatable_row(ctx.subscriber, today=ctx.today)
        return {"details": [
            ("Coverage of", "%s and the dependents it covered" % ctx.subscriber.full_name),
            ("Plan and tier", "%s, %s" % (ended.plan.name, ended.get_tier_display())),
            ("Terminated", "%s (%s)" % (_shown(ended.end), ended.get_termination_reason_display() or "terminated")),
            ("Continues from (effective date)", rules.reinstatement_start(ended.end)),
        ], "notes": ["The coverage continues with no gap, as if it had never ended."]}

    def submit(self, ctx, data):
        return services.submit_reinstatement(
            membership=ctx.membership, subscriber=ctx.subscriber, acting_user=ctx.request.user, today=ctx.today,
            ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


class IDCardFlow(Flow):
    name, kind, title, form_class = "id_cards_order", Kind.ID_CARD_ORDER, "Order member ID cards", forms.IDCardOrderForm

    def form_kwargs(self, ctx):
        return {"members": ctx.page.members, "subscriber": ctx.subscriber}

    def initial(self, ctx):
        return {"members": [m.key for m in ctx.page.members if m.covered and m.removed_on is None], "reason": "new", "ship_to": "subscriber"}

    def summary(self, ctx, data):
        names = ", ".join(_member(ctx, key).name for key in data["members"])
        if data["ship_to"] == IDCardOrder.ShipTo.SUBSCRIBER:
            s = ctx.subscriber
            address = ", ".join(filter(None, [s.address_line1, s.address_line2, s.city, "%s %s" % (s.state, s.zip_code)]))
        else:
            address = ", ".join(filter(None, [data["address_line1"], data["address_line2"], data["city"], "%s %s" % (data["state"], data["zip_code"])]))
        return {"details": [("Cards for", names), ("Reason", IDCardOrder.Reason(data["reason"]).label), ("Mail to", address)],
                "notes": ["A temporary card to print is ready on the order's page once the order is processed."]}

    def submit(self, ctx, data):
        keys = set(data["members"])
        return services.submit_id_card_order(
            membership=ctx.membership, subscriber=ctx.subscriber, include_subscriber=services.SUBSCRIBER_KEY in keys,
            dependents=[m.dependent for m in ctx.page.members if m.key in keys and m.dependent], reason=data["reason"], ship_to=data["ship_to"],
            address={n: data.get(n, "") for n in services.ADDRESS_FIELDS}, acting_user=ctx.request.user, today=ctx.today,
            ip_address=ctx.request.META.get("REMOTE_ADDR"),
        )


def _open_request_link(group, error: ValidationError) -> str:
    params = error.params or {}
    url = reverse("enrollment:request_detail", kwargs={"group_number": group.group_number, "number": params.get("confirmation_number", "")})
    return format_html('A {} for this member is already open: <a href="{}">{}</a>. Wait until it is completed.',
                       params.get("kind", "change"), url, params.get("number", ""))


def _run(request, group, subscriber_number, flow: Flow, dependent_id=None):
    subscriber = _subscriber_or_404(request.membership, subscriber_number)
    today = timezone.localdate()
    ctx = Ctx(request, group, request.membership, subscriber, today, selectors.subscriber_page(request.membership, subscriber, today=today),
              flow_name=flow.name)
    if dependent_id is not None:
        ctx.dependent = get_object_or_404(Dependent.objects.for_membership(request.membership), pk=dependent_id, subscriber=subscriber)
    back = _subscriber_url(subscriber)
    stored = request.session.get(ctx.session_key)

    if request.method == "POST" and "confirm" in request.POST:
        if flow.form_class is not None and stored is None:
            messages.info(request, "That change was already confirmed or has expired; start it again.")
            return redirect(back)
        try:
            change = flow.submit(ctx, stored or {})
        except ValidationError as error:
            request.session.pop(ctx.session_key, None)
            if error.code == "open_request":
                messages.error(request, _open_request_link(group, error))
            else:
                for message in error.messages:
                    messages.error(request, message)
            return redirect(back)
        request.session.pop(ctx.session_key, None)
        return redirect("enrollment:change_confirmed", group_number=group.group_number, number=change.confirmation_number)

    if flow.form_class is None or (request.GET.get("step") == "summary" and stored is not None):
        try:
            summary = flow.summary(ctx, stored or {})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(back)
        summary["details"] = [(label, _shown(value) if isinstance(value, date) else value) for label, value in summary["details"]]
        return render(request, "enrollment/subscriber/change_summary.html", {
            "flow": flow, "subscriber": subscriber, "summary": summary, "back": back, "editable": flow.form_class is not None,
        })

    form_kwargs = flow.form_kwargs(ctx)
    if request.method == "POST":
        form = flow.form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            request.session[ctx.session_key] = flow.to_session(ctx, form)
            return redirect(request.path + "?step=summary")
    else:
        initial = flow.initial(ctx)
        if stored and request.GET.get("step") == "change":
            initial.update({k: v for k, v in stored.items() if k in flow.form_class.base_fields})
        form = flow.form_class(initial=initial, **form_kwargs)
    return render(request, "enrollment/subscriber/change_form.html", {
        "flow": flow, "form": form, "subscriber": subscriber, "back": back, "dependent": ctx.dependent,
    })


@change_view
def update_personal_information(request, group, subscriber_number):
    return _run(request, group, subscriber_number, PersonalInformationFlow())


@change_view
def update_dependent(request, group, subscriber_number, dependent_id):
    return _run(request, group, subscriber_number, DependentNameFlow(), dependent_id=dependent_id)


@change_view
def change_pcp(request, group, subscriber_number):
    return _run(request, group, subscriber_number, PCPFlow())


@change_view
def add_dependent(request, group, subscriber_number):
    return _run(request, group, subscriber_number, AddDependentFlow())


@change_view
def terminate(request, group, subscriber_number):
    return _run(request, group, subscriber_number, TerminateFlow())


@change_view
def reinstate(request, group, subscriber_number):
    return _run(request, group, subscriber_number, ReinstateFlow())


@change_view
def order_id_cards(request, group, subscriber_number):
    return _run(request, group, subscriber_number, IDCardFlow())


@group_view()
def change_confirmed(request, group, number):
    """The confirmation number of a change just confirmed."""
    change = enrollment_selectors.find_request(request.membership, number)
    if change is None:
        raise Http404("No such request.")
    return render(request, "enrollment/subscriber/confirmed.html", {"change_request": change})


# --- ID Cards ----------------------------------------------------------------------------------------------------


@group_view()
def id_cards(request, group):
    """The group's ID card orders; find a subscriber to order cards for."""
    number = request.GET.get("subscriber", "").strip()
    error = ""
    if number:
        found = Subscriber.objects.for_membership(request.membership).filter(subscriber_number=normalize_subscriber_number(number)).first()
        if found:
            return redirect("enrollment:order_id_cards", group_number=group.group_number, subscriber_number=found.subscriber_number)
        error = "No subscriber of this group has that subscriber ID."
    orders = Paginator(selectors.id_card_orders(request.membership), 25).get_page(request.GET.get("page"))
    return render(request, "enrollment/subscriber/id_cards.html", {"orders": orders, "number": number, "error": error})


def _order_or_404(membership, order_id):
    return get_object_or_404(
        IDCardOrder.objects.for_membership(membership).select_related("subscriber", "request", "group").prefetch_related("dependents"), pk=order_id
    )


@group_view()
def id_card_order(request, group, order_id):
    """An order: its members, address and status; "Print a temporary card" once it is processed."""
    return render(request, "enrollment/subscriber/id_card_order.html", {"order": _order_or_404(request.membership, order_id)})


@change_view
def temporary_card(request, group, order_id):
    """Download the order's card PDF (audited)."""
    order = _order_or_404(request.membership, order_id)
    if not order.card_file:
        raise Http404("The cards are not printed yet.")
    documents.audit_download(actor=request.user, group=group, object_type="id_card_order", object_id=str(order.pk),
                             ip_address=request.META.get("REMOTE_ADDR"))
    return FileResponse(documents.open_private_file(order.card_file), as_attachment=True, content_type="application/pdf",
                        filename="id-cards-%s.pdf" % order.subscriber.subscriber_number)


@change_view
def proof_document(request, group, document_id):
    """Download a life event's proof document (audited)."""
    document = get_object_or_404(ProofDocument.objects.for_membership(request.membership).filter(request__isnull=False), pk=document_id)
    documents.audit_download(actor=request.user, group=group, object_type="proof_document", object_id=str(document.pk),
                             ip_address=request.META.get("REMOTE_ADDR"))
    extension = documents.ALLOWED_TYPES[document.content_type]
    return FileResponse(documents.open_private_file(document.stored_name), as_attachment=True, content_type=document.content_type,
                        filename="%s-%d.%s" % (document.kind.replace("_", "-"), document.pk, extension))
