"""Pieces every app's Django admin shares (portal sits below accounts, enrollment and billing)."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows history: nothing added, changed or deleted from here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(admin.ModelAdmin):
    """History: nothing added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


def with_reason(modeladmin, request, queryset, *, action: str, title: str, intro: str, label: str, submit: str, apply):
    """Ask for a reason first, then call `apply(obj, reason)` for each selected object (an admin action's body).

    Return the action's response: the reason page until a reason is given, then None
    (back to the changelist, with `apply`'s messages).
    """
    form = ReasonForm(request.POST if "apply" in request.POST else None, label=label)
    if form.is_valid():
        for obj in queryset:
            apply(obj, form.cleaned_data["reason"])
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "submit": submit,
        "action": action,
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/ask_reason.html", context)
