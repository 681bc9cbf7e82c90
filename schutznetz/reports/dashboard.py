"""Panel on the staff start page: a link to the statistics for everyone who may see them."""


def panels(user):
    if not user.has_perm("reports.view_statistics"):
        return []
    return [
        {
            "template": "reports/includes/panel.html",
            "context": {"can_report": user.has_perm("reports.create_annual_report")},
        }
    ]
