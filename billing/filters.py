"""Filters of an invoice's subscriber list (the invoice search is billing.forms.InvoiceSearchForm)."""

import django_filters

from accounts.models import Subgroup
from billing.forms import style_fields
from billing.models import InvoiceLine
from core.identifiers import looks_like_subscriber_number, normalize_subscriber_number
from enrollment.models import Plan, Tier


class InvoiceLineFilter(django_filters.FilterSet):
    """The subscriber list, by subscriber ID or last name, subgroup, plan, tier and kind of line."""

    q = django_filters.CharFilter(label="Subscriber ID or last name", method="search")
    subgroup = django_filters.ModelChoiceFilter(queryset=None, label="Subgroup")
    plan = django_filters.ModelChoiceFilter(queryset=None, label="Plan")
    tier = django_filters.ChoiceFilter(label="Tier", choices=Tier.choices)
    kind = django_filters.ChoiceFilter(label="Kind", choices=InvoiceLine.Kind.choices)

    class Meta:
        model = InvoiceLine
        fields = ["q", "subgroup", "plan", "tier", "kind"]

    def __init__(self, *args, membership, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["subgroup"].queryset = Subgroup.objects.for_membership(membership)
        self.filters["plan"].queryset = Plan.objects.filter(pk__in=InvoiceLine.objects.filter(invoice=invoice).values("plan"))

    @property
    def form(self):
        form = super().form
        style_fields(form)
        return form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if looks_like_subscriber_number(value):
            return queryset.filter(subscriber__subscriber_number__startswith=normalize_subscriber_number(value))
        return queryset.filter(subscriber__last_name__istartswith=value)
