"""`manage.py runlocal`: the development server plus beat's periodic tasks, for `make run`."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from marketplace.core import local_beat


class Command(RunserverCommand):
    help = "runserver, and with no broker (the embedded default) the periodic tasks in-process too."

    def inner_run(self, *args: Any, **options: Any) -> None:
        # In the process that serves (the autoreloader's child): a reload starts a fresh thread.
        local_beat.start()
        super().inner_run(*args, **options)
