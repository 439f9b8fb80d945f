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
