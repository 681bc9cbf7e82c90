"""Declarative authorisation expectations for every case URL and API operation.

For each URL name (``cases:…``) and each API operation, the expected HTTP status
per role for an object the role's organisation takes part in ("own") and for an
object of another organisation ("foreign"). ``tests/test_authorization_matrix.py``
checks every cell; a project-wide matrix can be generated from these tables.

Roles (one user each):
- ``fachkraft``: Fachkraft of the organisation that brought and leads the "own" case, invited to the
  "own" conference and holding the "own" action;
- ``moderation``: Moderation of the organisation chairing the "own" conference, on whose agenda the "own"
  case stands (chair access: risk, actions, deadlines; no identities);
- ``koordination``, ``datenschutz``: counts and (Datenschutz) Art. 15 reports, never content;
- ``anbieter``: a service provider editor without case access;
- ``anonymous``: not signed in (pages redirect to the login, the API answers 403).

"Foreign" objects belong to another organisation that shares nothing with these users.
A forbidden object answers 404 (indistinguishable from a missing one); a page the role may
never use answers 403; an allowed POST redirects (302) after doing its work or naming the error.
"""

ROLES = ("fachkraft", "moderation", "koordination", "datenschutz", "anbieter", "anonymous")


def _s(fachkraft, moderation, koordination, datenschutz, anbieter, anonymous=302):
    return dict(
        zip(ROLES, (fachkraft, moderation, koordination, datenschutz, anbieter, anonymous), strict=True)
    )


def _same(statuses):
    return {"own": statuses, "foreign": statuses}


def _case_only(own_fachkraft, own_moderation):
    """A case page: own as given; everybody else and every foreign case answers 404."""
    return {
        "own": _s(own_fachkraft, own_moderation, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    }


# url name → {"method": ..., "own": {role: status}, "foreign": {role: status}}
VIEWS = {
    "cases:list": {"method": "GET", **_same(_s(200, 200, 403, 403, 403))},
    "cases:counts": {"method": "GET", **_same(_s(403, 403, 200, 200, 403))},
    # Answering an Art. 15 request is Datenschutz's task; Koordination sees counts only.
    "cases:access_lookup": {"method": "GET", **_same(_s(403, 403, 403, 200, 403))},
    "cases:create": {"method": "GET", **_same(_s(200, 403, 403, 403, 403))},
    "cases:detail": {"method": "GET", **_case_only(200, 200)},
    # Correcting category and municipality: those who manage the case (brought or lead it), open cases.
    "cases:correct": {"method": "GET", **_case_only(200, 403)},
    "cases:person_add": {"method": "GET", **_case_only(200, 403)},
    "cases:person_edit": {"method": "GET", **_case_only(200, 403)},
    "cases:person_remove": {"method": "GET", **_case_only(200, 403)},
    "cases:legal_basis_add": {"method": "GET", **_case_only(200, 403)},
    "cases:legal_basis_withdraw": {"method": "POST", **_case_only(302, 403)},
    "cases:invite": {"method": "GET", **_case_only(200, 403)},
    "cases:share": {"method": "GET", **_case_only(200, 403)},
    # Taking a shared section back: whoever may share (brings or leads the case); GET is the confirmation.
    "cases:share_revoke": {"method": "GET", **_case_only(200, 403)},
    "cases:participation_end": {"method": "POST", **_case_only(302, 403)},
    "cases:risk": {"method": "GET", **_case_only(200, 403)},
    "cases:chronology_add": {"method": "GET", **_case_only(200, 403)},
    "cases:note_add": {"method": "GET", **_case_only(200, 403)},
    "cases:propose": {"method": "POST", **_case_only(302, 403)},
    "cases:deadline_add": {"method": "GET", **_case_only(200, 403)},
    "cases:deadline_done": {"method": "POST", **_case_only(302, 403)},
    "cases:return_ban_update": {"method": "GET", **_case_only(200, 403)},
    "cases:close": {"method": "GET", **_case_only(200, 403)},
    # Only those who manage the case (brought or lead it) hand the lead on.
    "cases:transfer_lead": {"method": "GET", **_case_only(200, 403)},
    "cases:referral_create": {"method": "GET", **_case_only(200, 403)},
    # Art. 15: the lead organisation and Datenschutz (for any case, without content).
    "cases:access_report_json": {
        "method": "GET",
        "own": _s(200, 404, 404, 200, 404),
        "foreign": _s(404, 404, 404, 200, 404),
    },
    "cases:access_report_pdf": {
        "method": "GET",
        "own": _s(200, 404, 404, 200, 404),
        "foreign": _s(404, 404, 404, 200, 404),
    },
    "cases:legal_hold": {
        "method": "GET",
        "own": _s(200, 404, 404, 200, 404),
        "foreign": _s(404, 404, 404, 200, 404),
    },
    "cases:referral_list": {"method": "GET", **_same(_s(200, 200, 403, 403, 403))},
    "cases:referral_detail": {
        "method": "GET",
        "own": _s(200, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    # Declining a proposal to the conference: the Moderation of an organisation chairing a planned
    # conference that could collect the case; the referring Fachkraft sees the proposal but may not.
    "cases:proposal_decline": {
        "method": "GET",
        "own": _s(403, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:conference_list": {"method": "GET", **_same(_s(200, 200, 403, 403, 403))},
    "cases:conference_create": {"method": "GET", **_same(_s(403, 200, 403, 403, 403))},
    "cases:conference_detail": {
        "method": "GET",
        "own": _s(200, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    # Editing and cancelling: the chair organisation's Moderation only; an invited Fachkraft may not.
    "cases:conference_edit": {
        "method": "GET",
        "own": _s(403, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:conference_cancel": {
        "method": "GET",
        "own": _s(403, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    # Putting one case on the agenda by its number: the chair organisation's Moderation only.
    "cases:conference_add_case": {
        "method": "GET",
        "own": _s(403, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:conference_acknowledge": {
        "method": "POST",
        "own": _s(302, 302, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:conference_build_agenda": {
        "method": "POST",
        "own": _s(403, 302, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:conference_attendance": {
        "method": "POST",
        "own": _s(403, 302, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:conference_held": {
        "method": "POST",
        "own": _s(403, 302, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:agenda_item": {
        "method": "GET",
        "own": _s(403, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:action_review": {
        "method": "POST",
        "own": _s(403, 302, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:minutes_pdf": {
        "method": "GET",
        "own": _s(200, 200, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
    "cases:action_detail": {
        "method": "GET",
        "own": _s(200, 404, 404, 404, 404),
        "foreign": _s(404, 404, 404, 404, 404),
    },
}

# API operations: (method, path template) → expectations; lists are scoped (never 404, foreign rows absent).
API = {
    ("GET", "/api/v1/cases/"): _same(_s(200, 200, 200, 200, 200, anonymous=403)),
    ("GET", "/api/v1/cases/{case}/"): {
        "own": _s(200, 200, 404, 404, 404, anonymous=403),
        "foreign": _s(404, 404, 404, 404, 404, anonymous=403),
    },
    ("GET", "/api/v1/actions/"): _same(_s(200, 200, 200, 200, 200, anonymous=403)),
    ("GET", "/api/v1/actions/{action}/"): {
        "own": _s(200, 404, 404, 404, 404, anonymous=403),
        "foreign": _s(404, 404, 404, 404, 404, anonymous=403),
    },
    ("PATCH", "/api/v1/actions/{action}/"): {
        "own": _s(200, 404, 404, 404, 404, anonymous=403),
        "foreign": _s(404, 404, 404, 404, 404, anonymous=403),
    },
}
