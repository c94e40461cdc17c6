"""Roster maintenance: the subscriber page and every change made from it (docs/maintenance.md).

    previews.py   what a change will do (effective date, tier and premium, credit), before Confirm
    services.py   submit each change as a ChangeRequest (enrollment.change_requests.submit)
    selectors.py  the subscriber page, search, the ID Cards page, Group Home's "turning 26"
    history.py    the History tab, read from django-pghistory's event rows
    forms.py, views.py, urls.py

The worker's side lives in enrollment.maintenance_processors and enrollment.coverage_changes
(outside this package: the request pipeline imports them, and this package imports the pipeline).
"""
