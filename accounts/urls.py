from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/submitted/", views.registration_submitted, name="registration_submitted"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("account/", views.my_account, name="my_account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/two-factor/setup/", views.mfa_setup, name="mfa_setup"),
    path("account/two-factor/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("account/two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("account/two-factor/remove/", views.mfa_remove, name="mfa_remove"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("groups/<group:group_number>/users/", views.manage_users, name="manage_users"),
    path("groups/<group:group_number>/users/new/", views.request_user, name="request_user"),
    path("groups/<group:group_number>/users/<int:membership_pk>/deactivate/", views.deactivate_user, name="deactivate_user"),
    path("groups/<group:group_number>/users/<int:membership_pk>/subgroups/", views.membership_subgroups, name="membership_subgroups"),
]
