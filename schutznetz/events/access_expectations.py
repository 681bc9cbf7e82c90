"""Who may reach the event pages and API (read by tests/test_authorization_matrix.py;
format: tests/access_matrix.py).

Public: published events, registration, and the pages behind a registration's secret link.
Staff pages: Koordination for every event, an organisation's admin for its own organisation's
events (the demo Koordination is also the admin of the coordination office, the organiser of the
"own" event). Nobody else manages events; participants' names never show to anyone else.
"""

FOREIGN_PARTICIPANT = "Fremdteilnehmerin Quastenberg"


def _event(slug, title, organiser, published=True):
    from datetime import timedelta

    from django.utils import timezone

    from schutznetz.events.models import Event

    start = timezone.now() + timedelta(days=30)
    return Event.objects.create(
        title=title, slug=slug, starts_at=start, ends_at=start + timedelta(hours=6), venue_name="Kreishaus",
        venue_city="Soest", organiser=organiser, capacity=50, is_published=published,
    )  # fmt: skip


def _register(event, name, email):
    from schutznetz.events import services

    result = services.register(
        event.pk, name=name, email=email, profession="jugendhilfe", privacy_consent=True
    )
    services.confirm(result.registration.pk)
    result.registration.refresh_from_db()
    return result.registration


def setup(world):
    from django.utils import timezone

    own = _event("matrix-fachtag", "Matrix-Fachtag", world.users["koordination"].organisation)
    foreign = _event("matrix-fremd", "Matrix-Fremdveranstaltung-K3", world.other_org)
    world.objects["event"] = own
    world.objects["foreign_event"] = foreign
    world.objects["registration"] = _register(own, "Teilnehmerin Eigen", "eigen@example.org")
    world.objects["foreign_registration"] = _register(foreign, FOREIGN_PARTICIPANT, "fremd@example.org")
    # Certificates exist for checked-in participants only.
    type(world.objects["registration"]).objects.filter(
        pk__in=[world.objects["registration"].pk, world.objects["foreign_registration"].pk]
    ).update(checked_in_at=timezone.now())
    # Withdrawn from the public after registrations came in: the public pages no longer show it.
    type(foreign).objects.filter(pk=foreign.pk).update(is_published=False)


def _event_kwargs(key):
    return lambda w: {"event_id": w.objects[key].pk}


def _registration_kwargs(event_key, registration_key):
    return lambda w: {"event_id": w.objects[event_key].pk, "registration_id": w.objects[registration_key].pk}


def _staff(entry=None, post_only=False, per_registration=False):
    entry = {
        "allow": {"koordination"},
        "foreign_allow": {"koordination"},
        "kwargs": _event_kwargs("event"),
        "foreign_kwargs": _event_kwargs("foreign_event"),
        "secret": lambda w: FOREIGN_PARTICIPANT,
        **(entry or {}),
    }
    if per_registration:
        entry["kwargs"] = _registration_kwargs("event", "registration")
        entry["foreign_kwargs"] = _registration_kwargs("foreign_event", "foreign_registration")
    if post_only:
        entry["post_only"] = True
    return entry


def _token(key):
    return lambda w: {"token": w.objects[key].token}


def _receipt(key):
    return lambda w: _signed_receipt(w.objects[key])


def _signed_receipt(event):
    from django.core import signing

    from schutznetz.events.views import RECEIPT_SALT

    return {"slug": event.slug, "receipt": signing.dumps(event.pk, salt=RECEIPT_SALT)}


EXPECTATIONS = {
    "events:list": {"allow": "public", "secret": lambda w: "Fremdveranstaltung-K3"},
    "events:calendar": {"allow": "public", "secret": lambda w: "Fremdveranstaltung-K3"},
    "events:detail": {
        "allow": "public",
        "kwargs": lambda w: {"slug": w.objects["event"].slug},
        # An unpublished event does not exist for the public, nor for staff on the public side.
        "foreign_kwargs": lambda w: {"slug": w.objects["foreign_event"].slug},
    },
    "events:event_ics": {
        "allow": "public",
        "kwargs": lambda w: {"slug": w.objects["event"].slug},
        "foreign_kwargs": lambda w: {"slug": w.objects["foreign_event"].slug},
    },
    # The page after a registration: a signed receipt holding only the event, for anybody.
    "events:registered": {
        "allow": "public",
        "kwargs": _receipt("event"),
        # The withdrawn event: no page after registration either.
        "foreign_kwargs": _receipt("foreign_event"),
    },
    # The secret link is the credential: whoever holds it manages that one registration.
    "events:manage": {"allow": "public", "kwargs": _token("registration")},
    "events:confirm": {"allow": "public", "kwargs": _token("registration")},
    "events:cancel": {"allow": "public", "kwargs": _token("registration")},
    "events:ticket": {"allow": "public", "kwargs": _token("registration")},
    "events:staff_list": {"allow": {"koordination"}, "foreign_allow": {"koordination"}},
    "events:staff_event": _staff(),
    "events:export_csv": _staff(),
    "events:export_xlsx": _staff(),
    "events:mail": _staff(),
    "events:check_in": _staff(),
    "events:badges": _staff(),
    "events:certificates": _staff(),
    "events:certificate": _staff(per_registration=True),
    "events:staff_cancel": _staff(post_only=True, per_registration=True),
}

API = {
    # Scoped list: every signed-in user gets 200 with only the events they manage.
    "GET /api/v1/events/": {
        "allow": "staff",
        "foreign_allow": {"koordination"},
        "secret": lambda w: "Fremdveranstaltung-K3",
    },
    "GET /api/v1/events/{id}/": {
        "allow": {"koordination"},
        "kwargs": lambda w: {"id": w.objects["event"].pk},
        "foreign_kwargs": lambda w: {"id": w.objects["foreign_event"].pk},
        "foreign_allow": {"koordination"},
    },
}
