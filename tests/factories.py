"""factory_boy factories for every model; defaults make a valid object with the fewest choices."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, Unit, User
from accounts.services import user_set_role, user_sync_group
from chambers.models import Agreement, Chamber, Contact, Event
from projects.models import Activity, CapitalDelivery, Industry, Parcel, Project
from targets.models import Indicator, Report, ReportRow, Target, UnitGroup


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Unit.Kind.COUNTY


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-1")
    role = Role.STAFF
    unit = factory.LazyAttribute(lambda o: UnitFactory() if o.role == Role.STAFF else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = model_class(**{k: v for k, v in kwargs.items() if k not in ("role", "unit")})
        user_set_role(user=user, role=kwargs["role"], unit=kwargs["unit"])
        user.save()
        user_sync_group(user=user)
        return user

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class IndustryFactory(DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"industry-{n}")
    name = factory.Sequence(lambda n: f"测试产业{n}")


class ChamberFactory(DjangoModelFactory):
    class Meta:
        model = Chamber

    name = factory.Sequence(lambda n: f"测试商会{n}")
    kind = Chamber.Kind.ZHEJIANG_ABROAD


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Sequence(lambda n: f"联系人{n}")
    chamber = factory.SubFactory(ChamberFactory)


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    chamber = factory.SubFactory(ChamberFactory)
    title = factory.Sequence(lambda n: f"合作协议{n}")
    signed_on = datetime.date(2011, 3, 1)


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"招商活动{n}")
    starts_on = datetime.date(2011, 5, 10)


class ParcelFactory(DjangoModelFactory):
    class Meta:
        model = Parcel

    code = factory.Sequence(lambda n: f"parcel-{n}")
    name = factory.Sequence(lambda n: f"地块{n}")
    unit = factory.SubFactory(UnitFactory)
    area_mu = Decimal("100.00")


class ProjectFactory(DjangoModelFactory):
    """A lead by default; `signed=True` (a trait) makes a signed project with its date and amount."""

    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试项目{n}")
    investor = factory.Sequence(lambda n: f"测试投资有限公司{n}")
    unit = factory.SubFactory(UnitFactory)
    total_investment = Decimal("5000.00")

    class Params:
        signed = factory.Trait(
            stage=Project.Stage.SIGNED,
            signed_on=datetime.date(2011, 3, 15),
            signed_amount=Decimal("5000.00"),
        )


class CapitalDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = CapitalDelivery

    project = factory.SubFactory(ProjectFactory, signed=True)
    delivered_on = factory.LazyAttribute(lambda o: o.project.signed_on)
    amount = Decimal("1000.00")


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    project = factory.SubFactory(ProjectFactory)
    happened_on = datetime.date(2011, 4, 1)
    summary = "上门拜访，了解投资意向。"


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"测试指标{n}")
    measure = Indicator.Measure.SIGNED_AMOUNT


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    year = 2011
    indicator = factory.SubFactory(IndicatorFactory)
    unit = None
    value = Decimal("10000.00")


class UnitGroupFactory(DjangoModelFactory):
    """An assessment group of 2011 without members; `units=[...]` sets them (unchecked: the service checks)."""

    class Meta:
        model = UnitGroup
        skip_postgeneration_save = True

    year = 2011
    code = factory.Sequence(lambda n: f"group-{n}")
    name = factory.Sequence(lambda n: f"测试大组{n}")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    year = 2011
    month = 12


class ReportRowFactory(DjangoModelFactory):
    class Meta:
        model = ReportRow

    report = factory.SubFactory(ReportFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    month_value = Decimal("0")
    ytd_value = Decimal("0")
    time_progress_pct = Decimal("100.0")
    last_year_ytd = Decimal("0")
