"""The lead form and the edit form of a project's own fields (not its stage: the stage actions).

The form translates: the view hands `cleaned_data` to `project_create` / `project_save`, which apply
every model rule and write the audit history. What the form adds is what a page needs: no choice that
moves the city's figures preselected (资金来源, 项目类别 start at 请选择 and must be chosen), the unit
a staff member may write preset and alone on offer, the owner among the unit's staff.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Unit, User
from chambers.models import Chamber, Contact, Event

from ..models import Industry, Parcel, Project

PLEASE_CHOOSE = _("请选择")

FIELDS = [
    "name",
    "investor",
    "investor_kind",
    "unit",
    "industry",
    "category",
    "origin",
    "returning_merchant",
    "mountain_sea",
    "channel",
    "chamber",
    "event",
    "introduced_by",
    "total_investment",
    "land_area_mu",
    "parcel",
    "confidential",
    "owner",
    "next_follow_up_on",
    "notes",
]

# The fields whose value decides which indicators a project counts in (targets.notes reads them).
FIGURE_FIELDS = ("origin", "category", "returning_merchant", "mountain_sea", "total_investment", "industry", "channel")


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        # Chinese order: family name first, no space (王丽); the username when no name is recorded.
        return f"{user.last_name}{user.first_name}".strip() or user.get_username()


class ProjectForm(forms.ModelForm):
    # Required choices that start empty: a default here would silently decide the city's figures.
    origin = forms.ChoiceField(
        label=Project._meta.get_field("origin").verbose_name,
        choices=[("", PLEASE_CHOOSE), *Project.Origin.choices],
        error_messages={"required": _("请选择资金来源。")},
    )
    category = forms.ChoiceField(
        label=Project._meta.get_field("category").verbose_name,
        choices=[("", PLEASE_CHOOSE), *Project.Category.choices],
        error_messages={"required": _("请选择项目类别。")},
    )

    class Meta:
        model = Project
        fields = FIELDS
        field_classes = {"owner": OwnerChoiceField}
        widgets = {
            "total_investment": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            "land_area_mu": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            "next_follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": _("请填写项目名称。")},
            "unit": {"required": _("请选择责任单位。"), "invalid_choice": _("只能选择本单位。")},
            "total_investment": {
                "required": _("请填写总投资（万元），没有可填 0。"),
                "invalid": _("请填写数字，如 12000.50。"),
            },
            "land_area_mu": {"invalid": _("请填写数字，如 150.5。")},
            "next_follow_up_on": {"invalid": _("请填写日期，如 2026-12-31。")},
            "owner": {"invalid_choice": _("负责人须是本单位的招商专员。")},
        }

    def __init__(self, *args, user: User, **kwargs):
        # A label is the field's name alone (no "：" after it), so a label lookup can match it exactly.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        new = self.instance.pk is None
        fields = self.fields
        for name in ("origin", "category"):
            if new:
                fields[name].initial = None
        # 责任单位: a staff member writes only its own unit, so that is the one choice, preset.
        # An admin (change_every_unit) may choose any unit, none preset.
        if user.has_perm("projects.change_every_unit"):
            units = Unit.objects.all()
        else:
            units = Unit.objects.filter(pk=user.unit_id)
            if new and user.unit_id:
                fields["unit"].initial = user.unit_id
        fields["unit"].queryset = units
        fields["unit"].empty_label = PLEASE_CHOOSE
        # 负责人: the staff of the project's unit (of every unit for an admin, checked in clean).
        owner_unit = self.instance.unit_id if not new else user.unit_id
        owners = User.objects.filter(role=Role.STAFF, is_active=True).order_by("username")
        if not user.has_perm("projects.change_every_unit") or owner_unit:
            owners = owners.filter(unit_id=owner_unit)
        fields["owner"].queryset = owners
        fields["owner"].empty_label = _("（暂不指定）")
        if new and user.role == Role.STAFF:
            fields["owner"].initial = user.pk
        fields["industry"].queryset = Industry.objects.order_by("code")
        fields["chamber"].queryset = Chamber.objects.order_by("name")
        fields["event"].queryset = Event.objects.order_by("-pk")
        fields["introduced_by"].queryset = Contact.objects.order_by("name")
        fields["parcel"].queryset = Parcel.objects.order_by("code")
        for name in ("industry", "chamber", "event", "introduced_by", "parcel"):
            fields[name].empty_label = _("（无）")
        fields["investor_kind"].choices = Project.InvestorKind.choices
        fields["channel"].choices = Project.Channel.choices
        # As 项目名称 or 投资方 is typed, the page asks which visible projects look the same.
        duplicates = {
            "hx-get": reverse("projects:duplicates"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#duplicates",
            "hx-swap": "innerHTML",  # not the form's outerHTML, which it would inherit
            "hx-include": "#id_name, #id_investor, #id_exclude",
            "hx-sync": "this:replace",
            "autocomplete": "off",
        }
        for name in ("name", "investor"):
            fields[name].widget.attrs.update(duplicates)

    def _update_errors(self, errors) -> None:
        """The model's rules, checked as the form validates, may speak of a field not on the form
        (a stage date, which the stage actions edit): its message goes above the form instead of
        Django's ValueError."""
        if hasattr(errors, "error_dict"):
            for field in [name for name in errors.error_dict if name != NON_FIELD_ERRORS and name not in self.fields]:
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(errors.error_dict.pop(field))
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        unit, owner = cleaned.get("unit"), cleaned.get("owner")
        if unit and owner and owner.unit_id != unit.pk:
            self.add_error("owner", _("负责人须是责任单位的招商专员。"))
        return cleaned

    def figure_values(self) -> dict:
        """What the 计入 note needs, as typed so far (the bound data, or the instance's values)."""
        return {name: self[name].value() for name in FIGURE_FIELDS}
