import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_ratelimit.core import is_ratelimited

from accounts import selectors, services
from accounts.access import group_view
from accounts.forms import (
    ALL_SUBGROUPS,
    ONLY_THESE_SUBGROUPS,
    AdditionalUserFormSet,
    LoginForm,
    NewUserForm,
    QueuedPasswordResetForm,
    RegistrationForm,
    RemoveMfaForm,
    SubgroupLimitForm,
    TokenForm,
)
from accounts.models import PRIMARY_ONLY, Membership
from accounts.signals import client_ip

REGISTRATION_RATE = "5/h"  # accepted registrations per client address (as django-axes resolves it)
REGISTRATION_POST_RATE = "30/h"  # every POST to the page, valid or not, per client address: against abuse
PERSON_FIELDS = ("first_name", "last_name", "title", "email", "phone", "role")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    """After login: straight to the one group's home, or pick a group."""
    memberships = list(request.user.memberships_active())
    if len(memberships) == 1:
        return redirect("group_home", group_number=memberships[0].group.group_number)
    if not memberships and request.user.is_staff:
        return redirect("admin:index")
    return render(request, "accounts/pick_group.html", {"memberships": memberships})


# --- Need to Register ----------------------------------------------------------------------------


def _client_address(group, request):
    return client_ip(request) or "unknown"


def register(request):
    """Show and take the "Need to Register" form; the answer never says whether the group ID exists or an email has an account.

    Two limits per client address: 5 registrations accepted an hour (a person correcting typos
    is never shut out), and 30 posts of the page an hour whatever they hold (abuse).
    """
    if request.method == "POST" and is_ratelimited(
        request, group="register-posts", key=_client_address, rate=REGISTRATION_POST_RATE, increment=True
    ):
        return render(request, "429.html", {"reason": "Too many registration attempts came from your address in the last hour."}, status=429)
    if request.method == "POST" and "add_user" in request.POST:
        # "Add another user" without JavaScript: the same page with one more blank row.
        form, formset = _carried_over_forms(request.POST)
        return render(request, "accounts/register.html", {"form": form, "formset": formset})
    form = RegistrationForm(request.POST or None)
    if form.is_bound:
        form.is_valid()  # cleaned_data then holds each field that passed: the registrant's email, if it did
    registrant_email = getattr(form, "cleaned_data", {}).get("email", "")
    formset = AdditionalUserFormSet(request.POST or None, prefix="users", registrant_email=registrant_email)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            if is_ratelimited(request, group="register", key=_client_address, rate=REGISTRATION_RATE, increment=True):
                form.add_error(
                    None,
                    ValidationError(
                        "Too many registrations were sent from your address. Try again in an hour, or call a billing "
                        "specialist at %(phones)s.", code="rate_limited", params={"phones": " or ".join(settings.SUPPORT_PHONES)},
                    ),
                )
                return render(request, "accounts/register.html", {"form": form, "formset": formset}, status=429)
            data = form.cleaned_data
            services.submit_registration(
                company_name=data["company_name"],
                group_number=data["group_number"],
                registrant={k: data[k] for k in PERSON_FIELDS if k in data},
                additional_users=[{k: f.cleaned_data.get(k) for k in PERSON_FIELDS} for f in formset.forms if f.has_changed()],
                ip_address=client_ip(request),
            )
            return redirect("accounts:registration_submitted")
    return render(request, "accounts/register.html", {"form": form, "formset": formset})


def _carried_over_forms(data):
    form = RegistrationForm(initial={name: data.get(name, "") for name in RegistrationForm.base_fields})
    try:
        count = min(int(data.get("users-TOTAL_FORMS", 0)), 19)
    except ValueError:
        count = 0
    rows = [
        {name: data.get("users-%d-%s" % (i, name), "") for name in AdditionalUserFormSet.form.base_fields}
        for i in range(count)
    ]
    formset_class = type(AdditionalUserFormSet.__name__, (AdditionalUserFormSet,), {"extra": count + 1})
    return form, formset_class(initial=rows, prefix="users")


def registration_submitted(request):
    return render(request, "accounts/registration_submitted.html")


# --- Passwords -----------------------------------------------------------------------------------


