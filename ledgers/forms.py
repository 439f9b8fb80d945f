from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit

from .models import ImportJob

EXTENSIONS = (".xlsx", ".csv")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("台账类型"), choices=ImportJob.Kind.choices, initial=ImportJob.Kind.PROJECTS)
    file = forms.FileField(
        label=_("台账文件（.xlsx 或 .csv）"), help_text=_("不超过 20 MB、10 万行；列标题与导出文件、导入模板一致。")
    )
    unit = forms.ModelChoiceField(
        label=_("导入到单位"),
        queryset=Unit.objects.all(),
        required=False,
        empty_label=_("按文件中的“责任单位”列"),
        help_text=_("文件中没有填写责任单位的行，导入到这个单位。"),
    )
    correct_published = forms.BooleanField(
        label=_("更正已发布月份"),
        required=False,
        help_text=_("到位日期在已发布通报月份内的资金，只有勾选此项才会导入；导入后该月通报的更正差额可在驾驶舱查看。"),
    )

    def __init__(self, *args, may_choose_unit: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(EXTENSIONS)
        if not may_choose_unit:
            del self.fields["unit"]  # staff import for their own unit

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。"))
        return upload
