import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.templatetags.core_tags import usd
from enrollment.models import Subscriber


class RosterTable(tables.Table):
    region_label = "Roster"
    subscriber_number = tables.Column(verbose_name="Subscriber ID", default="(pending)")
    name = tables.Column(verbose_name="Name", accessor="last_name", order_by=("last_name", "first_name"))
    subgroup = tables.Column(verbose_name="Subgroup", accessor="subgroup__name")
    hire_date = tables.DateColumn(verbose_name="Hire date")
    roster_status = tables.Column(verbose_name="Status")
    # The coverage the roster shows and its premium (enrollment.selectors.with_coverage_columns).
    roster_plan = tables.Column(verbose_name="Plan", default="")
    roster_tier = tables.Column(verbose_name="Tier", default="")
    roster_dependents = tables.Column(verbose_name="Dependents", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    monthly_premium = tables.Column(verbose_name="Monthly premium", default="", attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})

    class Meta:
        model = Subscriber
        fields = ("subscriber_number", "name", "subgroup", "hire_date", "roster_status", "roster_plan", "roster_tier", "roster_dependents", "monthly_premium")
        attrs = {"class": "table table-sm table-striped"}
        per_page = 50

    def render_name(self, record):
        name = "%s, %s%s" % (record.last_name, record.first_name, " " + record.middle_initial + "." if record.middle_initial else "")
        # The subscriber page; a pending subscriber (no ID until processed) links to their latest request.
        group_number = self.request.group.group_number
        if record.subscriber_number:
            url = reverse("enrollment:subscriber_detail", kwargs={"group_number": group_number, "subscriber_number": record.subscriber_number})
        elif getattr(record, "latest_request_number", None):
            url = reverse("enrollment:request_detail", kwargs={"group_number": group_number, "number": record.latest_request_number})
        else:
            return name
        return format_html('<a href="{}">{}</a>', url, name)

    def render_roster_status(self, value):
        return value.capitalize()

    def render_monthly_premium(self, value):
        return usd(value)


class RequestTable(tables.Table):
    """Track Requests: one row per request, linking to its page."""

    region_label = "Requests"
    confirmation_number = tables.Column(verbose_name="Confirmation number")
    kind = tables.Column(verbose_name="Kind")
    subscriber = tables.Column(verbose_name="Subscriber", accessor="subscriber__last_name", order_by=("subscriber__last_name", "subscriber__first_name"), default="")
    submitted_by = tables.Column(verbose_name="Submitted by", accessor="submitted_by__last_name", order_by=("submitted_by__last_name",))
    submitted_at = tables.DateTimeColumn(verbose_name="Submitted at")
    status = tables.Column(verbose_name="Status")

    class Meta:
        fields = ("confirmation_number", "kind", "subscriber", "submitted_by", "submitted_at", "status")
        attrs = {"class": "table table-sm table-striped", "data-testid": "requests-table"}
        order_by = ("-submitted_at",)
        per_page = 25

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group

    def render_confirmation_number(self, record):
        url = reverse("enrollment:request_detail", kwargs={"group_number": self.group.group_number, "number": record.confirmation_number})
        return format_html('<a href="{}">{}</a>', url, record.display_number)

    def render_kind(self, record):
        return record.get_kind_display()

    def render_status(self, record):
        return record.get_status_display()

    def render_subscriber(self, record):
        subscriber = record.subscriber
        if subscriber is None:
            return ""
        return "%s%s" % (subscriber.full_name, " (%s)" % subscriber.subscriber_number if subscriber.subscriber_number else "")

    def render_submitted_by(self, record):
        return record.submitted_by.get_full_name() or record.submitted_by.username
