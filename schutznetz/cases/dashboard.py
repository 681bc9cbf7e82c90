"""Start page panels: deadlines due in the next 7 days, overdue deadlines, new referrals; counts for Koordination."""

from datetime import timedelta
from html import escape

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from schutznetz.cases import queries
from schutznetz.cases.models import DeadlineKind
from schutznetz.core.html_rows import short_dates, url_with_id

# Each line shows a case number, a kind and a date: load just that, and so decrypt nothing (an
# action's description, responsible person and outcome are encrypted). The lines are built in
# Python like the case list's rows (see core/html_rows.py).
_DEADLINE_FIELDS = ("id", "case_id", "kind", "due_date", "case__number")


def _first(queryset, *fields):
    return queryset.select_related(None).select_related("case").only(*fields)[:20]


# The start page's queries, run prepared (``queries.run_scoped``): the page is every staff member's first.


def _due_between(user, first, last):
    return _first(queries.deadlines_between(user, first=first, last=last), *_DEADLINE_FIELDS)


def _overdue(user, today):
    return _first(queries.deadlines_overdue(user, today=today), *_DEADLINE_FIELDS)


def _new_referrals(user):
    return queries.new_referrals(user).only("id", "referred_at", "case__number", "from_organisation__name")[
        :20
    ]


def _open_actions(user):
    actions = queries.open_actions_for_org(user).order_by("due_date")
    return _first(actions, "id", "case_id", "due_date", "case__number")


def _line(url, number, text):
    return mark_safe(  # noqa: S308 - every value escaped
        f'<li><a class="kern-link" href="{escape(url)}">{escape(number)}</a> {escape(text)}</li>'
    )


def panels(user):
    result = []
    if user.has_perm("cases.view_case_list"):
        short_date = short_dates()
        case_url = url_with_id("cases:detail")
        kinds = {key: str(label) for key, label in DeadlineKind.choices}

        def deadline_lines(deadlines):
            return [
                _line(
                    case_url(d.case_id),
                    d.case.number,
                    f"– {kinds.get(d.kind, d.kind)}, {short_date(d.due_date)}",
                )
                for d in deadlines
            ]

        referral_url, action_url = url_with_id("cases:referral_detail"), url_with_id("cases:action_detail")
        today = timezone.localdate()
        # Planned with its dates each time: a plan for any range read and sorted every deadline in it.
        soon = queries.run_scoped(
            user, _due_between, plan_once=False, first=today, last=today + timedelta(days=7)
        )
        due = _("fällig")
        context = {
            "soon": deadline_lines(soon),
            "overdue": deadline_lines(queries.run_scoped(user, _overdue, today=today)),
            "referrals": [
                _line(
                    referral_url(r.pk),
                    r.case.number,
                    _("von %(organisation)s, %(date)s")
                    % {
                        "organisation": r.from_organisation.name,
                        "date": short_date(timezone.localtime(r.referred_at).date()),
                    },
                )
                for r in queries.run_scoped(user, _new_referrals)
            ],
            "actions": [
                _line(
                    action_url(a.pk), a.case.number, f"– {due} {short_date(a.due_date)}" if a.due_date else ""
                )
                for a in queries.run_scoped(user, _open_actions)
            ],
        }
        result.append({"template": "cases/panels/deadlines.html", "context": context})
    counts = queries.case_counts(user)
    if counts is not None:
        result.append({"template": "cases/panels/counts.html", "context": {"counts": counts}})
    return result
