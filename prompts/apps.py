from __future__ import annotations

from django.apps import AppConfig


class PromptsConfig(AppConfig):
    name = "prompts"
    verbose_name = "Prompt listings"

    def ready(self) -> None:
        from prompts import notices

        notices.register()
