"""factory_boy factories for the domain, used by every app's tests."""

import datetime
import random
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import EmployerGroup, Membership, Subgroup, User
from enrollment.models import ChangeRequest, Coverage, Dependent, Plan, PlanOffering, PlanRate, Subscriber


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = EmployerGroup
        django_get_or_create = ("group_number",)

    group_number = factory.Sequence(lambda n: "%06d" % (200000 + n))
    legal_name = factory.Sequence(lambda n: "Employer %d Inc." % n)
    address_line1 = "100 Main St"
    city = "Portland"
    state = "OR"
    zip_code = "97201"


class SubgroupFactory(DjangoModelFactory):
    class Meta:
        model = Subgroup

    group = factory.SubFactory(GroupFactory)
    code = factory.Sequence(lambda n: "S%d" % n)
    name = factory.Sequence(lambda n: "Subgroup %d" % n)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: "user%d" % n)
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: "Admin%d" % n)
    email = factory.LazyAttribute(lambda u: "%s@example.com" % u.username)
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(GroupFactory)
    role = Membership.Role.PRIMARY


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: "PLAN%03d" % n)
    name = factory.Sequence(lambda n: "Plan %d PPO Silver" % n)
    plan_type = Plan.PlanType.PPO
    metal_level = Plan.Metal.SILVER
    network = "Statewide"
    deductible = Decimal("2000.00")
    out_of_pocket_max = Decimal("6000.00")


class PlanOfferingFactory(DjangoModelFactory):
    class Meta:
        model = PlanOffering

    plan = factory.SubFactory(PlanFactory)
    group = factory.SubFactory(GroupFactory)
    subgroup = None
    plan_year = 2026


class PlanRateFactory(DjangoModelFactory):
    class Meta:
        model = PlanRate

    plan = factory.SubFactory(PlanFactory)
    plan_year = 2026
    tier = "EE"
    monthly_premium = Decimal("500.00")


def _subscriber_number():
    return "M%09d" % random.randrange(10**9)


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber

    group = factory.SubFactory(GroupFactory)
    subgroup = factory.LazyAttribute(lambda s: SubgroupFactory(group=s.group))
    subscriber_number = factory.LazyFunction(_subscriber_number)
    first_name = factory.Sequence(lambda n: "Sam%d" % n)
    last_name = "Rivera"
    date_of_birth = datetime.date(1985, 4, 12)
    gender = "F"
    marital_status = Subscriber.MaritalStatus.SINGLE
    address_line1 = "12 Oak Ave"
    city = "Salem"
    state = "OR"
    zip_code = "97301"
    hire_date = datetime.date(2024, 3, 4)


class DependentFactory(DjangoModelFactory):
    class Meta:
        model = Dependent

    subscriber = factory.SubFactory(SubscriberFactory)
    group = factory.LazyAttribute(lambda d: d.subscriber.group)
    first_name = factory.Sequence(lambda n: "Kid%d" % n)
    last_name = "Rivera"
    date_of_birth = datetime.date(2015, 6, 1)
    gender = "M"
    relationship = Dependent.Relationship.CHILD


class CoverageFactory(DjangoModelFactory):
    class Meta:
        model = Coverage

    subscriber = factory.SubFactory(SubscriberFactory)
    group = factory.LazyAttribute(lambda c: c.subscriber.group)
    plan = factory.SubFactory(PlanFactory)
    plan_year = 2026
    tier = "EE"
    start = datetime.date(2026, 1, 1)
    end = None
    status = Coverage.Status.ACTIVE


class ChangeRequestFactory(DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    group = factory.SubFactory(GroupFactory)
    confirmation_number = factory.Sequence(lambda n: ("K%09d" % n).translate(str.maketrans("0123456789", "23456789AB")))
    kind = ChangeRequest.Kind.NEW_ENROLLMENT
    submitted_by = factory.SubFactory(UserFactory)
