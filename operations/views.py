from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import health_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Anyone may ask, without signing in: 200 when the database, the broker, a worker and beat all
    work, 503 when one of them does not, with each part's state."""
    checks = health_checks()
    healthy = all(check.ok for check in checks)
    body = {
        "status": "ok" if healthy else "down",
        "checks": {
            check.name: {"ok": check.ok, "detail": check.detail, "at": check.at.isoformat() if check.at else None}
            for check in checks
        },
    }
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
