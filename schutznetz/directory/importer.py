"""Apply validated import items: all or nothing, matching offers and providers on HSDS ids."""

import re

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction

from schutznetz.core.progress import progress
from schutznetz.core.services import record_audit
from schutznetz.directory import hsds, services
from schutznetz.directory.models import Offer, Provider

# NUL and unpaired surrogates cannot be stored (PostgreSQL refuses NUL) and never belong in a
# directory entry: refuse the file, naming the line.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _refuse_unstorable_characters(text):
    match = _UNSTORABLE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise hsds.ImportFailed([f"Zeile {line}: enthält ein unzulässiges Steuer- oder Ersatzzeichen"])


def parse_file(path_or_name, text):
    _refuse_unstorable_characters(text)
    name = str(path_or_name).lower()
    if name.endswith(".csv"):
        return hsds.parse_csv(text)
    if name.endswith(".json"):
        return hsds.parse_hsds(text)
    stripped = text.lstrip("\ufeff").lstrip()
    return hsds.parse_hsds(text) if stripped[:1] in "[{" else hsds.parse_csv(text)


def _item_errors(item, exc):
    """A ValidationError the model raised for an item, as messages naming the record/line and field."""
    if not hasattr(exc, "error_dict"):
        return [f"{item.label}: {message}" for message in exc.messages]
    errors = []
    for name, messages in exc.message_dict.items():
        try:
            field_label = str(Offer._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            field_label = name
        errors += [f"{item.label}, Feld „{field_label}“: {message}" for message in messages]
    return errors


@transaction.atomic
def import_items(actor, items, dry_run=False, show_progress=True):
    """Create or update every item; returns (created, updated). Nothing is written on dry runs.

    Values the model refuses (e.g. a web address Django does not accept) raise ImportFailed with
    every such error, naming record/line and field; nothing is imported then.
    """
    created = updated = 0
    providers = {}
    errors = []
    for item in progress(
        items, total=len(items), description="Import", disable=None if show_progress else True
    ):
        try:
            created_one = _import_item(actor, item, providers)
        except ValidationError as exc:
            errors += _item_errors(item, exc)
            continue
        if created_one:
            created += 1
        else:
            updated += 1
    if errors:
        raise hsds.ImportFailed(errors)
    record_audit(actor, "directory.import", None, ["created", "updated"])
    if dry_run:
        transaction.set_rollback(True)
    return created, updated


@transaction.atomic
def _import_item(actor, item, providers):
    """One item in its own savepoint (so a refused item leaves nothing behind); True if created."""
    key = item.provider["hsds_id"]
    provider = providers.get(key) or Provider.objects.filter(hsds_id=key).first()
    provider_data = {k: v for k, v in item.provider.items() if k != "hsds_id"}
    if provider is None:
        provider = services.save_provider(actor, hsds_id=key, **provider_data)
    else:
        provider_data.setdefault("organisation", provider.organisation)
        for optional in ("description", "email", "website"):
            provider_data.setdefault(optional, getattr(provider, optional))
        provider = services.save_provider(actor, provider=provider, **provider_data)
    offer = Offer.objects.filter(hsds_id=item.offer_id).first()
    created = offer is None
    if created:
        offer = services.create_offer(actor, provider, item.data, hsds_id=item.offer_id)
    else:
        if offer.provider_id != provider.pk:
            offer.provider = provider
            offer.save(update_fields=["provider"])
        services.update_offer(actor, offer, item.data)
    if item.verified_at and offer.verified_at != item.verified_at:
        offer.verified_at = item.verified_at
        offer.save(update_fields=["verified_at"])
    providers[key] = provider  # only once saved: a refused item's provider is rolled back
    return created
