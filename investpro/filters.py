"""Filter pieces shared by every list."""

import django_filters as filters


class StableOrderingFilter(filters.OrderingFilter):
    """Ordering that always ends on the primary key, so that pages never repeat or skip rows
    when many rows share a value (e.g. the same signing date)."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        tiebreak = "-pk" if ordering and ordering[-1].startswith("-") else "pk"
        return qs.order_by(*ordering, tiebreak)
