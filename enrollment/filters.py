import django_filters
from django import forms
from django.db.models import Q

from accounts.models import Subgroup
from core.identifiers import looks_like_subscriber_number, normalize_subscriber_number
from enrollment.models import ChangeRequest, Coverage, Plan, Subscriber, Tier


class RosterFilter(django_filters.FilterSet):
    """View the roster by subgroup or status, or find someone by subscriber ID or last name."""

    q = django_filters.CharFilter(label="Subscriber ID or last name", method="search")
    subgroup = django_filters.ModelChoiceFilter(queryset=None, label="Subgroup")
    roster_status = django_filters.ChoiceFilter(
        label="Status", choices=[("active", "Active"), ("prospective", "Prospective"), ("terminated", "Terminated")]
    )
    plan = django_filters.ModelChoiceFilter(queryset=None, label="Plan", method="filter_plan")
    tier = django_filters.ChoiceFilter(label="Tier", choices=Tier.choices, method="filter_tier")

    class Meta:
        model = Subscriber
        fields = ["q", "subgroup", "roster_status", "plan", "tier"]

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["subgroup"].queryset = Subgroup.objects.for_membership(membership)
        self.filters["plan"].queryset = Plan.objects.filter(
            pk__in=Coverage.objects.for_membership(membership).live().values("plan")
        ).order_by("name")

    # On the roster's coverage (enrollment.selectors.with_coverage_columns).
    def filter_plan(self, queryset, name, value):
        return queryset.filter(roster_plan=value.name) if value else queryset

    def filter_tier(self, queryset, name, value):
        return queryset.filter(roster_tier=value) if value else queryset

    def search(self, queryset, name, value):
        return queryset.search(value)


class RequestFilter(django_filters.FilterSet):
    """Track Requests: by status, kind, subscriber (name or ID) and date submitted."""

    status = django_filters.ChoiceFilter(label="Status", choices=ChangeRequest.Status.choices)
    kind = django_filters.ChoiceFilter(label="Kind", choices=ChangeRequest.Kind.choices)
    subscriber = django_filters.CharFilter(label="Subscriber name or ID", method="filter_subscriber")
    submitted_from = django_filters.DateFilter(
        label="Submitted from", field_name="submitted_at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = django_filters.DateFilter(
        label="Submitted to", field_name="submitted_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = ChangeRequest
        fields = ["status", "kind", "subscriber", "submitted_from", "submitted_to"]

    def filter_subscriber(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if looks_like_subscriber_number(value):
            return queryset.filter(subscriber__subscriber_number__startswith=normalize_subscriber_number(value))
        condition = Q()
        for word in value.split():
            condition &= Q(subscriber__first_name__icontains=word) | Q(subscriber__last_name__icontains=word)
        return queryset.filter(condition)
