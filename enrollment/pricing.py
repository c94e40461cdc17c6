"""Premiums in SQL: the set-based twin of rating.py, for invoice generation and the roster.

rating.py prices one coverage in Python (the New Enrollment wizard, and the oracle of the
tests); invoices price every coverage of a group at once, so the same rules are written here
as SQL fragments that a caller embeds in its own query, correlated to its rows:

- `member_premiums_sql(...)`: one row per covered member (the subscriber first, then the covered
  dependents by member suffix), with the age used for rating, the age band and the monthly
  premium, zero for a child beyond the three oldest under 21 (rating.age_banded_premiums).
- `monthly_premium_sql(...)`: the coverage's monthly premium: the tier rate (tiered groups), or
  the sum of its members' premiums (age-banded). NULL when the carrier set no rate.
- `carried_plan_sql(...)`: the plan a coverage of an earlier plan year is priced on in a later
  one (renewal not run yet): `rules.carry_over_plan`, computed in Python for each plan and
  subgroup of the group (`carry_over_rows`) and looked up in SQL.

Every argument named `*_sql` is an SQL expression of the caller's query (a column, a parameter
placeholder's value already in the text); the fragments take no parameters of their own except
where they return (sql, params). Tests compare what they compute with rating.py and rules.py.
"""

from __future__ import annotations

from enrollment import rules
from enrollment.models import Coverage, PlanOffering
from enrollment.rating import MAX_CHARGED_CHILDREN_UNDER_21

CHILD_RELATIONSHIPS_SQL = "(%s)" % ", ".join("'%s'" % r for r in sorted(rules.CHILDREN))


def age_on_sql(date_of_birth_sql: str, on_sql: str) -> str:
    """SQL: whole years of age on a day (rules.age_on: a 29 February birthday counts on 1 March)."""
    return (
        "(extract(year from {on})::int - extract(year from {dob})::int"
        " - CASE WHEN (extract(month from {on}), extract(day from {on})) < (extract(month from {dob}), extract(day from {dob}))"
        " THEN 1 ELSE 0 END)"
    ).format(on=on_sql, dob=date_of_birth_sql)


def age_band_sql(age_sql: str) -> str:
    """SQL: the ACA age band (rating.age_band): 0-14, then each age 15 to 63, then 64+."""
    return "(CASE WHEN {a} <= 14 THEN '0-14' WHEN {a} >= 64 THEN '64+' ELSE ({a})::text END)".format(a=age_sql)


def plan_year_sql(month_sql: str, renewal_month_sql: str) -> str:
    """SQL: the plan year a day falls in (rules.plan_year_of)."""
    return "(CASE WHEN extract(month from {d})::int >= {r} THEN extract(year from {d})::int ELSE extract(year from {d})::int - 1 END)".format(
        d=month_sql, r=renewal_month_sql
    )


def plan_year_start_sql(plan_year_sql_: str, renewal_month_sql: str) -> str:
    """SQL: the first day of a plan year (rules.plan_year_start)."""
    return "make_date({y}, {r}, 1)".format(y=plan_year_sql_, r=renewal_month_sql)


def member_premiums_sql(*, coverage_sql: str, plan_sql: str, plan_year_sql_: str, year_start_sql: str) -> str:
    """Return a SELECT of the covered members of one coverage priced by age band on a plan and plan year.

    Columns: member_order (0 the subscriber, then 1, 2... the covered dependents by member
    suffix), dependent_id (NULL for the subscriber), age, age_band, premium (monthly; 0 for a
    child beyond the three oldest under 21; NULL when the carrier set no rate for the band),
    charged. Ages are taken on the plan year's first day, or on the coverage start if later.
    """
    rating_date = "greatest({ys}, c.start)".format(ys=year_start_sql)
    return """
        SELECT m.member_order, m.dependent_id, m.age, m.age_band,
               CASE WHEN m.free THEN 0.00 ELSE r.monthly_premium END AS premium, NOT m.free AS charged
        FROM (
            SELECT a.*, {band} AS age_band,
                   COALESCE(a.young_child AND row_number() OVER (PARTITION BY a.young_child ORDER BY a.date_of_birth, a.member_order) > {max_children}, false) AS free
            FROM (
                SELECT p.member_order, p.dependent_id, p.date_of_birth, {age} AS age,
                       (p.relationship IN {children} AND {age} < 21) AS young_child
                FROM (
                    SELECT 0 AS member_order, NULL::integer AS dependent_id, 'subscriber'::varchar AS relationship,
                           s.date_of_birth, {rating_date} AS rating_date
                    FROM enrollment_coverage c JOIN enrollment_subscriber s ON s.id = c.subscriber_id
                    WHERE c.id = {coverage}
                    UNION ALL
                    SELECT row_number() OVER (ORDER BY d.member_suffix, d.id)::int, d.id, d.relationship, d.date_of_birth, {rating_date}
                    FROM enrollment_coverage c
                    JOIN enrollment_coveredmember cm ON cm.coverage_id = c.id
                    JOIN enrollment_dependent d ON d.id = cm.dependent_id
                    WHERE c.id = {coverage}
                ) p
            ) a
        ) m
        LEFT JOIN enrollment_planagerate r ON r.plan_id = {plan} AND r.plan_year = {year} AND r.age_band = m.age_band
    """.format(
        band=age_band_sql("a.age"),
        max_children=MAX_CHARGED_CHILDREN_UNDER_21,
        age=age_on_sql("p.date_of_birth", "p.rating_date"),
        children=CHILD_RELATIONSHIPS_SQL,
        rating_date=rating_date,
        coverage=coverage_sql,
        plan=plan_sql,
        year=plan_year_sql_,
    )


