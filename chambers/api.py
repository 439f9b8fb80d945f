"""REST endpoints of chambers, contacts and events (DESIGN §4); writes go through chambers.services."""

from accounts.models import Unit
from core.api import CodeField, ModelRulesSerializer, ModelViewSet, ServiceWritesMixin

from . import services
from .models import Chamber, Contact, Event


class ChamberSerializer(ModelRulesSerializer):
    class Meta(ModelRulesSerializer.Meta):
        model = Chamber
        fields = ["id", "name", "kind", "region", "address", "phone", "notes"]


class ContactSerializer(ModelRulesSerializer):
    class Meta(ModelRulesSerializer.Meta):
        model = Contact
        fields = ["id", "name", "chamber", "organization", "title", "phone", "email", "notes"]


class EventSerializer(ModelRulesSerializer):
    organizer = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)

    class Meta(ModelRulesSerializer.Meta):
        model = Event
        fields = [
            "id", "name", "kind", "starts_on", "ends_on", "location", "organizer", "invited_count", "notes",
        ]  # fmt: skip


class ChamberViewSet(ServiceWritesMixin, ModelViewSet):
    """Chambers of commerce the bureau works with; its staff log them."""

    queryset = Chamber.objects.order_by("name", "id")
    serializer_class = ChamberSerializer
    filterset_fields = ["kind", "region"]
    object_name = "chamber"
    save_service = staticmethod(services.chamber_save)


class ContactViewSet(ServiceWritesMixin, ModelViewSet):
    """People the bureau keeps in touch with; its staff log them."""

    queryset = Contact.objects.order_by("name", "id")
    serializer_class = ContactSerializer
    filterset_fields = ["chamber"]
    object_name = "contact"
    save_service = staticmethod(services.contact_save)


class EventViewSet(ServiceWritesMixin, ModelViewSet):
    """Events; the projects app adds what each event brought in (signed count and total)."""

    serializer_class = EventSerializer
    filterset_fields = ["kind"]
    object_name = "event"
    save_service = staticmethod(services.event_save)

    def get_queryset(self):
        return Event.objects.select_related("organizer").order_by("-starts_on", "-id")
