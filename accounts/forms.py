from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import rules
from accounts.models import Membership, Subgroup
from accounts.tasks import email_password_reset_link
from core.identifiers import group_number_validator, normalize_group_number
from core.phone import PhoneField


def _phones():
    return " or ".join(settings.SUPPORT_PHONES)


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="Username", max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    error_summary_anchors = {"__all__": "id_username"}  # "Please enter a correct username and password" links to the first

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # The pair failed, not one field: both are marked invalid and described by the error summary.
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "error-summary", "class": "is-invalid"})
            raise

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.must_change_password and rules.temporary_password_expired(user.temporary_password_expires_at, timezone.now()):
            raise ValidationError(
                "Your temporary password has expired. Call a billing specialist at %(phones)s to have it reset, "
                "or use “Forgot your password?” below.",
                code="temporary_password_expired",
                params={"phones": _phones()},
            )


def _name_field(label, autocomplete):
    return forms.CharField(label=label, max_length=100, widget=forms.TextInput(attrs={"autocomplete": autocomplete}))


class RegistrationForm(forms.Form):
    """The "Need to Register" form: the company and the person registering."""

    company_name = forms.CharField(label="Company name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    group_number = forms.CharField(
        label="Group ID", max_length=6, validators=[group_number_validator],
        help_text="The 6-digit group ID on your invoice or group contract.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"max_length": "A group ID is 6 digits, e.g. 104522."},
    )
    first_name = _name_field("First name", "given-name")
    last_name = _name_field("Last name", "family-name")
    title = forms.CharField(label="Title", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "organization-title"}))
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = PhoneField(label="Phone")

    def clean_group_number(self):
        return normalize_group_number(self.cleaned_data["group_number"])


class AdditionalUserForm(forms.Form):
    """Another person who should have administrative access to the group."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    title = forms.CharField(label="Title", max_length=100)
    email = forms.EmailField(label="Email address")
    # Preselected, least privilege, and labelled "(default)" so it reads as a default and not as a choice made.
    role = forms.ChoiceField(
        label="Role",
        choices=[(value, label + (" (default)" if value == Membership.Role.READ_ONLY else "")) for value, label in Membership.Role.choices],
        initial=Membership.Role.READ_ONLY,
        help_text="Primary: everything, and manages users. Enrollment, Billing, or Read-only (views only), the default.",
    )


class BaseAdditionalUserFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": "At most %(num)d additional users can be registered at once."}

    def __init__(self, *args, registrant_email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.registrant_email = registrant_email  # the registrant's own, listed above the additional users

    def initial_form_count(self):
        # Rows carried over by "Add another user" without JavaScript stay optional, like new ones.
        return super().initial_form_count() if self.is_bound else 0

    def clean(self):
        super().clean()
        # Each person once: an email repeated (case aside) is refused next to its second appearance.
        seen = {self.registrant_email.lower()} if self.registrant_email else set()
        for form in self.forms:
            email = (getattr(form, "cleaned_data", None) or {}).get("email", "").lower()
            if email and email in seen:
                form.add_error("email", ValidationError("This email is already listed above.", code="duplicate_email"))
            seen.add(email)


AdditionalUserFormSet = forms.formset_factory(
    AdditionalUserForm, formset=BaseAdditionalUserFormSet, extra=0, max_num=20, validate_max=True, absolute_max=20
)


ALL_SUBGROUPS, ONLY_THESE_SUBGROUPS = "all", "only"


class SubgroupLimitForm(forms.Form):
    """Which subgroups an admin sees: "All subgroups", or "Only these subgroups" and a list.

    `subgroups` offers the subgroups the acting primary admin's membership reaches (the
    whole group); a forged id of another group's subgroup is an invalid choice. After
    cleaning, `cleaned_data["subgroups"]` is the limit (empty for all subgroups).
    """

    access = forms.ChoiceField(
        label="Subgroups this admin sees", widget=forms.RadioSelect, initial=ALL_SUBGROUPS,
        choices=[(ALL_SUBGROUPS, "All subgroups"), (ONLY_THESE_SUBGROUPS, "Only these subgroups")],
        help_text="An admin limited to some subgroups sees and changes only the subscribers of those subgroups.",
    )
    subgroups = forms.ModelMultipleChoiceField(
        label="Only these subgroups", queryset=Subgroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, membership, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = membership.group
        self.role = role
        self.fields["subgroups"].queryset = Subgroup.objects.for_membership(membership).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("access") == ALL_SUBGROUPS:
            data["subgroups"] = []  # ticked boxes under "All subgroups" mean nothing
        elif data.get("access") == ONLY_THESE_SUBGROUPS and "subgroups" in data and not data["subgroups"]:
            self.add_error("subgroups", ValidationError("Tick at least one subgroup, or choose All subgroups.", code="no_subgroup"))
        role = data.get("role", self.role)
        if data.get("subgroups") and role:
            try:
                rules.check_subgroup_limit(role=role, group_id=self.group.pk, subgroup_group_ids=[s.group_id for s in data["subgroups"]])
            except ValidationError as error:
                self.add_error("access", error)
        return data


class NewUserForm(SubgroupLimitForm, AdditionalUserForm):
    """A primary admin asks for another admin user of the group, perhaps limited to some subgroups."""

    phone = PhoneField(label="Phone", required=False)
    field_order = ["first_name", "last_name", "title", "email", "phone", "role", "access", "subgroups"]


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code", max_length=16,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").strip()


class RemoveMfaForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError("Your password is not right.", code="password_incorrect")
        return self.cleaned_data["password"]


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's self-service reset, with the email sent by the Celery task instead of in the request."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        # Only the user's id and the site travel through the broker: the worker makes the link's token.
        user_id, site = context["user"].pk, "%s://%s" % (context["protocol"], context["domain"])
        transaction.on_commit(lambda: email_password_reset_link.delay(user_id=user_id, site=site))
