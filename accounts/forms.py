from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils import timezone

from accounts import rules
from accounts.models import Membership

group_number_validator = RegexValidator(r"^\d{6}$", "A group ID is 6 digits, e.g. 104522.", code="group_id_format")


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


class PhoneField(forms.CharField):
    """A US phone number, stored as 503-574-5791."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        kwargs.setdefault("help_text", "A US number, e.g. 503-574-5791.")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        normalized = rules.normalize_us_phone(value)
        if normalized is None:
            raise ValidationError("Enter a 10-digit US phone number, e.g. 503-574-5791.", code="phone_format")
        return normalized


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
        return self.cleaned_data["group_number"].strip()


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


class NewUserForm(AdditionalUserForm):
    """A primary admin asks for another admin user of the group."""

    phone = PhoneField(label="Phone", required=False)
    field_order = ["first_name", "last_name", "title", "email", "phone", "role"]


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
        from accounts.tasks import email_password_reset_link

        user_id, site = context["user"].pk, "%s://%s" % (context["protocol"], context["domain"])
        transaction.on_commit(lambda: email_password_reset_link.delay(user_id=user_id, site=site))
