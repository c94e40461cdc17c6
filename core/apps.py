from django.apps import AppConfig

from core import converters  # noqa: F401  (registers the URL converters of the identifiers)


class CoreConfig(AppConfig):
    """The lowest layer: money, identifiers, SSN storage, phone numbers, email, admin helpers.

    It imports no app of the portal; every app may import it.
    """

    name = "core"
    verbose_name = "Core"
