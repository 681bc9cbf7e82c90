"""Form pieces every app uses."""

from django import forms

# About ten printed pages: more than any note, decision or description needs, and a bound on what a
# single field can make every later page, PDF and export carry.
LONG_TEXT_MAX_LENGTH = 20_000


class LongTextField(forms.CharField):
    """Free text in a text area, limited to ``LONG_TEXT_MAX_LENGTH`` characters.

    The limit is checked on the server only: a ``maxlength`` attribute would make the browser cut a
    pasted text short without a word, so the form says instead which field is too long, by how much,
    and keeps the text for shortening.
    """

    def __init__(self, *, rows=3, max_length=None, **kwargs):
        # None also when a ModelForm builds it for a model TextField (``Meta.field_classes``).
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length or LONG_TEXT_MAX_LENGTH, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs
