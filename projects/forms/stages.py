"""The stage actions of a project: one small form per move, asking for that move's rule's fields.

A project moves lead → negotiating → signed → started → producing, or is dropped on the way (DESIGN §1).
Each move is its own form, with only the fields the model's rules need at the new stage (签约 needs
签约日期 and 协议引资额, 开工 its date, …): the board and the project page open the same form, so a
project never changes stage without them. The form validates the project as it will be (the new
stage already set on a copy), and the view writes through `project_save`, which validates again.
"""

import copy
from typing import NamedTuple

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Project, Stage

from .parts import AmountInput, DateInput, ServiceErrorsMixin, require

# Where a project may go from each stage. A project in production or dropped goes nowhere from the
# pages (a correction is an edit of the project, which the model's rules still check).
MOVES: dict[str, tuple[str, ...]] = {
    Stage.LEAD: (Stage.NEGOTIATING, Stage.SIGNED, Stage.DROPPED),
    Stage.NEGOTIATING: (Stage.SIGNED, Stage.DROPPED),
    Stage.SIGNED: (Stage.STARTED, Stage.DROPPED),
    Stage.STARTED: (Stage.PRODUCING, Stage.DROPPED),
}

# The words on each move's button, as the bureau says them.
BUTTON_WORDS: dict[str, str] = {
    Stage.NEGOTIATING: _("转入洽谈"),
    Stage.SIGNED: _("签约"),
    Stage.STARTED: _("开工"),
    Stage.PRODUCING: _("投产"),
    Stage.DROPPED: _("终止"),
}

# The reason of a drop is kept in the project's 备注 (notes), on a line of its own that starts with
# this mark. Why notes and not an Activity: the reason is part of the same write as the drop (one
# project_save, one audit-history entry that shows the stage, the date and the reason together), it
# needs no invented visit date or contact, and it stays on the project whoever reads it (the API's
# `notes`, the list's export). The project page reads the last such line back as the 终止原因.
DROP_REASON_MARK = "【终止原因】"


class StageAction(NamedTuple):
    """One move a project can make: the stage it goes to and its button's words."""

    stage: str
    label: str


def stage_actions(project: Project) -> list[StageAction]:
    """The moves open to a project from its current stage, in the pipeline's order, with their
    button words (签约, 开工, …). Whether the user may make them is the caller's business
    (`can_edit_unit` and the role's `projects.change_project`)."""
    return [StageAction(stage, str(BUTTON_WORDS[stage])) for stage in MOVES.get(project.stage, ())]


def move_allowed(project: Project, stage: str) -> bool:
    return stage in MOVES.get(project.stage, ())


def drop_reason(notes: str) -> str:
    """The last 终止原因 written into a project's notes, or ""."""
    for line in reversed((notes or "").splitlines()):
        if line.startswith(DROP_REASON_MARK):
            return line[len(DROP_REASON_MARK) :].strip()
    return ""


class StageForm(ServiceErrorsMixin, forms.ModelForm):
    """A move to `stage`. The form works on a copy of the project with the new stage already set, so
    the model's own rules (a signed project has its date and amount, dates not in the future, …)
    check the project as it will be, and the caller's project is left as it is stored."""

    stage: str = ""
    required_fields: tuple[str, ...] = ()

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, *args, project: Project, **kwargs):
        target = copy.copy(project)
        target.stage = self.stage
        super().__init__(*args, instance=target, **kwargs)
        for name in self.required_fields:
            require(self.fields[name])

    def changes(self) -> dict:
        """The fields `project_save` writes: the new stage and this move's fields."""
        return {"stage": self.stage, **{name: self.cleaned_data[name] for name in self._meta.fields}}


class NegotiateForm(StageForm):
    stage = Stage.NEGOTIATING


class SignForm(StageForm):
    stage = Stage.SIGNED
    required_fields = ("signed_on", "signed_amount")

    class Meta(StageForm.Meta):
        fields = ["signed_on", "signed_amount"]
        widgets = {"signed_on": DateInput(), "signed_amount": AmountInput()}


class StartForm(StageForm):
    stage = Stage.STARTED
    required_fields = ("started_on",)

    class Meta(StageForm.Meta):
        fields = ["started_on"]
        widgets = {"started_on": DateInput()}


class ProduceForm(StageForm):
    stage = Stage.PRODUCING
    required_fields = ("producing_on",)

    class Meta(StageForm.Meta):
        fields = ["producing_on"]
        widgets = {"producing_on": DateInput()}


class DropForm(StageForm):
    stage = Stage.DROPPED
    required_fields = ("dropped_on",)

    reason = forms.CharField(
        label=_("终止原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写终止原因。")},
    )

    class Meta(StageForm.Meta):
        fields = ["dropped_on"]
        widgets = {"dropped_on": DateInput()}

    def changes(self) -> dict:
        changes = super().changes()
        reason = " ".join(self.cleaned_data["reason"].split())  # one line: drop_reason reads it back
        notes = self.instance.notes.rstrip() if self.instance.notes else ""
        changes["notes"] = f"{notes}\n{DROP_REASON_MARK}{reason}".lstrip("\n")
        return changes


STAGE_FORMS: dict[str, type[StageForm]] = {
    form.stage: form for form in (NegotiateForm, SignForm, StartForm, ProduceForm, DropForm)
}
