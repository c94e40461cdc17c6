from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo carrier for `make run` and the benchmarks: it sits on top of every app and seeds them."""

    name = "demo"
    verbose_name = "Demo data"
