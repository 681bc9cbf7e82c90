"""Template helpers for KERN UX form markup."""

from django import template

register = template.Library()

_CHECK = {"checkbox": "kern-form-check__checkbox", "radio": "kern-form-check__radio"}


def _kern_class(widget_type, input_type, error):
    if input_type in _CHECK:
        base = _CHECK[input_type]
    elif widget_type in ("select", "selectmultiple", "nullbooleanselect"):
        base = "kern-form-input__select"
    else:
        base = "kern-form-input__input"
    return f"{base} {base}--error" if error else base


@register.simple_tag
def kern_widget(field):
    """Render a bound field's widget with KERN classes and aria links to its hint and errors."""
    widget = field.field.widget
    classes = _kern_class(field.widget_type, getattr(widget, "input_type", None), bool(field.errors))
    existing = widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {classes}".strip()}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def kern_choice(choice, error=False):
    """One checkbox or radio of a multiple-choice field with KERN classes."""
    input_type = choice.data.get("type", "checkbox")
    attrs = dict(choice.data.get("attrs", {}))
    attrs["class"] = _kern_class(None, input_type, error)
    choice.data["attrs"] = attrs
    return choice.tag()
