"""Demo plans and rates, the demo groups' offerings, their people and coverages, and the large data sets.

Everything is derived from `random.Random(2026)` and the month the seed runs in, so a second
run in the same month writes nothing new: rows are upserted on their natural keys (plan code,
subscriber number, subscriber + member suffix). Coverages (and the invoices made from them)
are only rebuilt when the month changed since the last run.

The large data sets (`--groups N --subscribers N`) are written with bulk inserts, in groups
900001 and up, and never touch the demo groups.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from accounts.models import EmployerGroup, Subgroup
from core.fields import fingerprint
from core.money import round_half_up
from demo.accounts import (
    ACME,
    BLUEBIRD,
    CEDAR,
    DEMO_GROUPS,
    HISTORY_MONTHS,
    SEED,
    GroupSpec,
    anchor_month,
    history_start,
    renewal_months,
)
from enrollment import rules
from enrollment.models import (
    AGE_BANDS,
    Coverage,
    CoveredMember,
    Dependent,
    Plan,
    PlanAgeRate,
    PlanOffering,
    PlanRate,
    Subscriber,
)

# --- Plans --------------------------------------------------------------------------------------

# Monthly premiums are for the 2026 plan year; other years move by the plan's yearly trend.
RATE_BASE_YEAR = 2026
TIER_FACTORS = {"EE": Decimal("1"), "ES": Decimal("2.00"), "EC": Decimal("1.85"), "FAM": Decimal("2.90")}


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    plan_type: str
    metal: str
    network: str
    deductible: str
    oop_max: str
    ee_rate: str  # 2026 monthly, employee only
    trend: str  # yearly increase, 6-9 %


PLANS = [
    PlanSpec("CAS-HMO-G500", "Cascade HMO Gold 500", "HMO", "gold", "Cascade Select", "500", "4000", "598.20", "0.068"),
    PlanSpec("CAS-HMO-S2000", "Cascade HMO Silver 2000", "HMO", "silver", "Cascade Select", "2000", "7000", "471.35", "0.072"),
    PlanSpec("SUM-PPO-P250", "Summit PPO Platinum 250", "PPO", "platinum", "Summit Open Access", "250", "2500", "742.10", "0.061"),
    PlanSpec("SUM-PPO-G1000", "Summit PPO Gold 1000", "PPO", "gold", "Summit Open Access", "1000", "5000", "655.80", "0.065"),
    PlanSpec("SUM-PPO-S2500", "Summit PPO Silver 2500", "PPO", "silver", "Summit Open Access", "2500", "7500", "548.90", "0.079"),
    PlanSpec("SUM-PPO-S3000", "Summit PPO Silver 3000", "PPO", "silver", "Summit Open Access", "3000", "7900", "531.15", "0.074"),
    PlanSpec("WIL-EPO-G750", "Willamette EPO Gold 750", "EPO", "gold", "Willamette Valley Exclusive", "750", "4500", "583.40", "0.083"),
    PlanSpec("RID-HDHP-B7000", "Ridgeline HDHP Bronze 7000", "HDHP", "bronze", "Ridgeline Statewide", "7000", "8000", "389.75", "0.088"),
]
DISCONTINUED = "SUM-PPO-S2500"  # not sold from Acme's coming plan year on
SUCCESSOR = "SUM-PPO-S3000"  # sold from then on; renewal maps the old plan to it

# The federal default age curve (45 CFR 147.102), relative to age 21.
AGE_CURVE = {"0-14": "0.765", "15": "0.833", "16": "0.859", "17": "0.885", "18": "0.913", "19": "0.941", "20": "0.970"}
AGE_CURVE.update({str(a): "1.000" for a in range(21, 25)})
AGE_CURVE.update(dict(zip(
    [str(a) for a in range(25, 64)],
    "1.004 1.024 1.048 1.087 1.119 1.135 1.159 1.183 1.198 1.214 1.222 1.230 1.238 1.246 1.262 1.278 1.302 "
    "1.325 1.357 1.397 1.444 1.500 1.563 1.635 1.706 1.786 1.865 1.952 2.040 2.135 2.230 2.333 2.437 2.548 "
    "2.603 2.714 2.810 2.873 2.952".split(),
)))
AGE_CURVE["64+"] = "3.000"
AGE_21_SHARE = Decimal("0.78")  # an age-21 member's premium relative to the tiered EE premium


def tier_rate(spec: PlanSpec, plan_year: int, tier: str) -> Decimal:
    trend = (1 + Decimal(spec.trend)) ** (plan_year - RATE_BASE_YEAR)
    return round_half_up(Decimal(spec.ee_rate) * TIER_FACTORS[tier] * trend)


def age_rate(spec: PlanSpec, plan_year: int, band: str) -> Decimal:
    trend = (1 + Decimal(spec.trend)) ** (plan_year - RATE_BASE_YEAR)
    return round_half_up(Decimal(spec.ee_rate) * AGE_21_SHARE * Decimal(AGE_CURVE[band]) * trend)



# --- The demo groups' plans ------------------------------------------------------------------------

# (plan code, subgroup code or None for every subgroup), as sold in the current plan year.
OFFERINGS = {
    ACME.group_number: (
        ("CAS-HMO-G500", None), ("SUM-PPO-G1000", None), ("RID-HDHP-B7000", None),
        ("SUM-PPO-P250", "SAL"),
        ("CAS-HMO-S2000", "HRLY"), ("CAS-HMO-S2000", "U48"),
        (DISCONTINUED, "HRLY"), (DISCONTINUED, "U48"),
        ("WIL-EPO-G750", "U48"),
    ),
    BLUEBIRD.group_number: (("CAS-HMO-S2000", None), ("SUM-PPO-G1000", None), ("WIL-EPO-G750", None), ("RID-HDHP-B7000", None)),
    CEDAR.group_number: (("CAS-HMO-G500", None), ("SUM-PPO-G1000", None), ("RID-HDHP-B7000", None), ("SUM-PPO-P250", "CERT")),
}
SUBSCRIBER_COUNTS = {ACME.group_number: 80, BLUEBIRD.group_number: 18, CEDAR.group_number: 52}

def plan_years(renewal_month: int, today: date) -> list[int]:
    """Return the plan years the demo needs for a group: those of the history months, and the next one."""
    first = rules.plan_year_of(renewal_month, history_start(today))
    current = rules.plan_year_of(renewal_month, today)
    return list(range(first, current + 2))


def discontinued_from(today: date) -> int:
    """Return the plan year from which the discontinued plan is replaced by its successor: Acme's next one."""
    return rules.plan_year_of(renewal_months(today)[ACME.group_number], today) + 1


