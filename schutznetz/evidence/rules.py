"""Who may do what with evidence kits. Object scope (which kits) is in ``queries``."""

import rules

from schutznetz.core.permissions import has_organisation, is_koordination, is_spurensicherung

rules.add_perm("evidence.work_with_kits", is_spurensicherung & has_organisation)
rules.add_perm("evidence.manage_programmes", is_koordination)
# Counts only, no kit content: the coordination sees all clinics, evidence staff their own.
rules.add_perm("evidence.view_billing", is_koordination | (is_spurensicherung & has_organisation))
