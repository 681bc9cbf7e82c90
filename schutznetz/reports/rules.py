"""Who may see statistics: every staff member of a partner organisation sees the county and its own
organisation; Koordination sees every organisation and makes the annual report."""

import rules

from schutznetz.core.permissions import has_organisation, is_koordination, is_staff_member

rules.add_perm("reports.view_statistics", is_staff_member & (has_organisation | is_koordination))
rules.add_perm("reports.view_all_statistics", is_koordination)
rules.add_perm("reports.create_annual_report", is_koordination)
