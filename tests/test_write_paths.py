"""One write path: every write the API routes and every write the admin offers goes through a service.

The first half reads the code (the router's viewsets, the admin site's ModelAdmins) and fails when a
door writes by itself: a viewset whose create/update/delete is DRF's plain `serializer.save()`, a
custom action that saves a row, an admin that saves with Django's `obj.save()`, an inline whose rows
have no service. The second half drives the admin and checks the services really ran: the project
row was locked, the admin user is the audit history's actor, the model's rules were checked.
"""

import ast
import datetime
import inspect
import textwrap
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from accounts import services as account_services
from accounts.admin import ServiceAdmin, Writes
from accounts.models import ApiToken
from accounts.tokens import token_issue
from chambers import services as chamber_services
from chambers.api import ChamberSerializer
from chambers.models import Chamber
from core.api import ModelViewSet, ServiceWritesMixin
from investpro.urls import router
from projects import services as project_services
from projects.models import Activity, CapitalDelivery, Project
from tests.factories import CapitalDeliveryFactory, ProjectFactory, UnitFactory

OUR_PACKAGES = ("accounts", "chambers", "projects", "targets", "core")
WRITE_METHODS = {"post", "put", "patch", "delete"}
# DRF's stock handlers: each saves through the view's perform_* method named beside it.
STOCK_HANDLERS = {
    "create": (mixins.CreateModelMixin.create, "perform_create", "save_service"),
    "update": (mixins.UpdateModelMixin.update, "perform_update", "save_service"),
    "partial_update": (mixins.UpdateModelMixin.partial_update, "perform_update", "save_service"),
    "destroy": (mixins.DestroyModelMixin.destroy, "perform_destroy", "delete_service"),
}
# Calls that write a row by themselves, whoever the receiver.
ORM_WRITES = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


# --- reading the code -------------------------------------------------------------------------------


def _tree(function) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(function)))


def _resolve(node: ast.expr, namespace: dict):
    """The object a call's target names (`services.project_save` → the function), or None."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def calls_a_service(function) -> bool:
    """Whether the function calls a function defined in some app's services module."""
    for node in ast.walk(_tree(function)):
        if isinstance(node, ast.Call):
            target = _resolve(node.func, function.__globals__)
            if callable(target) and getattr(target, "__module__", "").split(".")[-1] == "services":
                return True
    return False


def _saves_nothing(call: ast.Call) -> bool:
    """`form.save(commit=False)` builds rows without writing them."""
    return any(
        k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords
    )


def direct_writes(cls) -> list[str]:
    """`x.save()`, `x.delete()`, … called in any method that the class or its bases of our packages define."""
    found = []
    for klass in cls.__mro__:
        if not klass.__module__.startswith(OUR_PACKAGES) and klass.__module__ != __name__:
            continue
        for name, member in vars(klass).items():
            if not inspect.isfunction(member):
                continue
            for node in ast.walk(_tree(member)):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ORM_WRITES
                    and not _saves_nothing(node)
                ):
                    found.append(f"{klass.__name__}.{name} calls .{node.func.attr}()")
    return found


def routed_write_actions(viewset) -> set[str]:
    actions = set()
    for route in DefaultRouter().get_routes(viewset):
        for method, action_name in DefaultRouter().get_method_map(viewset, route.mapping).items():
            if method in WRITE_METHODS and method in viewset.http_method_names:
                actions.add(action_name)
    return actions


def writes_without_a_service(viewset) -> list[str]:
    """What in this viewset could write without going through a service (empty: nothing)."""
    problems = direct_writes(viewset)
    for action_name in sorted(routed_write_actions(viewset)):
        handler = getattr(viewset, action_name)
        stock = STOCK_HANDLERS.get(action_name)
        if stock and handler is stock[0]:
            _handler, perform, service = stock
            if not issubclass(viewset, ServiceWritesMixin):
                problems.append(f"{action_name}: DRF's serializer.save(), not ServiceWritesMixin")
            elif getattr(viewset, perform) is not getattr(ServiceWritesMixin, perform):
                problems.append(f"{action_name}: {perform} is overridden")
            elif getattr(viewset, service) is None:
                problems.append(f"{action_name}: no {service}")
        elif not calls_a_service(handler):
            problems.append(f"{action_name}: a handler of its own that calls no service")
    return problems


def test_every_viewset_of_the_api_writes_through_services():
    writers = {}
    for _prefix, viewset, basename in router.registry:
        writers[basename] = routed_write_actions(viewset)
        assert writes_without_a_service(viewset) == [], basename
    # The check saw the writes there are (a viewset it read as read-only would pass vacuously).
    assert writers["project"] == {"create", "partial_update", "destroy"}
    assert writers["report"] == {"create", "publish"}
    assert writers["activity"] == {"create"}
    assert writers["industry"] == set()


