from schutznetz.directory import queries


def panels(user):
    if not (user.has_perm("directory.edit_offers") or user.has_perm("directory.view_shelter_overview")):
        return []
    editable = queries.editable_offers(user)
    context = {
        "due": queries.offers_due_for_verification().filter(pk__in=editable.values("pk")).count()
        if user.has_perm("directory.edit_offers")
        else 0,
        "pending": queries.pending_revisions(user).count(),
        "shelters": list(queries.reportable_shelters(user))
        if not user.has_perm("directory.review_offers")
        else [],
        "overview": user.has_perm("directory.view_shelter_overview"),
    }
    return [{"template": "directory/_dashboard.html", "context": context}]
