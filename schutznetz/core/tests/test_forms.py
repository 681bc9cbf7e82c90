"""Free text is bounded in every form, and the form says which field is too long."""

import importlib
import re

import pytest
from django import forms
from django.apps import apps

from schutznetz.core.forms import LONG_TEXT_MAX_LENGTH, LongTextField


def _form_classes():
    for config in apps.get_app_configs():
        if not config.name.startswith("schutznetz."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                yield value


def test_every_text_area_in_every_form_has_a_limit():
    classes = list(_form_classes())
    assert len(classes) > 40  # the walk found the apps' forms
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField)
        and isinstance(field.widget, forms.Textarea)
        and not field.max_length
    ]
    assert unbounded == []


def test_a_too_long_text_is_refused_with_the_field_named_and_kept():
    class NoteForm(forms.Form):
        text = LongTextField(label="Notiz")

    text = "x" * (LONG_TEXT_MAX_LENGTH + 1)
    form = NoteForm({"text": text})
    assert not form.is_valid()
    [message] = form.errors["text"]
    assert str(LONG_TEXT_MAX_LENGTH) in message.replace(".", "") and str(
        LONG_TEXT_MAX_LENGTH + 1
    ) in message.replace(".", "")
    # No maxlength attribute: the browser would cut a pasted text short without a word.
    assert "maxlength" not in str(form["text"])
    assert text in str(form["text"])
    assert NoteForm({"text": "x" * LONG_TEXT_MAX_LENGTH}).is_valid()


@pytest.mark.django_db
def test_a_model_form_text_field_gets_the_limit_too():
    from schutznetz.network.forms import NewsForm

    field = NewsForm().fields["body"]
    assert isinstance(field, LongTextField) and field.max_length == LONG_TEXT_MAX_LENGTH


def test_the_error_summary_links_to_an_element_that_exists():
    """A group of checkboxes has no element with the field's own id: the link goes to its first choice."""
    import re

    from django.template.loader import render_to_string

    class ChoiceForm(forms.Form):
        topics = forms.MultipleChoiceField(
            label="Workshops", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        kind = forms.ChoiceField(label="Art", choices=[("x", "X")], widget=forms.RadioSelect)
        name = forms.CharField(label="Name")

    form = ChoiceForm({})
    assert not form.is_valid()
    html = render_to_string("core/includes/form.html", {"form": form})
    links = re.findall(r'href="#([^"]+)"', html)
    assert links == ["id_topics_0", "id_kind_0", "id_name"]
    for target in links:
        assert f'id="{target}"' in html


def test_two_charts_on_one_page_keep_their_own_accessible_names():
    from schutznetz.core.charts import Bar, bar_chart_svg

    first = bar_chart_svg("Fälle je Monat", [Bar("Jan", 3)])
    second = bar_chart_svg("Fälle je Kategorie", [Bar("Stalking", 2)])
    ids = [re.search(r'aria-labelledby="([^"]+)"', svg).group(1) for svg in (first, second)]
    assert ids[0] != ids[1]
    for chart_id, svg in zip(ids, (first, second), strict=True):
        assert f'<title id="{chart_id}">' in svg
    assert 'id="eigene"' in bar_chart_svg("x", [], chart_id="eigene")
