"""Django's changepassword, saving through user_password_set like every other password form."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from marketplace.accounts import services
from marketplace.accounts.models import User

TRIES = 3


class Command(changepassword.Command):
    help = "Change a user's password; revokes their API tokens and ends their sessions."

    def handle(self, *args: Any, **options: Any) -> str:
        email = options["username"] or getpass.getuser()
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"user '{email}' does not exist")
        self.stdout.write(f"Changing password for user '{user}'")
        for _ in range(TRIES):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            services.user_password_set(user=user, password=password)
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after {TRIES} attempts")