def plan_sold_in(code: str, plan_year: int, today: date) -> bool:
    if code == DISCONTINUED:
        return plan_year < discontinued_from(today)
    if code == SUCCESSOR:
        return plan_year >= discontinued_from(today)
    return True


def offered_codes(spec: GroupSpec, plan_year: int, today: date) -> list[tuple[str, str | None]]:
    """Return the group's offerings for a plan year, the discontinued plan mapped to its successor."""
    result = []
    for code, subgroup in OFFERINGS[spec.group_number]:
        if not plan_sold_in(code, plan_year, today):
            code = SUCCESSOR
        if (code, subgroup) not in result:
            result.append((code, subgroup))
    return result


def all_rate_years(today: date) -> list[int]:
    years = set()
    for month in renewal_months(today).values():
        years.update(plan_years(month, today))
    return sorted(years)


def seed_plans(today: date) -> dict[str, Plan]:
    """Upsert the carrier's plans and their tier and age rates for every plan year the demo uses."""
    plans = {}
    for spec in PLANS:
        plans[spec.code], _ = Plan.objects.update_or_create(
            code=spec.code,
            defaults=dict(
                name=spec.name, plan_type=spec.plan_type, metal_level=spec.metal, network=spec.network,
                deductible=Decimal(spec.deductible), out_of_pocket_max=Decimal(spec.oop_max), is_active=True,
            ),
        )
    Plan.objects.filter(code=DISCONTINUED).update(successor=plans[SUCCESSOR])
    plans[DISCONTINUED].successor = plans[SUCCESSOR]

    years = all_rate_years(today)
    specs = {spec.code: spec for spec in PLANS}
    for code, plan in plans.items():
        sold = [y for y in years if plan_sold_in(code, y, today)]
        # Rates of years the plan is not sold in would be wrong, not merely unused.
        PlanRate.objects.filter(plan=plan).exclude(plan_year__in=sold).delete()
        PlanAgeRate.objects.filter(plan=plan).exclude(plan_year__in=sold).delete()
        have_tiers = {(r.plan_year, r.tier): r.monthly_premium for r in PlanRate.objects.filter(plan=plan)}
        have_ages = {(r.plan_year, r.age_band): r.monthly_premium for r in PlanAgeRate.objects.filter(plan=plan)}
        new_tiers, new_ages = [], []
        for year in sold:
            for tier in TIER_FACTORS:
                premium = tier_rate(specs[code], year, tier)
                if (year, tier) not in have_tiers:
                    new_tiers.append(PlanRate(plan=plan, plan_year=year, tier=tier, monthly_premium=premium))
                elif have_tiers[(year, tier)] != premium:
                    PlanRate.objects.filter(plan=plan, plan_year=year, tier=tier).update(monthly_premium=premium)
            for band in AGE_BANDS:
                premium = age_rate(specs[code], year, band)
                if (year, band) not in have_ages:
                    new_ages.append(PlanAgeRate(plan=plan, plan_year=year, age_band=band, monthly_premium=premium))
                elif have_ages[(year, band)] != premium:
                    PlanAgeRate.objects.filter(plan=plan, plan_year=year, age_band=band).update(monthly_premium=premium)
        PlanRate.objects.bulk_create(new_tiers)
        PlanAgeRate.objects.bulk_create(new_ages)
    return plans



