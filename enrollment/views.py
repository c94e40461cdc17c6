from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from accounts.access import group_view
from accounts.models import ENROLLMENT_ROLES, Subgroup
from core import csv_download
from enrollment import oe_forms, selectors, services, wizard
from enrollment.filters import RequestFilter, RosterFilter
from enrollment.forms import MAX_DEPENDENTS, DependentFormSet, FindRequestForm, PlanForm, SubscriberForm
from enrollment.maintenance.selectors import latest_request_number
from enrollment.models import RequestEvent, Tier
from enrollment.tables import RequestTable, RosterTable

enrollment_view = group_view(allow=ENROLLMENT_ROLES)


def _roster_rows(request, group, *, linked=False):
    """Return the roster filter for the page (`linked`: with each pending subscriber's latest request) or the CSV."""
    today = timezone.localdate()
    queryset = selectors.with_coverage_columns(selectors.roster(request.membership, today), group, today)
    if linked:
        queryset = queryset.annotate(latest_request_number=latest_request_number())
    return RosterFilter(request.GET, queryset=queryset, membership=request.membership)


@group_view()
def roster(request, group):
    """View the subscriber roster by group, subgroup or prospective subscribers, with plan, tier, dependents and premium."""
    roster_filter = _roster_rows(request, group, linked=True)
    table = RosterTable(roster_filter.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "enrollment/roster.html", {"filter": roster_filter, "table": table})


@group_view()
def roster_csv(request, group):
    """Download the roster as filtered (every page) as CSV, streamed."""
    rows = _roster_rows(request, group).qs.order_by("last_name", "first_name", "pk")
    return csv_download.stream("roster-%s.csv" % group.group_number, ROSTER_CSV_HEADER, (roster_csv_row(s) for s in rows.iterator(chunk_size=2000)))


ROSTER_CSV_HEADER = ["Subscriber ID", "Last name", "First name", "Subgroup", "Status", "Hire date", "Plan", "Tier", "Dependents", "Monthly premium"]


def roster_csv_row(subscriber) -> list:
    return [
        subscriber.subscriber_number or "", csv_download.text(subscriber.last_name), csv_download.text(subscriber.first_name),
        csv_download.text(subscriber.subgroup.name), subscriber.roster_status, subscriber.hire_date.isoformat(),
        csv_download.text(subscriber.roster_plan or ""), subscriber.roster_tier or "", subscriber.roster_dependents,
        subscriber.monthly_premium if subscriber.monthly_premium is not None else "",
    ]


# --- New Enrollment wizard ------------------------------------------------------------------


def _step_url(group, draft, step):
    return reverse("enrollment:enrollment_%s" % step, kwargs={"group_number": group.group_number, "draft_id": draft.pk})


def _open_draft(request, group, draft_id, step):
    """Return (draft, None), or (None, a redirect) for a confirmed draft or a step whose earlier steps are not done."""
    draft = get_object_or_404(selectors.drafts_of(request.membership, request.user), pk=draft_id)
    if draft.request_id:
        return None, redirect("enrollment:enrollment_confirmation", group_number=group.group_number, draft_id=draft.pk)
    missing = wizard.first_missing_step(draft.data, step)
    if missing:
        messages.info(request, "Complete the %s step first." % wizard.STEP_LABELS[missing])
        return None, redirect(_step_url(group, draft, missing))
    return draft, None


def _render_step(request, group, draft, step, context, template=None):
    context.update(
        draft=draft,
        step=step,
        steps=[(s, wizard.STEP_LABELS[s], draft is not None and wizard.completed(draft.data, s)) for s in wizard.STEPS],
    )
    return render(request, template or "enrollment/wizard_%s.html" % step, context)


@enrollment_view
def new_enrollment(request, group):
    """Step 1 of a new enrollment (the draft is created on its first save)."""
    return _subscriber_step(request, group, None)


@enrollment_view
def enrollment_subscriber(request, group, draft_id):
    draft, response = _open_draft(request, group, draft_id, "subscriber")
    if response is None and wizard.is_open_enrollment(draft.data):
        # Begin Enrollment keeps the subscriber on file as they are: the step only shows them.
        return _render_step(request, group, draft, "subscriber", {"summary": wizard.build_summary(group, draft.data, today=group.today())},
                            template="enrollment/open_enrollment/begin_subscriber.html")
    return response or _subscriber_step(request, group, draft)


