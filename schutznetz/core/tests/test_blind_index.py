"""The blind index matches spellings of one identity and nothing else."""

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from schutznetz.core.crypto import blind_index, normalise_identity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Müller-Lüdenscheidt, Anna", "anna mueller ludenscheidt"),
        ("Müller-Lüdenscheidt, Anna", "ANNA  MÜLLER LÜDENSCHEIDT"),
        ("Strauß", "Strauss"),
        ("Ömer Özdemir", "Oemer Oezdemir"),
        ("Jäger", "Jaeger"),
        ("José Núñez", "Jose Nunez"),
        ("Zoë  Çelik", "zoe celik"),
        ("Anna-Lena Schmidt", "Anna Lena   Schmidt"),
        ("  Anna Schmidt ", "Schmidt, Anna"),
    ],
)
def test_spellings_of_one_identity_match(a, b):
    assert normalise_identity(a) == normalise_identity(b)
    assert blind_index(a) == blind_index(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Anna Müller", "Anna Miller"),
        ("Anna Schmidt", "Hanna Schmidt"),
        ("Anna Schmidt", "Anna Schmitt"),
        ("Anna Schmidt", "Anna Schmidt Weber"),
    ],
)
def test_different_names_differ(a, b):
    assert blind_index(a) != blind_index(b)


def test_date_is_part_of_the_identity():
    assert blind_index("Anna Schmidt", "2015-04-01") != blind_index("Anna Schmidt", "2015-04-02")
    assert blind_index("Anna Schmidt", "2015-04-01") == blind_index("anna schmidt", "2015-04-01")


def test_purpose_separates_indexes():
    assert blind_index("Anna Schmidt", purpose="case") != blind_index("Anna Schmidt", purpose="kit")


def test_index_is_keyed_and_hides_the_name(settings):
    value = blind_index("Anna Schmidt")
    assert len(value) == 64 and "anna" not in value
    settings.SCHUTZNETZ_BLIND_INDEX_KEY = b"\x01" * 32
    assert blind_index("Anna Schmidt") != value


name_part = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzäöüßéèçñ ABCDEFGHÄÖÜ-,'")), max_size=20
)


@hsettings(max_examples=50, deadline=None)
@given(st.lists(name_part, min_size=1, max_size=4))
def test_normalisation_is_idempotent(parts):
    once = normalise_identity(*parts)
    assert normalise_identity(once) == once


@hsettings(max_examples=50, deadline=None)
@given(st.lists(name_part, min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_normalisation_ignores_order_of_parts(parts, rnd):
    shuffled = list(parts)
    rnd.shuffle(shuffled)
    assert normalise_identity(*parts) == normalise_identity(*shuffled)
