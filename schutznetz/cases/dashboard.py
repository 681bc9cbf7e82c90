"""Start page panels: deadlines due in the next 7 days, overdue deadlines, new referrals; counts for Koordination."""

from schutznetz.cases import queries


def panels(user):
    result = []
    if user.has_perm("cases.view_case_list"):
        soon = list(queries.deadlines_due_soon(user)[:20])
        overdue = list(queries.deadlines_overdue(user)[:20])
        referrals = list(queries.new_referrals(user)[:20])
        actions = list(queries.open_actions_for_org(user).order_by("due_date")[:20])
        result.append(
            {
                "template": "cases/panels/deadlines.html",
                "context": {"soon": soon, "overdue": overdue, "referrals": referrals, "actions": actions},
            }
        )
    counts = queries.case_counts(user)
    if counts is not None:
        result.append({"template": "cases/panels/counts.html", "context": {"counts": counts}})
    return result
