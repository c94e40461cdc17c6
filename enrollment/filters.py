import django_filters

from enrollment.models import Subscriber


class RosterFilter(django_filters.FilterSet):
    """View the roster by subgroup or status, or find someone by subscriber ID or last name."""

    q = django_filters.CharFilter(label="Subscriber ID or last name", method="search")
    subgroup = django_filters.ModelChoiceFilter(queryset=None, label="Subgroup")
    roster_status = django_filters.ChoiceFilter(
        label="Status", choices=[("active", "Active"), ("prospective", "Prospective"), ("terminated", "Terminated")]
    )

    class Meta:
        model = Subscriber
        fields = ["q", "subgroup", "roster_status"]

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Subgroup

        self.filters["subgroup"].queryset = Subgroup.objects.for_group(group)

    def search(self, queryset, name, value):
        return queryset.search(value)
