"""Sortable, paginated lists for the billing pages: two queries a page (count, rows), rows drawn by the template.

django-tables2 renders each cell through a signature-inspecting call; at 50 rows and ten columns
that was 90 ms of a 10,000-line invoice's page. Here the view names its columns and how each
sorts, and the template writes the cells itself (about 5 ms).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    order_by: tuple[str, ...] = ()  # empty: not sortable
    numeric: bool = False  # right-aligned


@dataclass(frozen=True)
class Header:
    column: Column
    url: str  # the query string sorting by it (the other way when it is the current sort)
    sort: str  # "ascending", "descending" or "" (aria-sort)


class Listing:
    """A page of `queryset` sorted by the column the request names (`?sort=key` or `?sort=-key`), else `default`."""

    def __init__(self, request, queryset, *, columns, default: tuple[str, ...], per_page: int, prefix: str = ""):
        self.request, self.columns, self.prefix = request, list(columns), prefix
        self.sort_param, self.page_param = prefix + "sort", prefix + "page"
        sortable = {c.key: c for c in self.columns if c.order_by}
        wanted = request.GET.get(self.sort_param, "")
        self.sort_key, self.descending = wanted.lstrip("-"), wanted.startswith("-")
        column = sortable.get(self.sort_key)
        if column is None:
            self.sort_key, self.descending = "", False
            order = list(default)
        else:
            order = [("-" + field if self.descending else field) for field in column.order_by] + ["pk"]
        self.page = Paginator(queryset.order_by(*order), per_page).get_page(request.GET.get(self.page_param))
        self.rows = self.page.object_list

    def query(self, **changes) -> str:
        """Return this request's query string with `changes` (None removes a parameter)."""
        params = self.request.GET.copy()
        for key, value in changes.items():
            params.pop(key, None)
            if value is not None:
                params[key] = value
        return "?" + params.urlencode() if params else "?"

    @property
    def headers(self) -> list[Header]:
        result = []
        for column in self.columns:
            if not column.order_by:
                result.append(Header(column, "", ""))
                continue
            current = column.key == self.sort_key
            target = ("" if current and self.descending else "-") + column.key if current else column.key
            result.append(Header(
                column, self.query(**{self.sort_param: target, self.page_param: None}),
                ("descending" if self.descending else "ascending") if current else "",
            ))
        return result

    def page_url(self, number: int) -> str:
        return self.query(**{self.page_param: str(number)})

    @property
    def previous_url(self) -> str:
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else ""
