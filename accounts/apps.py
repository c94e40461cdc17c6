from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and employer groups"

    def ready(self):
        from accounts import signals  # noqa: F401  (connects the audit receivers; models load only after the registry is ready)
