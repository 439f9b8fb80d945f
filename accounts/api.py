"""REST endpoint of the responsible units (DESIGN §4)."""

from rest_framework.authtoken.views import ObtainAuthToken

from core.api import ModelRulesSerializer, ModelViewSet, ServiceWritesMixin
from core.throttling import ScopedThrottle

from . import services
from .models import Unit


class UnitSerializer(ModelRulesSerializer):
    class Meta(ModelRulesSerializer.Meta):
        model = Unit
        fields = ["code", "name", "kind", "group"]


class UnitViewSet(ServiceWritesMixin, ModelViewSet):
    """Responsible units, named by code; admins add and change them."""

    queryset = Unit.objects.order_by("kind", "code")
    serializer_class = UnitSerializer
    lookup_field = "code"
    filterset_fields = ["kind", "group"]
    object_name = "unit"
    save_service = staticmethod(services.unit_save)


class TokenView(ObtainAuthToken):
    """`POST /api/v1/auth/token/` {username, password} → {token}, with a budget of its own per
    address, so that passwords cannot be tried at full speed."""

    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"
