"""CSV downloads streamed row by row (any size, constant memory), safe to open in a spreadsheet."""

import csv

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose write returns the line: csv.writer into a streaming response."""

    def write(self, value):
        return value


def text(value) -> str:
    """Return typed text (a name, a memo) that a spreadsheet would run as a formula with a leading quote."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def stream(filename: str, header: list, rows) -> StreamingHttpResponse:
    """Return a CSV attachment of `header` then `rows` (lists), written as the client reads them."""
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="%s"' % filename
    return response
