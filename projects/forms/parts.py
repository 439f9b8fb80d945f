"""The forms of a project's parts on its page: a tranche of delivered capital and a follow-up entry.

Like every form of the pages they only translate: the view writes through `delivery_record` /
`activity_record`, whose ValidationError (the model's rules, in Chinese) comes back beside its field.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from chambers.models import Contact
from projects.models import Activity, CapitalDelivery


class DateInput(forms.DateInput):
    """The browser's date picker; the value as ISO, which it requires."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AmountInput(forms.TextInput):
    """An amount in 万元: a text box (a number box would reject 12,345.6 silently and spin on scroll)
    with the phone's decimal keypad."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


def require(field: forms.Field) -> None:
    """A field this form needs, with a message that names it: 请填写签约日期。"""
    field.required = True
    label = str(field.label).split("（")[0]
    field.error_messages["required"] = _("请填写%(field)s。") % {"field": label}


class ServiceErrorsMixin:
    """A form that receives the services' ValidationError whole: `form.add_error(None, error)`.

    Errors about fields the form shows go beside them; errors about anything else (a delivery's
    `project`: 只有签约及以后阶段的项目才能登记到位资金) go at the top of the form, instead of the
    ValueError Django raises for a field the form does not have."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # the label is the field's name alone: 签约日期
        super().__init__(*args, **kwargs)

    def add_error(self, field, error):
        if field is None:
            error = self._onto_fields(error)
        super().add_error(field, error)

    def _onto_fields(self, error):
        messages = error.error_dict if isinstance(error, ValidationError) and hasattr(error, "error_dict") else None
        if messages is None and isinstance(error, dict):
            messages = error
        if messages is None:
            return error
        placed: dict[str, list] = {}
        for name, errors in messages.items():
            key = name if name in self.fields else NON_FIELD_ERRORS
            placed.setdefault(key, []).extend(errors if isinstance(errors, list) else [errors])
        return ValidationError(placed)


class DeliveryForm(ServiceErrorsMixin, forms.ModelForm):
    """到位资金: one tranche. The project is set by the service (its rules need the project as stored)."""

    class Meta:
        model = CapitalDelivery
        fields = ["delivered_on", "amount", "note"]
        widgets = {"delivered_on": DateInput(), "amount": AmountInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self.fields["delivered_on"])
        require(self.fields["amount"])


class ActivityForm(ServiceErrorsMixin, forms.ModelForm):
    """跟进记录: what happened with the investor, and the next step with its date."""

    class Meta:
        model = Activity
        fields = ["happened_on", "kind", "contact", "summary", "next_action", "next_action_on"]
        widgets = {
            "happened_on": DateInput(),
            "next_action_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self.fields["happened_on"])
        require(self.fields["summary"])
        self.fields["contact"].queryset = Contact.objects.order_by("name", "id")
        self.fields["contact"].empty_label = _("（不指定）")
        if not self.is_bound:
            self.initial.setdefault("happened_on", timezone.localdate())
