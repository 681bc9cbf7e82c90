"""The database's change version (core/data_version.py), which the page cache trusts."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections, transaction

from schutznetz.accounts.models import Organisation
from schutznetz.core import data_version, ratelimit
from schutznetz.core.access_log import log_access, log_access_many
from schutznetz.core.models import DataChange
from schutznetz.testing.factories import make_organisation, make_user


@pytest.mark.django_db
def test_every_table_but_the_untracked_ones_carries_the_triggers():
    tables = set(connection.introspection.table_names())
    with_triggers = data_version.tables_with_triggers(connection)
    assert with_triggers == tables - data_version.UNTRACKED_TABLES
    assert "cases_person" in with_triggers and "accounts_user" in with_triggers
    assert not with_triggers & data_version.UNTRACKED_TABLES


@pytest.mark.django_db
def test_installing_again_changes_nothing_and_a_new_table_gets_its_triggers():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE sn_later_table (id integer PRIMARY KEY, label varchar(20))")
    assert "sn_later_table" not in data_version.tables_with_triggers(connection)
    data_version.install_triggers(using="default")
    data_version.install_triggers(using="default")
    assert "sn_later_table" in data_version.tables_with_triggers(connection)
    before = data_version.current()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO sn_later_table (id, label) VALUES (1, 'neu')")
    assert data_version.current() != before


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the version moves once per transaction
def test_the_version_moves_with_every_kind_of_write_and_not_with_reads_logs_or_sessions():
    user = make_user()
    organisation = make_organisation("Vorher")
    version = data_version.current()

    # reading, logging reads, sessions and rate counters change nothing a page shows
    list(Organisation.objects.all())
    log_access(user, organisation)
    log_access_many(user, [organisation, user.organisation])
    session = SessionStore()
    session["x"] = 1
    session.save()
    ratelimit.count_attempt("test", "key", 60)
    assert data_version.current() == version

    writes = [
        lambda: make_organisation("Neu"),  # insert
        lambda: Organisation.objects.filter(pk=organisation.pk).update(name="Nachher"),  # no signals
        lambda: organisation.refresh_from_db() or organisation.save(),  # save
        lambda: connection.cursor().execute("UPDATE accounts_user SET first_name = 'Roh'"),  # raw SQL
        lambda: Organisation.objects.filter(name="Neu").delete(),  # delete
    ]
    for write in writes:
        write()
        now = data_version.current()
        assert now != version
        version = now


@pytest.mark.django_db
def test_a_rolled_back_change_never_brings_a_version_back():
    before = data_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_organisation("Zurückgerollt")
        seen_inside = data_version.current()
        assert seen_inside != before
        raise RuntimeError
    assert data_version.current() == before
    make_organisation("Gespeichert")
    # The count is the same as inside the rolled-back block; the newest change is not.
    after = data_version.current()
    assert after[0] == seen_inside[0] and after != seen_inside


@pytest.mark.django_db
def test_pruning_folds_the_change_rows_away_and_keeps_the_version():
    DataChange.objects.bulk_create(DataChange(token=i) for i in range(data_version.PRUNE_ABOVE + 5))
    before = data_version.current()  # reads, then prunes
    assert DataChange.objects.count() == 1
    assert data_version.current() == before
    make_organisation("Danach")
    assert data_version.current()[0] > before[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: other connections and commits")
@pytest.mark.django_db(transaction=True)
def test_postgresql_counts_one_change_per_committed_transaction_of_any_connection():
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        before = data_version.current()
        with other.cursor() as cursor:
            for name in ("Eins", "Zwei", "Drei"):
                cursor.execute(
                    "INSERT INTO accounts_organisation (name, slug, kind, municipality, is_active, created_at) "
                    "VALUES (%s, %s, 'sonstige', '', true, now())",
                    [name, name.lower()],
                )
        assert data_version.current() == before  # not committed yet: invisible
        other.commit()
        after = data_version.current()
        assert after[0] == before[0] + 1  # three rows, one transaction
        with other.cursor() as cursor:
            cursor.execute("TRUNCATE core_auditentry")
        other.commit()
        assert data_version.current()[0] == after[0] + 1
    finally:
        other.close()