def _subscriber_step(request, group, draft):
    today = timezone.localdate()
    saved = wizard.subscriber_dates(draft.data) if draft else {}
    kwargs = {"membership": request.membership, "today": today, "ssn_last4": saved.get("ssn_last4", ""), "ssn_hash": saved.get("ssn_hash", "")}
    if request.method == "POST":
        form = SubscriberForm(request.POST, **kwargs)
        if form.is_valid():
            draft = services.save_subscriber_step(group=group, acting_user=request.user, draft=draft, cleaned_data=form.cleaned_data)
            return redirect(_step_url(group, draft, "plan"))
    else:
        initial = {k: v for k, v in saved.items() if not k.startswith("ssn")}
        if saved:
            initial["subgroup"] = saved.get("subgroup_id")
        form = SubscriberForm(initial=initial, **kwargs)
    drafts = [] if draft else list(selectors.open_drafts(request.membership, request.user)[:5])
    return _render_step(request, group, draft, "subscriber", {"form": form, "open_drafts": drafts})


@enrollment_view
def enrollment_plan(request, group, draft_id):
    draft, response = _open_draft(request, group, draft_id, "plan")
    if response:
        return response
    sub = wizard.subscriber_dates(draft.data)
    subgroup = get_object_or_404(Subgroup.objects.for_membership(request.membership), pk=sub["subgroup_id"])
    kwargs = {"group": group, "subgroup": subgroup, "hire_date": sub["hire_date"]}
    start = wizard.coverage_start_of(draft.data) or wizard.proposed_coverage_start(group, draft.data)
    form_class = PlanForm
    if wizard.is_open_enrollment(draft.data):
        form_class, kwargs["renewal_date"] = oe_forms.BeginPlanForm, wizard.proposed_coverage_start(group, draft.data)
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            services.save_plan_step(draft=draft, cleaned_data=form.cleaned_data)
            return redirect(_step_url(group, draft, "dependents" if not wizard.completed(draft.data, "dependents") else "summary"))
        if form.cleaned_data.get("coverage_start"):
            start = form.cleaned_data["coverage_start"]
        selected = request.POST.get("plan", "")
    else:
        saved = draft.data.get("plan") or {}
        form = form_class(initial={"plan": saved.get("plan_id"), "coverage_start": start.isoformat()}, **kwargs)
        selected = str(saved.get("plan_id", ""))
    plan_year, cards = wizard.plan_cards(group, draft.data, start)
    tier = wizard.tier_of(draft.data)
    return _render_step(request, group, draft, "plan", {
        "form": form, "cards": cards, "plan_year": plan_year, "selected": selected, "subgroup": subgroup,
        "tier_label": Tier(tier).label, "coverage_start": start,
    })


@enrollment_view
def enrollment_dependents(request, group, draft_id):
    draft, response = _open_draft(request, group, draft_id, "dependents")
    if response:
        return response
    sub = wizard.subscriber_dates(draft.data)
    saved = wizard.dependents_of(draft.data)
    form_kwargs = {
        "subscriber_date_of_birth": sub["date_of_birth"],
        "coverage_start": wizard.coverage_start_of(draft.data),
        "today": timezone.localdate(),
        "ssn_on_file": {d["key"]: d.get("ssn_last4", "") for d in saved},
    }
    initial = [
        {k: v for k, v in d.items() if not k.startswith("ssn")}
        | {
            "elect_coverage": "yes" if d.get("elect_coverage") else "no",
            "has_other_coverage": "" if d.get("elect_coverage") else ("yes" if d.get("has_other_coverage") else "no"),
        }
        for d in saved
    ]
    open_enrollment = wizard.is_open_enrollment(draft.data)
    formset_class = oe_forms.BeginDependentFormSet if open_enrollment else DependentFormSet
    if request.method == "POST":
        # Begin Enrollment's dependents on file have locked fields, which take their values from the initial data.
        formset = formset_class(request.POST, prefix="dep", form_kwargs=form_kwargs, **({"initial": initial} if open_enrollment else {}))
        if formset.is_valid():
            kept = oe_forms.kept_dependents(formset, open_enrollment=open_enrollment)
            adding = request.POST.get("action") == "add"
            services.save_dependents_step(draft=draft, cleaned_forms=kept, done=not adding)
            if adding and len(kept) >= MAX_DEPENDENTS:
                messages.info(request, "At most %d dependents can be entered here." % MAX_DEPENDENTS)
                return redirect(_step_url(group, draft, "dependents"))
            if adding:
                return redirect(_step_url(group, draft, "dependents") + "?add=1#dependent-%d" % (len(kept) + 1))
            return redirect(_step_url(group, draft, "summary"))
    else:
        formset = formset_class(prefix="dep", initial=initial, form_kwargs=form_kwargs)
        if request.GET.get("add") and len(saved) < MAX_DEPENDENTS:
            formset.extra = 1
    return _render_step(request, group, draft, "dependents", {"formset": formset})


