from schutznetz.network import queries


def panels(user):
    if not user.has_perm("network.view_internal"):
        return []
    version = queries.current_agreement()
    pending = False
    if version is not None and user.organisation_id:
        pending = any(
            org.pk == user.organisation_id for org in queries.confirmation_status(version)["pending"]
        )
    return [
        {
            "template": "network/dashboard/panel.html",
            "context": {
                "version": version,
                "pending_confirmation": pending,
                "meetings": list(queries.upcoming_meetings(user, limit=3)),
                "open_tasks": queries.open_tasks_of_organisation(user).count(),
            },
        }
    ]
