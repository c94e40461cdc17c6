import django_tables2 as tables

from enrollment.models import Subscriber


class RosterTable(tables.Table):
    subscriber_id = tables.Column(verbose_name="Subscriber ID", default="(pending)")
    name = tables.Column(verbose_name="Name", accessor="last_name", order_by=("last_name", "first_name"))
    subgroup = tables.Column(verbose_name="Subgroup", accessor="subgroup__name")
    hire_date = tables.DateColumn(verbose_name="Hire date", format="m/d/Y")
    roster_status = tables.Column(verbose_name="Status")

    class Meta:
        model = Subscriber
        fields = ("subscriber_id", "name", "subgroup", "hire_date", "roster_status")
        attrs = {"class": "table table-sm table-striped"}
        per_page = 50

    def render_name(self, record):
        return "%s, %s%s" % (record.last_name, record.first_name, " " + record.middle_initial + "." if record.middle_initial else "")

    def render_roster_status(self, value):
        return value.capitalize()