@login_required
def password_change(request):
    """Change one's password; the first login with a temporary password lands here first."""
    forced = request.user.must_change_password
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(user=request.user, new_password=form.cleaned_data["new_password1"], ip_address=client_ip(request))
        update_session_auth_hash(request, request.user)  # this session stays; every other one ends
        messages.success(request, "Your password was changed.")
        return redirect("accounts:home" if forced else "accounts:my_account")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        services.change_password(
            user=form.user, new_password=form.cleaned_data["new_password1"], ip_address=client_ip(self.request), via_reset_link=True
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


# --- Session -------------------------------------------------------------------------------------


@require_POST
def keep_alive(request):
    """ "Stay signed in": the request itself is the activity (see SessionTimeoutMiddleware)."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    if request.headers.get("x-requested-with") == "fetch":
        return JsonResponse({"signed_in": True, "idle_seconds": settings.SESSION_IDLE_SECONDS})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("accounts:home")
    return redirect(back)


# --- My account and two-factor authentication ------------------------------------------------------


@login_required
def my_account(request, remove_form=None):
    context = {
        "has_mfa": selectors.has_mfa(request.user),
        "mfa_required": selectors.mfa_required_for(request.user),
        "remove_form": remove_form or RemoveMfaForm(user=request.user),
        "memberships": request.user.memberships_active().prefetch_related("subgroups"),
    }
    return render(request, "accounts/my_account.html", context)


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def mfa_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    if selectors.has_mfa(request.user):
        messages.info(request, "Two-factor authentication is already set up. Remove it first to set up a new app.")
        return redirect("accounts:my_account")
    device = services.start_totp_setup(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_totp_setup(user=request.user, device=device, token=form.cleaned_data["token"], ip_address=client_ip(request))
        except ValidationError as error:
            form.add_error("token", error)
        else:
            otp_login(request, device)
            request.session["mfa_recovery_codes"] = codes
            return redirect("accounts:mfa_recovery_codes")
    key = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_data_uri": _qr_data_uri(device.config_url),
        "manual_key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "required": selectors.mfa_required_for(request.user),
    }
    return render(request, "accounts/mfa_setup.html", context)


@login_required
def mfa_recovery_codes(request):
    codes = request.session.pop("mfa_recovery_codes", None)
    if not codes:
        return redirect("accounts:my_account")
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})


@login_required
def mfa_verify(request):
    """Ask for the second step of signing in: a code from the user's authenticator app."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("accounts:home")
    if request.user.is_verified():
        return redirect(next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error("token", ValidationError("That code is not right, or it was already used.", code="invalid_token"))
        else:
            otp_login(request, device)
            return redirect(next_url)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def mfa_remove(request):
    form = RemoveMfaForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.remove_mfa(user=request.user, ip_address=client_ip(request))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Two-factor authentication was removed.")
            return redirect("accounts:my_account")
    else:
        return my_account(request, remove_form=form)  # redrawn with the error next to the password, and summarized
    return redirect("accounts:my_account")


# --- Manage users (primary admins) ----------------------------------------------------------------------


@group_view(allow=PRIMARY_ONLY)
def manage_users(request, group):
    context = {"admins": selectors.group_admins(request.membership), "pending": selectors.pending_new_user_requests(group)}
    return render(request, "accounts/manage_users.html", context)


@group_view(allow=PRIMARY_ONLY)  # outermost: another group's admin gets 404, not 405
@require_http_methods(["GET", "POST"])
def deactivate_user(request, group, membership_pk):
    """Ask first (a page that works without JavaScript), then end the user's access."""
    membership = get_object_or_404(Membership.objects.for_membership(request.membership).select_related("user"), pk=membership_pk, is_active=True)
    if request.method == "GET":
        return render(request, "accounts/deactivate_user.html", {"target": membership})
    try:
        services.deactivate_membership(membership=membership, acting_user=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "%s no longer has access, and was signed out." % (membership.user.get_full_name() or membership.user.username))
    return redirect("accounts:manage_users", group_number=group.group_number)


@group_view(allow=PRIMARY_ONLY)
def membership_subgroups(request, group, membership_pk):
    """Change which subgroups an admin sees ("All subgroups" or "Only these subgroups"); the change is a POST."""
    membership = get_object_or_404(
        Membership.objects.for_membership(request.membership).select_related("user").prefetch_related("subgroups"),
        pk=membership_pk, is_active=True,
    )
    current = list(membership.subgroups.all())
    initial = {"access": ONLY_THESE_SUBGROUPS if current else ALL_SUBGROUPS, "subgroups": current}
    form = SubgroupLimitForm(request.POST or None, membership=request.membership, role=membership.role, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.set_membership_subgroups(
                membership=membership, subgroups=form.cleaned_data["subgroups"], acting_user=request.user, ip_address=client_ip(request)
            )
        except ValidationError as error:
            form.add_error("access", error)
        else:
            name = membership.user.get_full_name() or membership.user.username
            if changed:
                messages.success(request, "%s now sees %s." % (name, _limit_phrase(form.cleaned_data["subgroups"])))
            else:
                messages.info(request, "%s still sees %s: nothing changed." % (name, _limit_phrase(form.cleaned_data["subgroups"])))
            return redirect("accounts:manage_users", group_number=group.group_number)
    return render(request, "accounts/membership_subgroups.html", {"form": form, "admin": membership})


def _limit_phrase(subgroups) -> str:
    names = sorted(s.name for s in subgroups)
    return "only the subscribers of %s" % ", ".join(names) if names else "the subscribers of all subgroups"


@group_view(allow=PRIMARY_ONLY)
def request_user(request, group):
    form = NewUserForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        services.request_new_user(
            group=group, requested_by=request.user, person={k: form.cleaned_data.get(k) for k in PERSON_FIELDS},
            subgroups=form.cleaned_data["subgroups"], ip_address=client_ip(request),
        )
        messages.success(
            request,
            "A billing specialist will review the request within two business days. The new user will receive two "
            "emails: the first with their username, the second with their password.",
        )
        return redirect("accounts:manage_users", group_number=group.group_number)
    return render(request, "accounts/request_user.html", {"form": form})
