from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.reports.models import ReportFormat


def year_choices():
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year, this_year - 11, -1)]


class StatisticsFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Jahr"), coerce=int, choices=year_choices)
    quarter = forms.TypedChoiceField(
        label=_("Quartal"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("ganzes Jahr")), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, required=False, empty_label=_("Kreis gesamt")
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["year"].initial = timezone.localdate().year


class AnnualReportForm(forms.Form):
    report_year = forms.TypedChoiceField(label=_("Berichtsjahr"), coerce=int, choices=year_choices)
    report_format = forms.ChoiceField(
        label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_year"].initial = timezone.localdate().year - 1
