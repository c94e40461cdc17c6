"""The error summary at the top of every form: "There is a problem", and a link to each field in error."""

from django import forms, template
from django.forms.forms import NON_FIELD_ERRORS

register = template.Library()

CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _anchor(form, name):
    """The id a link to this field should focus: its input, or the first of its radio buttons."""
    anchors = getattr(form, "error_summary_anchors", {})
    if name in anchors:
        return anchors[name]
    if name == NON_FIELD_ERRORS or name not in form.fields:
        return ""
    field = form[name]
    return field.auto_id + ("_0" if isinstance(field.field.widget, CHOICE_WIDGETS) else "")


def _form_items(form, label_prefix=""):
    items = []
    for name, errors in form.errors.items():
        label = "" if name == NON_FIELD_ERRORS or name not in form.fields else form.fields[name].label or name
        text_prefix = label_prefix + (label + ": " if label else "")
        items += [(_anchor(form, name), text_prefix + message) for message in errors]
    return items


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_and_formsets, item_label=""):
    """Summarize the errors of the given forms and formsets (a formset's forms named "<item_label> N")."""
    items = []
    for each in forms_and_formsets:
        if each is None or not each.is_bound:
            continue
        if isinstance(each, forms.BaseFormSet):
            items += [("", message) for message in each.non_form_errors()]
            for number, form in enumerate(each.forms, start=1):
                items += _form_items(form, label_prefix="%s %d, " % (item_label or "Item", number))
        else:
            items += _form_items(each)
    return {"items": items}
