"""Continuation coverage (COBRA, or a state's law) after a qualifying event (docs/cobra.md).

    services.py   report a qualifying event, record an election, end or extend a continuation (each a ChangeRequest)
    selectors.py  the COBRA roster and its CSV, a continuation's page, and `continuation_periods` (what billing bills)
    forms.py, views.py, urls.py

The worker's side lives outside this package, because the request pipeline imports it and this
package imports the pipeline: enrollment.continuation_processors, enrollment.continuation_coverage
(the coverage rows), enrollment.election_notices (premiums and the PDF), enrollment.continuation_rules
(pure), enrollment.continuation_tasks (the daily beat task).
"""
