"""Post a rendered form back as a browser would: every input, textarea and select with its value.

Tests that build form data by hand post what they think the page holds; these post what it holds,
so a field the user never touched goes back exactly as the page rendered it.
"""

from html.parser import HTMLParser
from io import BytesIO


class _Form(HTMLParser):
    def __init__(self, selector_class):
        super().__init__(convert_charrefs=True)
        self.selector_class = selector_class
        self.inside = False
        self.fields = []  # (name, value)
        self._select = None
        self._option = None
        self._textarea = None
        self._template = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.selector_class in (a.get("class") or "").split():
            self.inside = True
            return
        if not self.inside:
            return
        if tag == "template":
            self._template += 1
        if self._template:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind == "file":
                self.fields.append((name, (BytesIO(b""), "")))  # nothing chosen: an empty part
            elif kind not in ("submit", "button"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = value
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "template" and self._template:
            self._template -= 1
        elif tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, first, chosen = self._select
            value = chosen if chosen is not None else first
            self.fields.append((name, value or ""))
            self._select = None


def form_fields(html, form_class="anjian-form"):
    """The (name, value) pairs a browser would submit from the first form with ``form_class``."""
    parser = _Form(form_class)
    parser.feed(html)
    return parser.fields


def submit(client, url, changes=None, uploads=None, form_class="anjian-form"):
    """GET ``url``, change some inputs as a user would, and POST the form back to the same URL."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    pairs = form_fields(page.get_data(as_text=True), form_class)
    changes = dict(changes or {})
    data = {}
    for name, value in pairs:
        if name in changes:
            value = changes.pop(name)
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = [value]
    for name, files in (uploads or {}).items():
        data[name] = [(BytesIO(content), filename) for filename, content in files]
    return client.post(url, data=data, content_type="multipart/form-data")
