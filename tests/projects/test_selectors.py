"""The reads of projects that more than one door uses (projects.selectors)."""

from decimal import Decimal

import pytest

from projects.selectors import delivered_totals
from tests.factories import CapitalDeliveryFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_pages_delivered_totals_are_exact_sums_of_its_projects_deliveries(unit):
    cents = ProjectFactory(unit=unit, signed=True)
    large = ProjectFactory(unit=unit, signed=True)
    none = ProjectFactory(unit=unit, signed=True)
    outside = ProjectFactory(unit=unit, signed=True)
    for amount in ("0.10", "0.20", "0.05"):
        CapitalDeliveryFactory(project=cents, amount=Decimal(amount))
    for amount in ("123456789.99", "0.01"):
        CapitalDeliveryFactory(project=large, amount=Decimal(amount))
    CapitalDeliveryFactory(project=outside, amount=Decimal("7.00"))

    totals = delivered_totals([cents.pk, large.pk, none.pk])

    assert totals == {cents.pk: Decimal("0.35"), large.pk: Decimal("123456790.00")}
    assert (str(totals[cents.pk]), str(totals[large.pk])) == ("0.35", "123456790.00")
    assert delivered_totals([]) == {}
