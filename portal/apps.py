from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    """The project on top of every app: settings, URLs, Group Home, the specialists' permissions."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal.specialists import sync_specialist_permissions  # auth.models cannot load before the app registry is ready

        # Sent once per app with models (portal has none), after auth made that app's permissions:
        # the last call leaves the group with exactly its permissions.
        post_migrate.connect(sync_specialist_permissions, dispatch_uid="portal_sync_specialist_permissions")