class PlainViewSet(ModelViewSet):
    queryset = Chamber.objects.all()
    serializer_class = ChamberSerializer


class OverriddenViewSet(ServiceWritesMixin, ModelViewSet):
    queryset = Chamber.objects.all()
    serializer_class = ChamberSerializer
    object_name = "chamber"
    save_service = staticmethod(chamber_services.chamber_save)

    def perform_update(self, serializer):
        serializer.save()


class SavingActionViewSet(ServiceWritesMixin, ModelViewSet):
    queryset = Chamber.objects.all()
    serializer_class = ChamberSerializer
    object_name = "chamber"
    save_service = staticmethod(chamber_services.chamber_save)

    @action(detail=True, methods=["post"])
    def touch(self, request, pk=None):
        chamber = self.get_object()
        chamber.save()
        return Response()


class ServiceActionViewSet(SavingActionViewSet):
    @action(detail=True, methods=["post"])
    def touch(self, request, pk=None):
        chamber_services.chamber_save(actor=request.user, chamber=self.get_object())
        return Response()


@pytest.mark.parametrize(
    ("viewset", "expected"),
    [
        (
            PlainViewSet,
            [
                "create: DRF's serializer.save(), not ServiceWritesMixin",
                "partial_update: DRF's serializer.save(), not ServiceWritesMixin",
            ],
        ),
        (
            OverriddenViewSet,
            ["OverriddenViewSet.perform_update calls .save()", "partial_update: perform_update is overridden"],
        ),
        (
            SavingActionViewSet,
            ["SavingActionViewSet.touch calls .save()", "touch: a handler of its own that calls no service"],
        ),
        (ServiceActionViewSet, ["SavingActionViewSet.touch calls .save()"]),  # the base's action is still there
    ],
)
def test_the_check_catches_a_write_that_skips_the_services(viewset, expected):
    assert writes_without_a_service(viewset) == expected


