"""Year and month bounds: one validator (targets.models), and every door answers with it — the
model (its CHECK constraints), the report service and the API's report request."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from targets import reporting
from targets.models import FIRST_YEAR, LAST_YEAR, Report, validate_year_month
from tests.factories import IndicatorFactory, TargetFactory

pytestmark = pytest.mark.django_db

YEAR = "年度须在 2000 至 2100 之间。"
MONTH = "月份须在 1 至 12 之间。"


@pytest.mark.parametrize(("year", "month"), [(2000, 1), (2100, 12), (2011, 7)])
def test_the_bounds_are_inclusive(year, month):
    validate_year_month(year=year, month=month)


@pytest.mark.parametrize(
    ("year", "month", "errors"),
    [
        (1999, 6, {"year": [YEAR]}),
        (2101, 6, {"year": [YEAR]}),
        (2011, 0, {"month": [MONTH]}),
        (2011, 13, {"month": [MONTH]}),
        (1999, 13, {"year": [YEAR], "month": [MONTH]}),
    ],
)
def test_the_validator_names_each_field(year, month, errors):
    with pytest.raises(ValidationError) as refused:
        validate_year_month(year=year, month=month)
    assert refused.value.message_dict == errors


def test_the_model_refuses_with_the_same_message():
    with pytest.raises(ValidationError) as refused:
        TargetFactory.build(indicator=IndicatorFactory(), year=LAST_YEAR + 1).full_clean()
    assert refused.value.message_dict == {"year": [YEAR]}
    with pytest.raises(ValidationError) as refused:
        Report(year=2011, month=13).full_clean()
    assert refused.value.message_dict == {"month": [MONTH]}


def test_the_report_service_refuses_with_the_same_message_and_writes_nothing():
    with pytest.raises(ValidationError) as refused:
        reporting.report_request(year=FIRST_YEAR - 1, month=13)
    assert refused.value.message_dict == {"year": [YEAR], "month": [MONTH]}
    assert Report.objects.count() == 0


def test_the_api_refuses_with_the_same_message_and_writes_nothing(leader_user):
    client = APIClient()
    client.force_authenticate(leader_user)
    response = client.post(reverse("report-list"), {"year": 1999, "month": 13}, format="json")
    assert response.status_code == 400
    assert response.json() == {"year": [YEAR], "month": [MONTH]}
    assert Report.objects.count() == 0
