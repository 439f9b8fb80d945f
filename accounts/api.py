"""REST endpoint of the responsible units (DESIGN §4)."""

from rest_framework import viewsets
from rest_framework.authtoken.views import ObtainAuthToken

from investpro.api import ModelRulesSerializer, RolePermission, ScopedThrottle, ServiceWritesMixin

from . import services
from .models import Role, Unit


class UnitSerializer(ModelRulesSerializer):
    class Meta(ModelRulesSerializer.Meta):
        model = Unit
        fields = ["code", "name", "kind", "group"]


class UnitViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """Responsible units, named by code; admins add and change them."""

    queryset = Unit.objects.order_by("kind", "code")
    serializer_class = UnitSerializer
    permission_classes = [RolePermission]
    write_roles = (Role.ADMIN,)
    lookup_field = "code"
    filterset_fields = ["kind", "group"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    object_name = "unit"
    create_service = staticmethod(services.unit_create)
    update_service = staticmethod(services.unit_update)


class TokenView(ObtainAuthToken):
    """`POST /api/v1/auth/token/` {username, password} → {token}, with a budget of its own per
    address, so that passwords cannot be tried at full speed."""

    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"