def _writing_admins():
    request = RequestFactory().get("/")
    request.user = type("Superuser", (), {"is_active": True, "is_superuser": True, "has_perm": lambda *a: True})()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_PACKAGES:
            continue
        can = (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        if any(can):
            yield model, model_admin


def test_every_admin_that_writes_calls_the_services():
    seen = set()
    for model, model_admin in _writing_admins():
        seen.add(model)
        if isinstance(model_admin, DjangoUserAdmin):  # users: accounts.services.user_save and user_delete
            for method in ("save_model", "delete_model", "delete_queryset"):
                assert calls_a_service(getattr(type(model_admin), method)), (model, method)
            continue
        assert isinstance(model_admin, ServiceAdmin), model
        for method in ("save_model", "delete_model", "delete_queryset", "save_formset"):
            assert getattr(type(model_admin), method) is getattr(ServiceAdmin, method), (model, method)
        services = [model_admin.writes, *(model_admin.inline_writes.get(i.model) for i in model_admin.inlines)]
        assert all(s is not None for s in services), f"{model}: an inline without services"
        for writes in services:
            assert writes.save.__module__.endswith(".services") and writes.delete.__module__.endswith(".services")
        assert direct_writes(type(model_admin)) == [], model
    assert {Project, CapitalDelivery, Activity, Chamber} <= seen


# --- the admin takes the services' path ----------------------------------------------------------


@pytest.fixture
def locked(monkeypatch) -> list[int]:
    """The ids of the projects the services lock, in order (the real lock is still taken)."""
    ids = []
    real = project_services._lock_project

    def spy(project_id):
        ids.append(project_id)
        return real(project_id)

    monkeypatch.setattr(project_services, "_lock_project", spy)
    return ids


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _project_form(project: Project, **changes) -> dict:
    data = {
        "name": project.name,
        "investor_kind": project.investor_kind,
        "unit": project.unit_id,
        "category": project.category,
        "origin": project.origin,
        "channel": project.channel,
        "stage": project.stage,
        "total_investment": project.total_investment,
        "signed_on": project.signed_on or "",
        "signed_amount": project.signed_amount or "",
    }
    for prefix in ("deliveries", "activities"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | changes


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.django_db
def test_an_admin_edit_of_a_project_locks_it_and_records_the_admin_in_the_history(admin_client, admin_user, locked):
    project = ProjectFactory(name="久阳光电")

    response = admin_client.post(_change_url(project), _project_form(project, name="久阳光电二期"))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.name == "久阳光电二期"
    assert locked == [project.pk]
    latest = project.history.latest()
    assert (latest.history_type, latest.history_user, latest.name) == ("~", admin_user, "久阳光电二期")


@pytest.mark.django_db
def test_the_admins_save_validates_with_the_model_rules_whatever_the_form_let_through(admin_user, locked):
    """save_model itself refuses what the model refuses (a start before the signing), writing nothing."""
    project = ProjectFactory(signed=True)
    request = RequestFactory().post("/")
    request.user = admin_user
    project.stage, project.started_on = Project.Stage.STARTED, datetime.date(2011, 1, 1)

    with pytest.raises(ValidationError) as refused:
        admin.site._registry[Project].save_model(request, project, form=None, change=True)

    assert "started_on" in refused.value.message_dict
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.started_on) == (Project.Stage.SIGNED, None)
    assert project.history.count() == 1  # the creation only


@pytest.mark.django_db
def test_a_delivery_added_inline_goes_through_the_delivery_service(admin_client, admin_user, locked):
    project = ProjectFactory(signed=True)
    data = _project_form(
        project,
        **{
            "deliveries-TOTAL_FORMS": 1,
            "deliveries-0-delivered_on": "2011-05-04",
            "deliveries-0-amount": "800.00",
        },
    )

    response = admin_client.post(_change_url(project), data)

    assert response.status_code == 302
    delivery = CapitalDelivery.objects.get(project=project)
    assert delivery.amount == Decimal("800.00")
    assert locked == [project.pk, project.pk]  # the project's save, then the delivery's
    assert delivery.history.get().history_user == admin_user


@pytest.mark.django_db
def test_a_delivery_deleted_inline_goes_through_the_delivery_service(admin_client, admin_user, locked):
    delivery = CapitalDeliveryFactory()
    project = delivery.project
    data = _project_form(
        project,
        **{
            "deliveries-TOTAL_FORMS": 1,
            "deliveries-INITIAL_FORMS": 1,
            "deliveries-0-id": delivery.pk,
            "deliveries-0-project": project.pk,
            "deliveries-0-delivered_on": delivery.delivered_on,
            "deliveries-0-amount": delivery.amount,
            "deliveries-0-DELETE": "on",
        },
    )

    response = admin_client.post(_change_url(project), data)

    assert response.status_code == 302
    assert not CapitalDelivery.objects.filter(pk=delivery.pk).exists()
    assert locked == [project.pk, project.pk]
    gone = CapitalDelivery.history.filter(id=delivery.pk).latest()
    assert (gone.history_type, gone.history_user) == ("-", admin_user)


@pytest.mark.django_db
def test_delete_selected_in_the_admin_deletes_through_the_service(admin_client, admin_user, locked):
    deliveries = [CapitalDeliveryFactory(), CapitalDeliveryFactory()]
    changelist = reverse("admin:projects_capitaldelivery_changelist")

    response = admin_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [d.pk for d in deliveries],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert CapitalDelivery.objects.count() == 0
    assert sorted(locked) == sorted(d.project_id for d in deliveries)
    assert {h.history_user for h in CapitalDelivery.history.filter(history_type="-")} == {admin_user}


@pytest.mark.django_db
def test_an_admin_edit_that_breaks_a_model_rule_is_refused_and_writes_nothing(admin_client, locked):
    project = ProjectFactory(name="某项目", unit=UnitFactory())
    response = admin_client.post(_change_url(project), _project_form(project, stage="signed"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signed_on"] == ["签约及以后阶段的项目须填写签约日期。"]
    project.refresh_from_db()
    assert project.stage == Project.Stage.LEAD
    assert locked == []


@pytest.mark.django_db
def test_the_token_admin_revokes_through_the_service_and_cannot_write_a_token(admin_client, admin_user, monkeypatch):
    """Deleting a token on its admin page revokes it through token_revoke; the save path refuses."""
    token_admin = admin.site._registry[ApiToken]
    assert (token_admin.writes.save, token_admin.writes.delete) == (
        account_services.token_save,
        account_services.token_revoke,
    )
    revoked = []

    def spy(**kwargs):
        revoked.append(kwargs)
        account_services.token_revoke(**kwargs)

    monkeypatch.setattr(token_admin, "writes", Writes("token", account_services.token_save, spy))
    token, _key = token_issue(user=admin_user)
    token_id = token.pk  # a deleted row's instance forgets its key
    response = admin_client.post(reverse("admin:accounts_apitoken_delete", args=[token_id]), {"post": "yes"})
    assert response.status_code == 302
    assert [(call["actor"].pk, call["token"].token_key) for call in revoked] == [(admin_user.pk, token.token_key)]
    assert not ApiToken.objects.filter(pk=token_id).exists()

    kept, _key = token_issue(user=admin_user)
    expiry = kept.expiry
    kept.expiry = None
    with pytest.raises(PermissionDenied):
        account_services.token_save(actor=admin_user, token=kept)
    kept.refresh_from_db()
    assert kept.expiry == expiry
