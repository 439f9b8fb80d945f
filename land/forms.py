"""The public enquiry form (投资意向登记) and the staff's reserve and release forms."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.models import AMOUNT_CEILING, Industry, Project

REQUIRED = {"required": _("请填写此项。")}
NUMBER = {"invalid": _("请输入数字。"), "required": _("请填写此项。")}


def _positive_decimal(label, *, max_digits: int, ceiling: Decimal, help_text="") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=ceiling,
        help_text=help_text,
        error_messages={
            **NUMBER,
            "min_value": _("须大于 0。"),
            "max_value": _("数值过大，请核对。"),
            "max_digits": _("数值过大，请核对。"),
            "max_decimal_places": _("最多保留两位小数。"),
            "max_whole_digits": _("数值过大，请核对。"),
        },
    )


class IndustryChoiceField(forms.ModelChoiceField):
    """Industries by name, in the page's language (the English catalogue names the standard ones)."""

    def label_from_instance(self, obj: Industry) -> str:
        return gettext(obj.name)


class EnquiryForm(forms.Form):
    """What an investor leaves on a parcel's page. `website` is a honeypot: a field people do not see
    (hidden by the stylesheet, skipped by the keyboard and by screen readers) that bots fill in."""

    company = forms.CharField(label=_("企业名称"), max_length=120, error_messages=REQUIRED)
    contact = forms.CharField(
        label=_("联系人及联系方式"), max_length=120, error_messages=REQUIRED, help_text=_("姓名和电话或邮箱")
    )
    industry = IndustryChoiceField(
        label=_("计划产业"),
        queryset=Industry.objects.order_by("code"),
        empty_label=_("请选择"),
        error_messages={"required": _("请选择计划产业。"), "invalid_choice": _("请从列表中选择产业。")},
    )
    investment = _positive_decimal(_("计划投资（万元）"), max_digits=14, ceiling=AMOUNT_CEILING)
    land_need = _positive_decimal(_("需用地（亩）"), max_digits=10, ceiling=Decimal("99999999.99"))
    message = forms.CharField(
        label=_("留言（选填）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    website = forms.CharField(label=_("网址（请勿填写）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["company"].widget.attrs.update({"autocomplete": "organization"})

    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean_company(self) -> str:
        value = self.cleaned_data["company"].strip()
        if len(value) < 2:
            raise forms.ValidationError(_("请填写完整的企业名称。"))
        return value


class ReserveForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("意向项目"),
        queryset=Project.objects.none(),
        empty_label=_("请选择"),
        error_messages={"required": _("请选择意向项目。"), "invalid_choice": _("请从列表中选择项目。")},
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("释放原因"), max_length=200, error_messages={"required": _("请填写释放原因。")})
