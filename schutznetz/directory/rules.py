"""Who may do what in the directory."""

import rules

from schutznetz.core.permissions import (
    has_organisation,
    is_anbieter,
    is_fachkraft,
    is_koordination,
    is_moderation,
)


@rules.predicate
def provider_of_own_organisation(user, provider):
    provider = getattr(provider, "provider", provider)
    return bool(
        provider is not None and user.organisation_id and provider.organisation_id == user.organisation_id
    )


rules.add_perm(
    "directory.edit_offer", is_koordination | (is_anbieter & has_organisation & provider_of_own_organisation)
)
rules.add_perm("directory.edit_offers", is_koordination | (is_anbieter & has_organisation))
rules.add_perm("directory.review_offers", is_koordination)
rules.add_perm("directory.report_shelter", is_koordination | (is_anbieter & provider_of_own_organisation))
rules.add_perm(
    "directory.view_shelter_overview", is_koordination | is_fachkraft | is_moderation | is_anbieter
)
rules.add_perm("directory.view_gaps", is_koordination)