def seed_offerings(groups: dict[str, EmployerGroup], plans: dict[str, Plan], today: date) -> None:
    """Upsert the demo groups' plan offerings for every plan year the demo uses."""
    for spec in DEMO_GROUPS:
        group = groups[spec.group_number]
        wanted = set()
        for year in plan_years(group.renewal_month, today):
            for code, subgroup_code in offered_codes(spec, year, today):
                offering, _ = PlanOffering.objects.get_or_create(
                    plan=plans[code], group=group, subgroup=group.subgroup_map.get(subgroup_code), plan_year=year
                )
                wanted.add(offering.pk)
        # Offerings of plan years the demo no longer shows (a month later) go; others stay.
        PlanOffering.objects.filter(group=group).exclude(pk__in=wanted).filter(
            plan_year__lt=min(plan_years(group.renewal_month, today))
        ).delete()


# --- People -----------------------------------------------------------------------------------------

FIRST_F = (
    "Olivia Emma Ava Sophia Isabella Mia Amelia Harper Evelyn Abigail Emily Ella Elizabeth Camila Luna Sofia Avery "
    "Mila Aria Scarlett Penelope Layla Chloe Victoria Madison Eleanor Grace Nora Riley Zoey Hannah Hazel Lily Ellie "
    "Violet Lillian Zoe Stella Aurora Natalie Emilia Everly Leah Aubrey Willow Addison Lucy Audrey Bella Nova"
).split()
FIRST_M = (
    "Liam Noah Oliver Elijah William James Benjamin Lucas Henry Alexander Mason Michael Ethan Daniel Jacob Logan "
    "Jackson Levi Sebastian Mateo Jack Owen Theodore Aiden Samuel Joseph John David Wyatt Matthew Luke Asher Carter "
    "Julian Grayson Leo Jayden Gabriel Isaac Lincoln Anthony Hudson Dylan Ezra Thomas Charles Christopher Jaxon Maverick"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson "
    "Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
    "Mitchell Carter Roberts Okafor Haugen Lindqvist Kowalski Tanaka Patel Yamamoto Oyelaran Fitzgerald Delgado"
).split()
STREETS = (
    "Oak St", "Maple Ave", "Alder St", "Hawthorne Blvd", "Division St", "Belmont St", "Lombard St", "Sandy Blvd",
    "Willamette St", "River Rd", "Pine Ct", "Juniper Ln", "Fir Grove Dr", "Madrona Way", "Cascade Ave", "Ash St",
)
CITIES = (
    ("Portland", "97202"), ("Beaverton", "97005"), ("Tigard", "97223"), ("Tualatin", "97062"), ("Lake Oswego", "97034"),
    ("Salem", "97301"), ("Eugene", "97401"), ("Springfield", "97477"), ("Bend", "97701"), ("Redmond", "97756"),
    ("Vancouver", "98660"), ("Hillsboro", "97123"), ("Gresham", "97030"), ("Corvallis", "97330"),
)
OTHER_CARRIERS = ("Evergreen Mutual Health", "Pacific Crest Health Plan", "TRICARE", "Oregon Health Plan (Medicaid)")
PCPS = (
    ("Dr. Maria Ochoa", "PCP104221"), ("Dr. Samuel Park", "PCP118302"), ("Dr. Hannah Reyes", "PCP120945"),
    ("Riverbend Family Medicine", "PCP133870"), ("Dr. Anil Mehta", "PCP140112"), ("Dr. Grace Holloway", "PCP151006"),
)


