from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    """After login: straight to the one group's home, or pick a group."""
    memberships = list(request.user.memberships_active())
    if len(memberships) == 1:
        return redirect("group_home", group_id=memberships[0].group.group_id)
    if not memberships and request.user.is_staff:
        return redirect("admin:index")
    return render(request, "accounts/pick_group.html", {"memberships": memberships})