def monthly_premium_sql(*, rating_method_sql: str, coverage_sql: str, plan_sql: str, plan_year_sql_: str, year_start_sql: str, tier_sql: str) -> str:
    """Return an SQL expression: one coverage's monthly premium on a plan and plan year, NULL when a rate is missing.

    Tiered: the plan year's rate for the tier. Age-banded: the sum of the members' premiums
    (NULL when any charged member's band has no rate).
    """
    return """
        (CASE WHEN {method} = 'age_banded' THEN
            (SELECT CASE WHEN count(*) = count(mp.premium) THEN sum(mp.premium) END FROM ({members}) mp)
         ELSE
            (SELECT r.monthly_premium FROM enrollment_planrate r WHERE r.plan_id = {plan} AND r.plan_year = {year} AND r.tier = {tier})
         END)
    """.format(
        method=rating_method_sql,
        members=member_premiums_sql(coverage_sql=coverage_sql, plan_sql=plan_sql, plan_year_sql_=plan_year_sql_, year_start_sql=year_start_sql),
        plan=plan_sql,
        year=plan_year_sql_,
        tier=tier_sql,
    )


def carry_over_rows(group, plan_years) -> list[tuple[int, int, int, int]]:
    """Return (plan year, plan id, subgroup id, carried plan id) for each plan of an earlier plan year that
    renewal would move to another plan in one of `plan_years` (rules.carry_over_plan), in two queries.

    A plan that stays, or that renewal leaves to a person (no successor offered), is not listed:
    it is priced on itself.
    """
    plan_years = sorted(set(plan_years))
    if not plan_years:
        return []
    pairs = set(
        Coverage.objects.for_group(group)
        .live()
        .filter(plan_year__lt=plan_years[-1])
        .values_list("plan_year", "plan_id", "plan__successor_id", "subscriber__subgroup_id")
        .distinct()
    )
    offered: dict[int, dict] = {year: {} for year in plan_years}
    for year, plan_id, subgroup_id in PlanOffering.objects.for_group(group).filter(plan_year__in=plan_years).values_list(
        "plan_year", "plan_id", "subgroup_id"
    ):
        offered[year].setdefault(subgroup_id, set()).add(plan_id)
    rows = set()
    for year in plan_years:
        for coverage_year, plan_id, successor_id, subgroup_id in pairs:
            if coverage_year >= year:
                continue
            ids = offered[year].get(None, set()) | offered[year].get(subgroup_id, set())
            carried = rules.carry_over_plan(plan_id, successor_id, ids)
            if carried is not None and carried != plan_id:
                rows.add((year, plan_id, subgroup_id, carried))
    return sorted(rows)


def carried_plan_sql(*, plan_sql: str, coverage_plan_year_sql: str, subgroup_sql: str, plan_year_sql_: str, rows) -> tuple[str, list]:
    """Return (SQL expression, params): the plan a coverage is priced on in a plan year, given `carry_over_rows`.

    A coverage of the plan year itself (or a later one) is priced on its own plan; one of an
    earlier plan year on the plan renewal will carry it over to.
    """
    if not rows:
        return plan_sql, []
    years, plans, subgroups, carried = (list(column) for column in zip(*rows))
    sql = """
        (CASE WHEN {coverage_year} < {year} THEN COALESCE(
            (SELECT co.carried FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[]) AS co(year, plan_id, subgroup_id, carried)
             WHERE co.year = {year} AND co.plan_id = {plan} AND co.subgroup_id = {subgroup}), {plan})
         ELSE {plan} END)
    """.format(coverage_year=coverage_plan_year_sql, year=plan_year_sql_, plan=plan_sql, subgroup=subgroup_sql)
    return sql, [years, plans, subgroups, carried]