@dataclass
class DependentPlan:
    suffix: str
    relationship: str
    first_name: str
    last_name: str
    middle_initial: str
    date_of_birth: date
    gender: str
    covered: bool
    other_carrier: str = ""
    ssn: str = ""


@dataclass
class SubscriberPlan:
    subscriber_number: str
    subgroup_code: str
    first_name: str
    middle_initial: str
    last_name: str
    date_of_birth: date
    gender: str
    marital_status: str
    address: tuple[str, str, str]
    phone: str
    email: str
    hire_date: date
    ssn: str
    pcp: tuple[str, str]
    plan_code: str  # the current plan year's plan
    coverage_start: date  # first of month; the first day of coverage in the group
    coverage_end: date | None  # a past termination
    termination_reason: str = ""
    dependents: list[DependentPlan] = field(default_factory=list)

    @property
    def tier(self) -> str:
        return rules.coverage_tier(d.relationship for d in self.dependents if d.covered)


def _birthday(rng: random.Random, today: date, age: int) -> date:
    """Return a date of birth of someone `age` years old on the first of today's month."""
    anchor = anchor_month(today)
    day = anchor - timedelta(days=rng.randint(1, 364))
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February
        return day.replace(year=day.year - age, day=28)


def plan_people(spec: GroupSpec, today: date, rng: random.Random, taken_ids: set[str]) -> list[SubscriberPlan]:
    """Return the group's subscribers, their dependents and coverage as plain data (no database)."""
    anchor = anchor_month(today)
    months = renewal_months(today)
    current_year = rules.plan_year_of(months[spec.group_number], today)
    people, names, ssns = [], set(), set()
    ids = []
    while len(ids) < SUBSCRIBER_COUNTS[spec.group_number]:  # drawn first, so they never depend on the date
        sid = "M%09d" % rng.randint(100_000_000, 899_999_999)
        if sid not in taken_ids:
            taken_ids.add(sid)
            ids.append(sid)
    for n, sid in enumerate(ids):
        # One stream per person: what one person draws (which can vary with the month) never
        # shifts what the next one gets, so a subscriber keeps their name and SSN.
        rng = random.Random("%d-%s-%d" % (SEED, spec.group_number, n))
        gender = rng.choices("FMX", weights=[49, 49, 2])[0]
        while True:
            first = rng.choice(FIRST_F if gender == "F" else FIRST_M if gender == "M" else FIRST_F + FIRST_M)
            last = rng.choice(LAST)
            age = rng.randint(22, 64)
            dob = _birthday(rng, today, age)
            if (first.lower(), last.lower(), dob) not in names:
                names.add((first.lower(), last.lower(), dob))
                break
        subgroup = spec.subgroups[n % len(spec.subgroups)][0] if n % 5 else spec.subgroups[0][0]
        marital = rng.choices(
            ["married", "single", "domestic_partner", "divorced", "widowed", "separated"], weights=[52, 30, 6, 8, 2, 2]
        )[0]
        city, zip_code = rng.choice(CITIES)
        address = ("%d %s" % (rng.randint(100, 19999), rng.choice(STREETS)), city, zip_code)

        # Employment: most hired years ago; some within the demo's history; a few starting next month.
        kind = rng.choices(["long", "recent", "new", "terminated"], weights=[82, 8, 4, 6])[0]
        if n % 40 == 7:
            kind = "new"  # every group has prospective subscribers to show
        if kind == "recent":
            hire = rules.add_months(anchor, -rng.randint(2, HISTORY_MONTHS - 1)) + timedelta(days=rng.randint(0, 20))
        elif kind == "new":
            hire = anchor - timedelta(days=spec.waiting_period_days)
        else:
            hire = rules.add_months(anchor, -rng.randint(14, 12 * min(age - 20, 25)))
            hire += timedelta(days=rng.randint(0, 27))
        start = rules.new_hire_coverage_start(hire, spec.waiting_period_days)
        end, reason = None, ""
        if kind == "terminated":
            end = rules.last_of_month(rules.add_months(anchor, -rng.randint(1, HISTORY_MONTHS - 2)))
            reason = rng.choice([Coverage.TerminationReason.END_OF_EMPLOYMENT, Coverage.TerminationReason.VOLUNTARY])
        choices = [code for code, sg in offered_codes(spec, current_year, today) if sg in (None, subgroup)]
        ssn = ""
        if rng.random() < 0.45:
            while not ssn or ssn in ssns:
                ssn = "9%08d" % rng.randint(0, 99_999_999)
            ssns.add(ssn)
        person = SubscriberPlan(
            subscriber_number=sid, subgroup_code=subgroup, first_name=first,
            middle_initial=rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.6 else "",
            last_name=last, date_of_birth=dob, gender=gender, marital_status=marital, address=address,
            phone="503-555-%04d" % rng.randint(100, 9999), email="%s.%s%d@example.com" % (first.lower(), last.lower(), n),
            hire_date=hire, ssn=ssn, pcp=rng.choice(PCPS) if rng.random() < 0.7 else ("", ""),
            plan_code=rng.choice(choices), coverage_start=start, coverage_end=end, termination_reason=reason,
        )
        _plan_dependents(person, rng, today, age, ssns)
        people.append(person)
    if spec is ACME:
        _add_disabled_adult_child(people[3], random.Random("%d-dac" % SEED), today)
        _add_child_ageing_out(people, random.Random("%d-ageing" % SEED), today)
    return people


