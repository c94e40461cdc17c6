import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from accounts import selectors

SESSION_STARTED_KEY = "portal_started_at"  # epoch seconds of sign-in
SESSION_ACTIVITY_KEY = "portal_active_at"  # epoch seconds of the last request that counts as activity


class NoStoreMiddleware:
    """Signed-in pages are never cached, so the back button shows nothing after logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class SessionTimeoutMiddleware:
    """End a session after SESSION_IDLE_SECONDS without a request, and SESSION_COOKIE_AGE after sign-in.

    Every request counts as activity, and so does the "Stay signed in" keep-alive. Django's own
    expiry slides with each save, so the absolute limit is kept here from the sign-in time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED_KEY)
            active = request.session.get(SESSION_ACTIVITY_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = started = now
            reason = None
            if active is not None and now - active > settings.SESSION_IDLE_SECONDS:
                reason = "idle"
            elif now - started > settings.SESSION_COOKIE_AGE:
                reason = "absolute"
            if reason:
                return self._end(request, reason)
            request.session[SESSION_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _end(self, request, reason):
        request.logout_reason = reason
        logout(request)
        if request.headers.get("x-requested-with") == "fetch" or request.path == reverse("accounts:keep_alive"):
            return JsonResponse({"signed_in": False}, status=401)
        messages.info(
            request,
            "You were signed out after %d minutes without activity." % (settings.SESSION_IDLE_SECONDS // 60)
            if reason == "idle"
            else "You were signed out: a session lasts at most %d hours." % (settings.SESSION_COOKIE_AGE // 3600),
        )
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse("accounts:login") + ("?" + query if query else ""))


class AccountGateMiddleware:
    """Before anything else a signed-in user must: change a temporary password, pass the
    two-factor check when they have set it up, and set it up when one of their groups requires it.
    """

    # The password change is not exempt: it is reachable when it is the step required (a
    # temporary password), else only after the second factor, so a stolen password alone
    # cannot replace the password of a user who set up two-factor authentication.
    exempt_names = (
        "accounts:logout", "accounts:keep_alive",
        "accounts:mfa_setup", "accounts:mfa_verify", "accounts:mfa_recovery_codes",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request):
            target = self._required_step(request, user)
            if target and target.split("?", 1)[0] != request.path:
                if request.headers.get("x-requested-with") == "fetch":
                    return JsonResponse({"signed_in": True, "next_step": target}, status=403)
                return redirect(target)
        return self.get_response(request)

    def _exempt(self, request):
        if self._exempt_paths is None:
            self._exempt_paths = {reverse(name) for name in self.exempt_names}
        return request.path in self._exempt_paths or request.path.startswith(settings.STATIC_URL)

    def _required_step(self, request, user):
        if user.must_change_password:
            return reverse("accounts:password_change")
        if not user.is_verified() and selectors.has_mfa(user):
            return reverse("accounts:mfa_verify") + "?" + urlencode({"next": request.get_full_path()})
        if not user.is_verified() and selectors.mfa_required_for(user):
            return reverse("accounts:mfa_setup")
        return None
