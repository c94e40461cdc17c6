"""Read the controls of a rendered page the way a browser submits them (for tests)."""

from html.parser import HTMLParser


class _Selects(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.selects = {}  # name -> [(value, label, selected)]
        self._current = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._current = self.selects.setdefault(attrs.get("name", ""), [])
        elif tag == "option" and self._current is not None:
            self._option = [attrs.get("value", ""), "", "selected" in attrs]
            self._current.append(self._option)

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self._option[1] = " ".join(self._option[1].split())
            self._option = None
        elif tag == "select":
            self._current = None


def submitted_options(html: str) -> dict:
    """{select name: (value, label)} of the option a browser would submit: the selected one, else the first."""
    parser = _Selects()
    parser.feed(html)
    result = {}
    for name, options in parser.selects.items():
        chosen = next((o for o in options if o[2]), options[0] if options else ["", "", False])
        result[name] = (chosen[0], chosen[1])
    return result


class _Elements(HTMLParser):
    """Every element's attributes by id, and the links and text inside the error summary."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id = {}
        self.text_by_id = {}
        self.summary = None  # attributes of [data-error-summary]
        self.summary_links = []
        self._open = []  # ids of the elements open around the current text
        self._depth_in_summary = 0
        self._link = None
        self._fieldsets = []  # attributes of the fieldsets open around the current element

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            group = self._fieldsets[-1].get("aria-describedby", "") if self._fieldsets else ""
            self.by_id[attrs["id"]] = {"tag": tag, "fieldset-describedby": group, **attrs}
        if tag == "fieldset":
            self._fieldsets.append(attrs)
        if tag in ("input", "br", "img", "meta", "link"):
            return
        self._open.append(attrs.get("id"))
        if "data-error-summary" in attrs:
            self.summary = attrs
            self._depth_in_summary = len(self._open)
        if self._depth_in_summary and tag == "a":
            self._link = [attrs.get("href", ""), ""]

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        if tag in ("input", "br", "img", "meta", "link"):
            return
        if tag == "a" and self._link is not None:
            self.summary_links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        if self._open:
            if self._depth_in_summary == len(self._open):
                self._depth_in_summary = 0
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] = self.text_by_id.get(element_id, "") + data
        if self._link is not None:
            self._link[1] += data


def read_page(html: str) -> _Elements:
    """Parse a page: `.by_id`, `.text_by_id`, `.summary` and `.summary_links` (href, text)."""
    parser = _Elements()
    parser.feed(html)
    return parser


def assert_error_summary(html: str, expected_ids):
    """The page's error summary is announced and links to each field in error, itself invalid and described."""
    page = read_page(html)
    assert page.summary is not None, "no error summary"
    assert page.summary.get("role") == "alert" and page.summary.get("tabindex") == "-1"
    assert "There is a problem" in page.text_by_id.get(page.summary.get("id"), "")
    linked = [href[1:] for href, _ in page.summary_links]
    assert set(expected_ids) <= set(linked), linked
    for element_id in linked:
        assert element_id in page.by_id, "the summary links to #%s, which is not on the page" % element_id
        target = page.by_id[element_id]
        if target["tag"] in ("input", "select", "textarea"):
            assert target.get("aria-invalid") == "true", element_id
            # A radio button is described through its group, the fieldset around it.
            describedby = target.get("aria-describedby", "") or target["fieldset-describedby"] if target.get("type") == "radio" else target.get("aria-describedby", "")
            described = [page.text_by_id.get(i, "") for i in describedby.split()]
            assert any(text.strip() for text in described), "#%s is not described by its message" % element_id
    return page