def _add_child_ageing_out(people: list[SubscriberPlan], rng: random.Random, today: date) -> None:
    """Give an Acme subscriber with coverage continuing past the renewal a child who turns 26 this month.

    The child is eligible through the end of this month, the last of the plan year: open
    enrollment flags them, and the renewal leaves them out (the tier follows).
    """
    anchor = anchor_month(today)
    person = next(p for p in people[5:] if p.coverage_end is None and p.coverage_start <= history_start(today))
    if rules.age_on(person.date_of_birth, anchor) < 50:
        person.date_of_birth = _birthday(rng, today, 54)
    person.dependents.append(
        DependentPlan("", "child", "Mason", person.last_name, "T", date(anchor.year - 26, anchor.month, 10), "M", covered=True)
    )
    person.dependents.sort(key=lambda d: (d.relationship not in rules.SPOUSAL, d.date_of_birth))
    for i, dep in enumerate(person.dependents, start=1):
        dep.suffix = "%02d" % i


def _plan_dependents(person: SubscriberPlan, rng: random.Random, today: date, age: int, ssns: set[str]) -> None:
    deps = person.dependents
    if person.marital_status in ("married", "domestic_partner"):
        relationship = "spouse" if person.marital_status == "married" else "domestic_partner"
        gender = {"F": "M", "M": "F"}.get(person.gender, rng.choice("FM"))
        other = rng.random() < 0.15
        deps.append(DependentPlan(
            "", relationship, rng.choice(FIRST_F if gender == "F" else FIRST_M),
            person.last_name if rng.random() < 0.8 else rng.choice(LAST), "",
            _birthday(rng, today, max(21, min(70, age + rng.randint(-6, 6)))), gender, covered=not other,
            other_carrier=rng.choice(OTHER_CARRIERS[:3]) if other else "",
        ))
    if age < 60 and rng.random() < (0.65 if deps else 0.25):
        for _ in range(rng.choices([1, 2, 3, 4], weights=[40, 35, 18, 7])[0]):
            child_age = rng.randint(2, min(25, age - 19))  # born before any coverage row the demo shows
            gender = rng.choice("FM")
            relationship = rng.choices(["child", "stepchild", "foster_child", "legal_ward"], weights=[88, 8, 3, 1])[0]
            other = rng.random() < 0.05
            deps.append(DependentPlan(
                "", relationship, rng.choice(FIRST_F if gender == "F" else FIRST_M), person.last_name, "",
                _birthday(rng, today, child_age), gender, covered=not other,
                other_carrier=rng.choice(OTHER_CARRIERS) if other else "",
            ))
    # Spouse first, then the children oldest first: the suffixes read as a family does.
    deps.sort(key=lambda d: (d.relationship not in rules.SPOUSAL, d.date_of_birth))
    for i, dep in enumerate(deps, start=1):
        dep.suffix = "%02d" % i
        if dep.relationship in rules.SPOUSAL and rng.random() < 0.4:
            while not dep.ssn or dep.ssn in ssns:
                dep.ssn = "9%08d" % rng.randint(0, 99_999_999)
            ssns.add(dep.ssn)


