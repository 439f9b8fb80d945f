"""Database constraints whose violations name the field they are about.

Django reports a violated CheckConstraint as a form-wide error. InvestPro's forms and API answer
`{field: [messages]}`, so each rule says which field it belongs to; the rule itself is still one
CHECK in the database and one validation in `Model.full_clean()`.
"""

from django.core.exceptions import ValidationError
from django.db import models


class FieldCheckConstraint(models.CheckConstraint):
    def __init__(self, *args, field: str, **kwargs):
        self.field = field
        super().__init__(*args, **kwargs)

    def validate(self, model, instance, exclude=None, using=None):
        if exclude and self.field in exclude:
            return
        try:
            super().validate(model, instance, exclude=exclude, **({"using": using} if using else {}))
        except ValidationError as error:
            raise ValidationError({self.field: [error]}) from None

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other):
        return super().__eq__(other) and getattr(other, "field", None) == self.field


# --- The same rules, checked in Python for a batch ------------------------------------------------
# Model.validate_constraints() asks the database once per check constraint per row (SELECT 1 WHERE
# <condition>): eight queries for a project. A batch of rows (the Excel import) checks the very same
# conditions here, on the instance, with SQL's three-valued logic: a comparison with NULL is unknown,
# and a CHECK fails only when its condition is false. A lookup this does not know falls back to the
# database's answer.

_COMPARISONS = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
}


class NotEvaluable(Exception):
    pass


def condition_holds(condition: models.Q, instance: models.Model) -> bool | None:
    """True, False or None (unknown) for a Q of plain lookups on the instance's own fields."""
    results = []
    for child in condition.children:
        if isinstance(child, models.Q):
            results.append(condition_holds(child, instance))
        else:
            results.append(_lookup_holds(*child, instance))
    if condition.connector == models.Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if condition.negated and result is not None:
        result = not result
    return result


def _lookup_holds(key: str, expected, instance: models.Model) -> bool | None:
    name, _sep, lookup = key.partition("__")
    if "__" in lookup or not hasattr(instance, name):
        raise NotEvaluable(key)
    actual = getattr(instance, name)
    if lookup == "isnull":
        return (actual is None) is bool(expected)
    if isinstance(expected, models.F):
        expected = getattr(instance, expected.name)
    elif isinstance(expected, models.expressions.Combinable):
        raise NotEvaluable(key)
    compare = _COMPARISONS.get(lookup or "exact")
    if compare is None:
        raise NotEvaluable(key)
    if actual is None or expected is None:
        return None
    return compare(actual, expected)


def validate_constraints_in_python(instance: models.Model, exclude: set[str]) -> None:
    """Model.validate_constraints(exclude) without a query per check: the errors under their fields."""
    errors: dict[str, list] = {}
    for constraint in instance._meta.constraints:
        field = getattr(constraint, "field", None)
        if field in exclude:
            continue
        try:
            if not isinstance(constraint, models.CheckConstraint):
                raise NotEvaluable(constraint.name)
            holds = condition_holds(constraint.condition, instance) is not False
        except NotEvaluable:
            try:
                constraint.validate(type(instance), instance, exclude=exclude)
            except ValidationError as error:
                for name, messages in error.update_error_dict({}).items():
                    errors.setdefault(name, []).extend(messages)
            continue
        if not holds:
            errors.setdefault(field or "__all__", []).append(constraint.get_violation_error_message())
    if errors:
        raise ValidationError(errors)
