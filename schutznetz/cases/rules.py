"""Who may do what with cases: django-rules predicates over the user and a case.

``queries.access_case`` attaches a ``CaseAccess`` (``case.access``) computed once per
request; the predicates read it, so a decision costs no further queries. Without
it (e.g. a case loaded elsewhere) they compute it.
"""

import rules

from schutznetz.core.permissions import (
    has_organisation,
    is_datenschutz,
    is_fachkraft,
    is_koordination,
    is_moderation,
)


def _access(user, case):
    from schutznetz.cases.queries import case_access

    return case_access(user, case)


@rules.predicate
def participates(user, case):
    return case is not None and _access(user, case).participates


@rules.predicate
def chairs_case(user, case):
    return case is not None and _access(user, case).chair


@rules.predicate
def brings_or_leads(user, case):
    return case is not None and user.organisation_id in (
        case.bringing_organisation_id,
        case.lead_organisation_id,
    )


@rules.predicate
def leads(user, case):
    return case is not None and user.organisation_id == case.lead_organisation_id


@rules.predicate
def case_is_open(user, case):
    return case is not None and case.is_open


@rules.predicate
def chairs_conference(user, conference):
    return conference is not None and user.organisation_id == conference.chair_organisation_id


@rules.predicate
def collects_proposal(user, referral):
    """The user's organisation chairs a planned conference that could put the proposed case on its agenda."""
    from schutznetz.cases.queries import chairs_conference_collecting

    return (
        referral is not None
        and referral.to_organisation_id is None
        and chairs_conference_collecting(user, referral.case)
    )


@rules.predicate
def holds_action(user, action):
    return action is not None and user.organisation_id == action.organisation_id


# Fachkraft of a participating organisation, or the chair (Moderation) for cases on its agenda.
can_view_case = (is_fachkraft & has_organisation & participates) | (
    is_moderation & has_organisation & chairs_case
)

rules.add_perm("cases.view_case", can_view_case)
rules.add_perm("cases.create_case", is_fachkraft & has_organisation)
rules.add_perm("cases.manage_case", is_fachkraft & has_organisation & brings_or_leads & case_is_open)
rules.add_perm("cases.contribute", is_fachkraft & has_organisation & participates & case_is_open)
rules.add_perm("cases.propose_case", is_fachkraft & has_organisation & participates & case_is_open)
rules.add_perm("cases.access_report", (is_fachkraft & has_organisation & leads) | is_datenschutz)
rules.add_perm("cases.view_counts", is_koordination | is_datenschutz)
rules.add_perm("cases.view_case_list", (is_fachkraft | is_moderation) & has_organisation)
rules.add_perm("cases.create_conference", is_moderation & has_organisation)
rules.add_perm("cases.chair_conference", is_moderation & has_organisation & chairs_conference)
rules.add_perm("cases.decide_proposal", is_moderation & has_organisation & collects_proposal)
rules.add_perm("cases.update_action", (is_fachkraft & has_organisation & holds_action))
rules.add_perm("cases.view_referrals", (is_fachkraft | is_moderation) & has_organisation)
