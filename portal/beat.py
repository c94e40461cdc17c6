"""Celery beat's schedule: what operations runs on a clock. Each app's issue adds its entries."""

BEAT_SCHEDULE: dict = {}
