import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from accounts.models import Role, User
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create the first admin account with a random password, printed once; do nothing if an admin exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if User.objects.filter(role=Role.ADMIN).exists():
            self.stdout.write("An admin account exists already; its password is not shown again.")
            return
        password = _generated_password(User(username=username, role=Role.ADMIN))
        user_create(username=username, role=Role.ADMIN, password=password)
        self.stdout.write(self.style.SUCCESS(f"Admin account created — username: {username}  password: {password}"))
        self.stdout.write("This password is shown only this once; change it in the admin after signing in.")


def _generated_password(user: User) -> str:
    """24 random URL-safe characters, drawn again in the (astronomically rare) case that Django's
    password validators refuse them, e.g. all digits: the service would refuse it too."""
    while True:
        password = secrets.token_urlsafe(18)
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password
