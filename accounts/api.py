"""REST endpoint of the responsible units (DESIGN §4)."""

from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, renderers, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ModelRulesSerializer, ModelViewSet, ServiceWritesMixin, StrictInputMixin
from core.throttling import ScopedThrottle

from . import services
from .models import Unit
from .signin import lockout_seconds
from .tokens import token_issue


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


class SignInSerializer(StrictInputMixin, AuthTokenSerializer):
    """DRF's {username, password} check (with the sign-in lockout, through authenticate()), refusing
    a field it does not have or a value that is not a string, as every write of the API does."""


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="放在请求头 `Authorization: Token <token>` 中；只显示这一次。")
    expiry = serializers.DateTimeField(help_text="过期时间；过期后用户名和密码再取一个。")


class SignInLocked(exceptions.Throttled):
    """429 with Retry-After: too many failed sign-ins for this username or from this address."""

    default_code = "signin_locked"

    def __init__(self):
        wait = lockout_seconds()
        message = _("登录失败次数过多，该账号或地址已被暂时锁定，请 %(minutes)d 分钟后再试。") % {"minutes": wait // 60}
        super().__init__(wait=wait, detail=message)


class TokenView(APIView):
    """`POST /api/v1/auth/token/` {username, password} → {token, expiry}.

    Two guards against password guessing: the sign-in lockout shared with the HTML sign-ins
    (accounts.signin: SIGNIN_FAILURE_LIMIT failures per username and per address, then 429 for
    SIGNIN_COOLOFF_MINUTES), and a request budget of its own per address (THROTTLE_AUTH)."""

    authentication_classes = ()  # the credentials are in the body; a session must not matter here
    permission_classes = (AllowAny,)
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"
    parser_classes = (parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser)
    renderer_classes = (renderers.JSONRenderer,)

    @extend_schema(
        request=SignInSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="用户名或密码错误（字段错误，或 non_field_errors）。"),
            429: OpenApiResponse(
                description="登录失败次数过多（code 为 signin_locked，按用户名和地址分别计数），或请求过于频繁；"
                "Retry-After 给出秒数。"
            ),
        },
        auth=[],
    )
    def post(self, request):
        serializer = SignInSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                raise SignInLocked()
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        api_token, key = token_issue(user=user)
        # A token is a sign-in: the lockout gives the attempt back, and last_login is recorded.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response(TokenSerializer({"token": key, "expiry": api_token.expiry}).data)
