"""Posting the Django admin's change form of an event back, as an organiser would."""

from django.utils import timezone


def admin_post_data(page):
    """The admin change form's current values as POST data (split date/time widgets)."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if hasattr(value, "tzinfo"):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%d.%m.%Y"), local.strftime("%H:%M:%S")
        elif value not in (None, False):
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for item_form in inline.formset.forms:
            for name in item_form.fields:
                value = item_form[name].value()
                if value is None or value is False:
                    continue
                if hasattr(value, "tzinfo"):
                    local = timezone.localtime(value)
                    data[f"{item_form.prefix}-{name}_0"] = local.strftime("%d.%m.%Y")
                    data[f"{item_form.prefix}-{name}_1"] = local.strftime("%H:%M:%S")
                else:
                    data[f"{item_form.prefix}-{name}"] = value
    return data
