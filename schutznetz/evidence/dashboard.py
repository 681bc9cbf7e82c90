from schutznetz.evidence import queries


def panels(user):
    if not user.has_perm("evidence.work_with_kits"):
        return []
    return [
        {
            "template": "evidence/dashboard_panel.html",
            "context": {
                "held": queries.held_kits(user).count(),
                "incoming": queries.incoming_kits(user).count(),
                "expiring": queries.expiring(user, 60).count(),
            },
        }
    ]