def _add_disabled_adult_child(person: SubscriberPlan, rng: random.Random, today: date) -> None:
    """Acme's fourth subscriber has a disabled adult child, covered with no age limit."""
    person.date_of_birth = _birthday(rng, today, 61)
    person.dependents = [d for d in person.dependents if d.relationship in rules.SPOUSAL]
    person.dependents.append(
        DependentPlan("", "disabled_adult_child", "Jordan", person.last_name, "R", _birthday(rng, today, 31), "X", covered=True)
    )
    for i, dep in enumerate(person.dependents, start=1):
        dep.suffix = "%02d" % i


def plan_demo(today: date) -> dict[str, list[SubscriberPlan]]:
    """Return the demo's people of every group, always the same for the same month."""
    rng = random.Random(SEED)
    taken: set[str] = set()
    return {spec.group_number: plan_people(spec, today, rng, taken) for spec in DEMO_GROUPS}


def seed_people(groups: dict[str, EmployerGroup], people: dict[str, list[SubscriberPlan]]) -> dict[str, Subscriber]:
    """Upsert subscribers (on subscriber ID) and dependents (on subscriber + suffix)."""
    subscribers = {}
    for group_number, persons in people.items():
        group = groups[group_number]
        # An SSN that moves to another person (the demo's code changed) would collide on the way.
        wanted = {p.subscriber_number: fingerprint(p.ssn) for p in persons}
        stale = [s.pk for s in Subscriber.objects.filter(subscriber_number__in=wanted) if s.ssn_hash != wanted[s.subscriber_number]]
        Subscriber.objects.filter(pk__in=stale).update(ssn_encrypted="", ssn_last4="", ssn_hash="")
        for p in persons:
            line1, city, zip_code = p.address
            sub, _ = Subscriber.objects.update_or_create(
                subscriber_number=p.subscriber_number,
                defaults=dict(
                    group=group, subgroup=group.subgroup_map[p.subgroup_code], first_name=p.first_name,
                    middle_initial=p.middle_initial, last_name=p.last_name, date_of_birth=p.date_of_birth,
                    gender=p.gender, marital_status=p.marital_status, address_line1=line1, city=city, state="OR",
                    zip_code=zip_code, phone=p.phone, email=p.email, hire_date=p.hire_date,
                    pcp_name=p.pcp[0], pcp_id=p.pcp[1],
                ),
            )
            _keep_ssn(sub, p.ssn)
            sub.dependent_map = {}
            for d in p.dependents:
                dep, _ = Dependent.objects.update_or_create(
                    subscriber=sub, member_suffix=d.suffix,
                    defaults=dict(
                        group=group, relationship=d.relationship, first_name=d.first_name, last_name=d.last_name,
                        middle_initial=d.middle_initial, date_of_birth=d.date_of_birth, gender=d.gender,
                        has_other_coverage=bool(d.other_carrier), other_carrier=d.other_carrier,
                        other_policy_number=("OC%08d" % (int(p.subscriber_number[1:]) % 10**8)) if d.other_carrier else "",
                        removed_on=None,
                    ),
                )
                _keep_ssn(dep, d.ssn)
                sub.dependent_map[d.suffix] = dep
            subscribers[p.subscriber_number] = sub
    return subscribers


def _keep_ssn(person, ssn: str) -> None:
    """Set the SSN only when it differs: its Fernet token changes on every encryption."""
    if person.ssn_hash != fingerprint(ssn):
        person.set_ssn(ssn)
        person.save(update_fields=["ssn_encrypted", "ssn_last4", "ssn_hash"])


# --- Coverages -----------------------------------------------------------------------------------------


def coverage_rows(group: EmployerGroup, spec: GroupSpec, p: SubscriberPlan, today: date) -> list[dict]:
    """Split the person's coverage into one row per plan year (renewal ends a row and starts the next).

    Rows before the demo's history months are not kept: the first row starts at the later of the
    coverage start and the start of the plan year of the first history month.
    """
    first_year = rules.plan_year_of(group.renewal_month, history_start(today))
    start = max(p.coverage_start, rules.plan_year_start(group.renewal_month, first_year))
    rows = []
    while p.coverage_end is None or start <= p.coverage_end:
        year = rules.plan_year_of(group.renewal_month, start)
        year_end = rules.plan_year_start(group.renewal_month, year + 1) - timedelta(days=1)
        current = rules.plan_year_of(group.renewal_month, today)
        if year > current and start != p.coverage_start:
            break  # renewal has not run yet; only a new hire may start in the coming plan year
        code = p.plan_code
        if not plan_sold_in(code, year, today):
            code = SUCCESSOR
        last = year >= current or (p.coverage_end is not None and p.coverage_end <= year_end)
        end = p.coverage_end if last else year_end
        reason = p.termination_reason if last and end else (Coverage.TerminationReason.REPLACED if end else "")
        rows.append(dict(plan_code=code, plan_year=year, start=start, end=end, termination_reason=reason))
        if last:
            break
        start = year_end + timedelta(days=1)
    return rows


