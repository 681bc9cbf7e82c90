"""Recording reads of protected records."""

from schutznetz.core.models import AccessLogEntry


def log_access(user, obj, purpose="view"):
    """Write who read ``obj`` (a model instance or an ``(type, id)`` pair)."""
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AccessLogEntry.objects.create(
        user=user if authenticated else None,
        user_label=user.get_username() if authenticated else "anonym",
        organisation_id=getattr(user, "organisation_id", None) if authenticated else None,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose,
    )


def log_access_many(user, objects, purpose="list"):
    """One row per object, written with one INSERT (lists log every shown record)."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    # The same for every row: worked out once (ids rather than instances spare the ORM's
    # relation checks on each of the rows).
    user_id = user.pk if authenticated else None
    user_label = user.get_username() if authenticated else "anonym"
    organisation_id = getattr(user, "organisation_id", None) if authenticated else None
    entries = [
        AccessLogEntry(
            user_id=user_id,
            user_label=user_label,
            organisation_id=organisation_id,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            purpose=purpose,
        )
        for obj in objects
    ]
    AccessLogEntry.objects.bulk_create(entries)