@enrollment_view
def enrollment_summary(request, group, draft_id):
    draft, response = _open_draft(request, group, draft_id, "summary")
    if response:
        return response
    summary = wizard.build_summary(group, draft.data, today=timezone.localdate())
    return _render_step(request, group, draft, "summary", {"summary": summary})


@enrollment_view
@require_POST
def enrollment_confirm(request, group, draft_id):
    """Confirm: create the request. A second click (or a second tab) gets the same request."""
    draft = get_object_or_404(selectors.drafts_of(request.membership, request.user), pk=draft_id)
    # Open enrollment's window follows the group's own date.
    today = group.today() if wizard.is_open_enrollment(draft.data) else timezone.localdate()
    try:
        services.confirm_new_enrollment(
            group=group, draft_id=draft.pk, acting_user=request.user, today=today,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ValidationError as error:
        if error.code == "step_missing":
            messages.info(request, error.messages[0])
            return redirect(_step_url(group, draft, error.params["step"]))
        for message in error.messages:
            messages.error(request, message)
        return redirect(_step_url(group, draft, "summary"))
    return redirect("enrollment:enrollment_confirmation", group_number=group.group_number, draft_id=draft.pk)


@enrollment_view
@require_http_methods(["GET", "POST"])
def enrollment_discard(request, group, draft_id):
    """Ask first (a page that works without JavaScript), then delete the unconfirmed draft."""
    draft = get_object_or_404(selectors.open_drafts(request.membership, request.user), pk=draft_id)
    if request.method == "GET":
        context = {"draft": draft, "continue_url": _step_url(group, draft, wizard.current_step(draft.data))}
        return render(request, "enrollment/discard_draft.html", context)
    services.discard_draft(draft=draft)
    messages.info(request, "The enrollment in progress was discarded.")
    return redirect("group_home", group_number=group.group_number)


@enrollment_view
def enrollment_confirmation(request, group, draft_id):
    draft = get_object_or_404(
        selectors.drafts_of(request.membership, request.user).filter(request__isnull=False).select_related("request"), pk=draft_id
    )
    return render(request, "enrollment/confirmation.html", {"change_request": draft.request})


# --- Track Requests ---------------------------------------------------------------------------


@group_view()
def track_requests(request, group):
    """List the group's requests, filtered, sorted and paginated; or jump to one by confirmation number."""
    find = FindRequestForm(request.GET if "number" in request.GET else None)
    if find.is_bound and find.is_valid():
        found = selectors.find_request(request.membership, find.cleaned_data["number"])
        if found:
            return redirect("enrollment:request_detail", group_number=group.group_number, number=found.confirmation_number)
        find.add_error("number", "No request of this group has that confirmation number.")
    request_filter = RequestFilter(request.GET if "number" not in request.GET else None, queryset=selectors.requests_for(request.membership))
    table = RequestTable(request_filter.qs, group=group)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "enrollment/track_requests.html", {"filter": request_filter, "table": table, "find": find})


def _request_or_404(membership, number):
    found = selectors.find_request(membership, number)
    if found is None:
        raise Http404("No such request.")
    return found


@group_view()
def request_detail(request, group, number):
    """Show what was asked (the snapshot) and the status timeline."""
    change_request = _request_or_404(request.membership, number)
    events = RequestEvent.objects.for_membership(request.membership).filter(request=change_request).select_related("actor")
    return render(request, "enrollment/request_detail.html", {"change_request": change_request, "events": events})


@group_view()
def request_print(request, group, number):
    change_request = _request_or_404(request.membership, number)
    return render(request, "enrollment/request_print.html", {"change_request": change_request, "printed_at": timezone.now()})
