from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user with a role (staff, leader, api_reader, admin) and, for staff, a unit."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(Role.values)}")
        parser.add_argument("--unit", dest="unit_code", help="the code of the user's unit (required for staff)")
        parser.add_argument("--password", help="without it the user cannot sign in until a password is set")

    def handle(self, *args, username, role, unit_code, password, **options):
        try:
            user = user_create(username=username, role=role, unit_code=unit_code, password=password)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None
        unit = f", unit {user.unit.code}" if user.unit else ""
        self.stdout.write(self.style.SUCCESS(f"Created user {user.username} ({user.role}{unit})."))


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