def clear_coverages(groups) -> None:
    """Remove the demo groups' coverages (billing rows that point at them must be gone already)."""
    CoveredMember.objects.filter(coverage__group__in=groups).delete()
    Coverage.objects.filter(group__in=groups).delete()


def seed_coverages(groups, people, subscribers, plans, today: date) -> int:
    """Write every demo coverage row with its covered members (after clear_coverages)."""
    specs = {spec.group_number: spec for spec in DEMO_GROUPS}
    coverages, members = [], []
    for group_number, persons in people.items():
        group = groups[group_number]
        for p in persons:
            sub = subscribers[p.subscriber_number]
            for row in coverage_rows(group, specs[group_number], p, today):
                cov = Coverage(
                    group=group, subscriber=sub, plan=plans[row["plan_code"]], plan_year=row["plan_year"], tier=p.tier,
                    start=row["start"], end=row["end"], status=Coverage.Status.ACTIVE,
                    termination_reason=row["termination_reason"],
                )
                coverages.append(cov)
                members.append((cov, [sub.dependent_map[d.suffix] for d in p.dependents if d.covered]))
    Coverage.objects.bulk_create(coverages, batch_size=1000)
    CoveredMember.objects.bulk_create(
        [CoveredMember(coverage=cov, dependent=dep) for cov, deps in members for dep in deps], batch_size=1000
    )
    return len(coverages)


# --- Large data sets (bulk) --------------------------------------------------------------------------

LARGE_GROUP_BASE = 900_000  # large groups are 900001, 900002…: never a demo or real group ID
LARGE_MAX_GROUPS = 99
LARGE_PLAN_SETS = (
    ("CAS-HMO-G500", "SUM-PPO-G1000", "RID-HDHP-B7000", "WIL-EPO-G750"),
    ("CAS-HMO-S2000", "SUM-PPO-P250", "SUM-PPO-G1000", "RID-HDHP-B7000"),
)
LARGE_SUBGROUPS = (("A", "Headquarters"), ("B", "Field operations"), ("C", "Part-time"))


def large_subscriber_number(group_seq: int, n: int) -> str:
    """M9 + 8 digits: a fixed permutation of (group, position), so IDs look random but never collide.

    Demo IDs are below M900000000, so the two sets never meet either.
    """
    index = (group_seq - 1) * 1_000_000 + n
    return "M9%08d" % ((index * 7919 + 104_729) % 10**8)


