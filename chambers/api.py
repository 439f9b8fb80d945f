"""REST endpoints of chambers, contacts and events (DESIGN §4)."""

from accounts.models import Unit
from accounts.permissions import EDITOR_ROLES
from core.api import CleanModelSerializer, CodeField, ModelViewSet

from .models import Chamber, Contact, Event


class ChamberSerializer(CleanModelSerializer):
    class Meta(CleanModelSerializer.Meta):
        model = Chamber
        fields = ["id", "name", "kind", "region", "address", "phone", "notes"]


class ContactSerializer(CleanModelSerializer):
    class Meta(CleanModelSerializer.Meta):
        model = Contact
        fields = ["id", "name", "chamber", "organization", "title", "phone", "email", "notes"]


class EventSerializer(CleanModelSerializer):
    organizer = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)

    class Meta(CleanModelSerializer.Meta):
        model = Event
        fields = [
            "id", "name", "kind", "starts_on", "ends_on", "location", "organizer", "invited_count", "notes",
        ]  # fmt: skip


class EditableViewSet(ModelViewSet):
    """Bureau staff log the chambers, people and events they work with."""

    write_roles = EDITOR_ROLES


class ChamberViewSet(EditableViewSet):
    queryset = Chamber.objects.order_by("name", "id")
    serializer_class = ChamberSerializer
    filterset_fields = ["kind", "region"]


class ContactViewSet(EditableViewSet):
    queryset = Contact.objects.order_by("name", "id")
    serializer_class = ContactSerializer
    filterset_fields = ["chamber"]


class EventViewSet(EditableViewSet):
    """Events; the projects app adds what each event brought in (signed count and total)."""

    serializer_class = EventSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return Event.objects.select_related("organizer").order_by("-starts_on", "-id")
