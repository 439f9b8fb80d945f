"""Helpers shared by the API tests (fixtures are in conftest.py)."""

from dataclasses import dataclass

from rest_framework.test import APIClient

from accounts.models import Unit, User
from accounts.tokens import token_issue
from chambers.models import Chamber, Contact, Event
from projects.models import Activity, CapitalDelivery, Industry, Parcel, Project
from targets.models import Indicator, Report, Target, UnitGroup

# The callers of the permission matrix: the owner (staff of the project's unit), a colleague of
# another unit, a leader, a read-only API client, an anonymous caller and an administrator.
ROLES = ("own_staff", "other_staff", "leader", "reader", "anon", "admin")


def token_client(user: User | None) -> APIClient:
    """A REST client as a real one is: `Authorization: Token <key>`, no session, no CSRF exemption."""
    client = APIClient()
    if user is not None:
        _api_token, key = token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def ids(response) -> set[int]:
    """The ids of a paginated list answer."""
    return {row["id"] for row in response.json()["results"]}


@dataclass
class World:
    unit: Unit
    other_unit: Unit
    industry: Industry
    chamber: Chamber
    contact: Contact
    event: Event
    parcel: Parcel  # published, of `unit`
    draft_parcel: Parcel  # not published, of `unit`
    project: Project  # of `unit`, signed, public
    secret: Project  # of `unit`, signed, confidential
    lead: Project  # of `unit`, a lead without deliveries (deletable)
    other_project: Project  # of `other_unit`, signed, public
    other_secret: Project  # of `other_unit`, signed, confidential
    delivery: CapitalDelivery
    secret_delivery: CapitalDelivery
    other_delivery: CapitalDelivery
    other_secret_delivery: CapitalDelivery
    activity: Activity
    secret_activity: Activity
    other_secret_activity: Activity
    indicator: Indicator
    target: Target
    report: Report
    unit_group: UnitGroup  # of 2010 (no row in the 2011 reports), with `unit` as its member, deletable
