"""A body over the size limit is answered 413 with a JSON error on the API.

DRF reads a JSON body as a stream, which Django does not measure: without this, a 100 MB body would
be parsed whole, and a large form body would be Django's RequestDataTooBig, a 400 HTML page. Here an
API request whose Content-Length is over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413
`{"detail": "..."}` before its body is read (a WSGI server reads no more than Content-Length, so a
request without one has no body). The limit is Django's own setting: one number bounds every body.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def body_too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = _("请求体过大：不能超过 %(limit)s 字节。") % {"limit": limit}
    return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # not a number: WSGI reads no body at all then


class BodySizeLimitMiddleware:
    """MIDDLEWARE: 413 with a JSON body for an API request whose body is over DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.path.startswith(API_PREFIX) and limit is not None and declared_length(request) > limit:
            return body_too_large()
        return self.get_response(request)
