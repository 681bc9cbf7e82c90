import statistics
import time
from unittest import mock

import pytest
from django.urls import reverse

from schutznetz.evidence import codes, services, status
from schutznetz.evidence.models import Kit

from .conftest import at_institute, register

pytestmark = pytest.mark.django_db
URL = reverse("evidence:status")


def unknown_code():
    while True:
        code = codes.new_code()
        if not Kit.objects.filter(code=code).exists():
            return code


def post(client, code, pin, ip="198.51.100.7"):
    return client.post(URL, {"code": code, "pin": pin}, REMOTE_ADDR=ip)


def test_get_is_a_public_page_without_cookies(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "data-quick-exit" in body
    assert "csrfmiddlewaretoken" not in body
    assert "116 016" in body  # national hotline as fallback for local offers


def test_code_and_pin_show_status_and_retention_end(client, sites):
    kit, pin = at_institute(sites)
    response = post(client, kit.code.lower().replace("-", ""), pin)
    body = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert "vertraulich gelagert" in body
    assert kit.retention_until.strftime("%d.%m.%Y") in body
    assert "Entbindung von der Schweigepflicht" in body
    # Only status and dates: no site, no items, no custody details.
    for secret in (sites.institute.name, sites.clinic.name, "S-1", "Abstriche"):
        assert secret not in body


def test_released_and_destroyed_are_shown_without_a_date(client, sites):
    kit, pin = at_institute(sites, days_ago=3700)
    services.destroy(sites.lab_user, kit, witness=sites.lab_witness)
    body = post(client, kit.code, pin).content.decode()
    assert "vernichtet" in body and kit.retention_until.strftime("%d.%m.%Y") not in body


def test_wrong_pin_and_unknown_code_get_the_same_answer(client, sites):
    kit, pin = register(sites)
    other = unknown_code()
    wrong_pin = post(client, kit.code, "000000" if pin != "000000" else "111111", ip="198.51.100.1")
    wrong_code = post(client, other, pin, ip="198.51.100.2")
    malformed = post(client, "HALLO", pin, ip="198.51.100.3")
    assert wrong_pin.status_code == wrong_code.status_code == malformed.status_code == 200
    normalise = lambda response, code: response.content.decode().replace(code, "CODE")  # noqa: E731
    assert normalise(wrong_pin, kit.code) == normalise(wrong_code, other) == normalise(malformed, "HALLO")
    assert "Code und PIN passen nicht zusammen" in wrong_code.content.decode()
    assert pin not in wrong_pin.content.decode()


def test_every_answer_hashes_a_pin_exactly_once(client, sites):
    kit, pin = register(sites)
    with mock.patch.object(status, "check_password", wraps=status.check_password) as checked:
        post(client, kit.code, "999999", ip="198.51.100.1")
        post(client, unknown_code(), "999999", ip="198.51.100.2")
        post(client, "kaputt", "999999", ip="198.51.100.3")
    assert checked.call_count == 3
    used_hashes = [call.args[1] for call in checked.call_args_list]
    assert used_hashes[0] == kit.pin_hash
    assert used_hashes[1] == used_hashes[2] == status.dummy_hash()
    # The dummy was made by the same hasher as real PINs, so checking it costs the same.
    assert used_hashes[1].split("$")[0] == kit.pin_hash.split("$")[0]


def test_timing_of_valid_and_invalid_codes_is_the_same(client, sites, settings):
    # Real PIN hashing, as in production, but cheap enough for 40 requests.
    settings.PASSWORD_HASHERS = ["schutznetz.evidence.tests.hashers.FastPBKDF2"]
    settings.SCHUTZNETZ_EVIDENCE_STATUS_CLIENT_LIMIT = 10_000
    settings.SCHUTZNETZ_EVIDENCE_STATUS_CODE_LOCK_AFTER = 10_000
    kit, pin = register(sites)
    invalid = [unknown_code() for _ in range(25)]
    valid_times, invalid_times = [], []
    for round_ in range(25):
        for code, bucket in ((kit.code, valid_times), (invalid[round_], invalid_times)):
            start = time.perf_counter()
            response = post(client, code, "000001" if pin != "000001" else "000002", ip=f"203.0.113.{round_}")
            bucket.append(time.perf_counter() - start)
            assert response.status_code == 200
    valid, wrong = statistics.median(valid_times[5:]), statistics.median(invalid_times[5:])
    # Both pay for one PIN hash (~15 ms here); without the dummy hash, unknown codes would be that much faster.
    assert abs(valid - wrong) < max(0.3 * max(valid, wrong), 0.003), (valid, wrong)
    assert wrong > 0.008, "the PIN hash must be paid for unknown codes too"


def test_lockout_after_repeated_wrong_pins(client, sites):
    kit, pin = register(sites)
    other_kit, other_pin = register(sites)
    wrong = "000000" if pin != "000000" else "111111"
    for attempt in range(5):
        assert post(client, kit.code, wrong, ip=f"198.51.100.{attempt}").status_code == 200
    # Locked now, even with the right PIN and from another address.
    locked = post(client, kit.code, pin, ip="198.51.100.99")
    assert locked.status_code == 429
    assert "vertraulich gelagert" not in locked.content.decode()
    assert "Zu viele Versuche" in locked.content.decode()
    # Other codes are not affected.
    assert (
        "vertraulich gelagert" in post(client, other_kit.code, other_pin, ip="198.51.100.98").content.decode()
    )


def test_unknown_codes_lock_the_same_way(client, sites):
    code = unknown_code()
    answers = [post(client, code, "123456", ip=f"198.51.100.{i}").status_code for i in range(6)]
    assert answers == [200] * 5 + [429]


def test_rate_limit_per_client(client, sites, settings):
    settings.SCHUTZNETZ_EVIDENCE_STATUS_CLIENT_LIMIT = 3
    kit, pin = register(sites)
    answers = [post(client, unknown_code(), "123456", ip="192.0.2.50").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    # Even the right code and PIN are refused from this client for now; another client gets through.
    assert post(client, kit.code, pin, ip="192.0.2.50").status_code == 429
    assert post(client, kit.code, pin, ip="192.0.2.51").status_code == 200


def test_success_resets_the_failure_count(client, sites):
    kit, pin = register(sites)
    wrong = "000000" if pin != "000000" else "111111"
    for i in range(4):
        post(client, kit.code, wrong, ip=f"198.51.100.{i}")
    assert "vertraulich gelagert" in post(client, kit.code, pin).content.decode()
    for i in range(4):
        assert post(client, kit.code, wrong, ip=f"198.51.100.{i + 10}").status_code == 200
