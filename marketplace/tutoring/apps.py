from __future__ import annotations

from django.apps import AppConfig


class TutoringConfig(AppConfig):
    name = "marketplace.tutoring"
    label = "tutoring"
    verbose_name = "Tutoring"
