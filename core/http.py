"""Django's error views (handler404 in investpro/urls.py), answering in JSON on the API.

A URL under /api/ that no route matches (`/api/v1/projects/1.5/`: a route's id takes no dot) would
otherwise be Django's HTML page, which the OpenAPI schema does not promise and a REST client cannot
read; its 404 says `{"detail": …}` like every other error of the API.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound

API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": str(NotFound.default_detail)}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)
