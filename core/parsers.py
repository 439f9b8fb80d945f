"""The API's JSON parser (DEFAULT_PARSER_CLASSES): a body nested too deep is a 400, never a 500.

Python's json module recurses once per level and raises RecursionError near a thousand levels, which
DRF's parser lets through (it catches only ValueError). No request of this API nests more than three
levels (an object holding a list of codes), so a body is refused well before the interpreter's limit,
and whatever reads the data afterwards (validation, error messages, rendering) never recurses deep.
"""

from collections.abc import Iterator

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _children(value) -> Iterator:
    if isinstance(value, dict):
        return iter(value.values())
    if isinstance(value, list):
        return iter(value)
    return iter(())


def depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit`, walked without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in _children(value))
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 `{"detail": ...}` for a body nested deeper than MAX_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self.too_deep_message()) from None
        if depth_exceeds(data, MAX_DEPTH):
            raise ParseError(self.too_deep_message())
        return data

    @staticmethod
    def too_deep_message() -> str:
        return _("JSON 嵌套不能超过 %(limit)s 层。") % {"limit": MAX_DEPTH}
