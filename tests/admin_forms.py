"""Build the POST of a Django admin change page from the page itself, as a browser would send it unchanged."""


def change_form_data(response) -> dict:
    """Return the POST data of the admin change form `response` shows (its fields and every inline's)."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue  # an empty field, an unticked box: a browser sends nothing
        widget = form.fields[name].widget
        if hasattr(widget, "widgets") and not isinstance(value, (list, tuple)):  # a split date and time
            for index, (part, subwidget) in enumerate(zip(widget.decompress(value), widget.widgets)):
                data["%s_%d" % (key, index)] = subwidget.format_value(part) or ""
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[key] = str(getattr(value, "pk", value))