def seed_large(groups: int, subscribers: int, today: date, plans: dict[str, Plan], *, batch_size: int = 5000, log=None) -> dict:
    """Create `groups` large groups sharing `subscribers` subscribers, with bulk inserts.

    Groups that exist already are skipped, so the same arguments twice change nothing.
    """
    if not 1 <= groups <= LARGE_MAX_GROUPS:
        raise ValueError("--groups must be between 1 and %d." % LARGE_MAX_GROUPS)
    per_group = [subscribers // groups + (1 if i < subscribers % groups else 0) for i in range(groups)]
    if max(per_group) >= 1_000_000:
        raise ValueError("At most 999,999 subscribers per group.")
    anchor = anchor_month(today)
    totals = defaultdict(int)
    for seq in range(1, groups + 1):
        group_number = "%06d" % (LARGE_GROUP_BASE + seq)
        if EmployerGroup.objects.filter(group_number=group_number).exists():
            continue
        rng = random.Random("%d-%s" % (SEED, group_number))
        renewal = (seq * 5) % 12 + 1
        group = EmployerGroup.objects.create(
            group_number=group_number, legal_name="%s %s" % (rng.choice(LAST), rng.choice(["Logistics", "Health Partners", "Foods Inc.", "Industries", "Credit Union", "County"])),
            address_line1="%d Commerce Pkwy" % rng.randint(100, 9999), city="Portland", state="OR", zip_code="97204",
            renewal_month=renewal, waiting_period_days=rng.choice([0, 30, 60, 90]),
            rating_method=EmployerGroup.RatingMethod.TIERED,
        )
        subgroups = [Subgroup.objects.create(group=group, code=code, name=name) for code, name in LARGE_SUBGROUPS]
        current = rules.plan_year_of(renewal, today)
        codes = LARGE_PLAN_SETS[seq % 2]
        PlanOffering.objects.bulk_create(
            [PlanOffering(plan=plans[code], group=group, plan_year=year) for year in (current, current + 1) for code in codes]
        )
        _ensure_rates(plans, codes, [current, current + 1])
        year_start = rules.plan_year_start(renewal, current)
        totals["groups"] += 1
        names = set()
        n = 0
        while n < per_group[seq - 1]:
            chunk = range(n, min(n + batch_size, per_group[seq - 1]))
            subs, families = [], []
            for j in chunk:
                gender = rng.choice("FM")
                while True:
                    first, last = rng.choice(FIRST_F if gender == "F" else FIRST_M), rng.choice(LAST)
                    dob = anchor - timedelta(days=rng.randint(21 * 365, 64 * 365))
                    if (first, last, dob) not in names:
                        names.add((first, last, dob))
                        break
                married = rng.random() < 0.45
                city, zip_code = rng.choice(CITIES)
                hire = anchor - timedelta(days=rng.randint(400, 20 * 365))
                subs.append(Subscriber(
                    group=group, subgroup=subgroups[j % 3], subscriber_number=large_subscriber_number(seq, j), first_name=first,
                    last_name=last, date_of_birth=dob, gender=gender, marital_status="married" if married else "single",
                    address_line1="%d %s" % (rng.randint(100, 19999), rng.choice(STREETS)), city=city, state="OR",
                    zip_code=zip_code, hire_date=hire,
                ))
                deps = []
                if married:
                    deps.append(("spouse", rng.choice(FIRST_M if gender == "F" else FIRST_F), dob + timedelta(days=rng.randint(-2000, 2000)), "M" if gender == "F" else "F"))
                if rng.random() < 0.35:
                    for _ in range(rng.randint(1, 3)):
                        kid = max(dob + timedelta(days=20 * 365), anchor - timedelta(days=rng.randint(800, 25 * 365)))
                        deps.append(("child", rng.choice(FIRST_F + FIRST_M), kid, rng.choice("FM")))
                families.append(deps)
            Subscriber.objects.bulk_create(subs, batch_size=batch_size)
            dependents, coverages = [], []
            for sub, deps in zip(subs, families):
                for k, (relationship, first, dob, gender) in enumerate(deps, start=1):
                    dependents.append(Dependent(
                        group=group, subscriber=sub, relationship=relationship, member_suffix="%02d" % k,
                        first_name=first, last_name=sub.last_name, date_of_birth=dob, gender=gender,
                    ))
                coverages.append(Coverage(
                    group=group, subscriber=sub, plan=plans[codes[sub.pk % len(codes)]], plan_year=current,
                    tier=rules.coverage_tier(d[0] for d in deps), start=max(year_start, rules.new_hire_coverage_start(sub.hire_date, group.waiting_period_days)),
                    status=Coverage.Status.ACTIVE,
                ))
            Dependent.objects.bulk_create(dependents, batch_size=batch_size)
            Coverage.objects.bulk_create(coverages, batch_size=batch_size)
            by_subscriber = {cov.subscriber_id: cov for cov in coverages}
            CoveredMember.objects.bulk_create(
                [CoveredMember(coverage=by_subscriber[dep.subscriber_id], dependent=dep) for dep in dependents], batch_size=batch_size
            )
            totals["subscribers"] += len(subs)
            totals["dependents"] += len(dependents)
            totals["coverages"] += len(coverages)
            n = chunk.stop
            if log:
                log("  %s: %d / %d subscribers" % (group_number, n, per_group[seq - 1]))
    with connection.cursor() as cursor:  # fresh statistics, or the first pages plan badly
        cursor.execute("ANALYZE enrollment_subscriber, enrollment_dependent, enrollment_coverage, enrollment_coveredmember")
    return dict(totals)


def _ensure_rates(plans, codes, years) -> None:
    specs = {spec.code: spec for spec in PLANS}
    for code in codes:
        for year in years:
            for tier in TIER_FACTORS:
                PlanRate.objects.get_or_create(
                    plan=plans[code], plan_year=year, tier=tier, defaults={"monthly_premium": tier_rate(specs[code], year, tier)}
                )
