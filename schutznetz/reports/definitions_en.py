"""English definitions of the measures, shown on /en/ pages.

The German definition is each measure function's docstring (one source, checked against the code
below it); it cannot go through the message catalogue, so its English version sits here, keyed like
the registry. A measure without an entry here shows the German text.
"""

DEFINITIONS_EN = {
    "cases_by_category": (
        "Number of cases created in the period (date “created on”, local time), by category of the "
        "case. For one organisation: the cases it brought."
    ),
    "cases_by_month": "Number of cases created in the period, by calendar month of creation (local time).",
    "cases_by_organisation": (
        "Number of cases created in the period, by the organisation that brought the case. At county "
        "level, partners see only their own row and “other organisations” combined."
    ),
    "cases_by_municipality": (
        "Number of cases created in the period, by the town or municipality of the case (where the person "
        "at risk lives, as recorded in the case); cases without a place as “not stated”; places outside "
        "the county together as “outside the county”."
    ),
    "high_risk_share": (
        "Share of the cases created in the period with risk level “high” (the case's current level) among "
        "all cases created in the period that have a risk level; cases without an assessment are not part "
        "of the base and are shown separately."
    ),
    "conferences": (
        "Number of case conferences held in the period (status “held”, date in the period), by quarter; "
        "cases per conference = number of agenda items (cases discussed) of these conferences divided by "
        "their number. For one organisation: the conferences it chairs."
    ),
    "actions_on_time": (
        "Actions due in the period: “completed on time” (status completed, completed on or before the due "
        "date), “completed late”, “open and overdue” (still open or in progress, due before today), “open, "
        "not yet due”. Cancelled actions do not count. Share = on time / all completed and overdue."
    ),
    "time_to_first_contact": (
        "For referrals with a date “referred on” in the period and a recorded first contact: time from the "
        "referral to the first contact in days; median and 90th percentile (linear interpolation between "
        "ranks). Referrals without a first contact are counted but do not enter the times. Proposals to "
        "the case conference are not referrals to a partner (they have no first contact) and do not count. "
        "For one organisation: referrals to it."
    ),
    "repeat_rate": (
        "Share of the cases created in the period that are marked as repeat cases (a person of the case "
        "matches, through the blind index, a person of a case created in the 12 months before, or a new "
        "incident was recorded for the case within 12 months after its last case conference), among all "
        "cases created in the period. A case counts in the period in which it was created."
    ),
    "children_affected": (
        "Sum of the number of children (“number of children” of the case) over the cases created in the "
        "period, by category of the case; and the number of cases with at least one child."
    ),
    "shelter_availability": (
        "For each shelter: number of calendar days in the period on which, according to the occupancy "
        "report, at least one place was free (the day's last report counts). Also the requests not placed: "
        "the sum of the requests a women's shelter could not admit, as the staff state them with every "
        "occupancy report “since the last report” for each reason (an anonymous count; reports dated in "
        "the period, local time), by reason and in total. The same woman may have asked several shelters: "
        "requests are counted, not persons. If no report in the period contains these figures, it says "
        "“not recorded”; if recording begins within the period, its first day is given. For one "
        "organisation: its shelters."
    ),
    "directory_coverage": (
        "Coverage of the Council of Europe minimum standards (among them one shelter place per 10,000 "
        "inhabitants, one counselling centre per 50,000 women, a helpline around the clock) according to "
        "the directory's gap analysis at the time of the evaluation; number of offers, required and "
        "available for each standard."
    ),
    "evidence_kits": (
        "Number of confidentially collected evidence kits per quarter: collected (date of the examination "
        "in the quarter), released (handed to the investigating authorities, date of the release in the "
        "quarter), destroyed (date of the destruction in the quarter). For one organisation: kits it "
        "registered."
    ),
    "event_participants": (
        "Participants (checked in) at events that began in the period, by profession. For events whose "
        "registration data has already been erased, the “attended” count kept at erasure is used. Also "
        "the list of the events held."
    ),
}
