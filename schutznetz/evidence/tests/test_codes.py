from hypothesis import given, settings
from hypothesis import strategies as st

from schutznetz.evidence import codes


def test_new_codes_are_formatted_valid_and_distinct():
    made = {codes.new_code() for _ in range(500)}
    assert len(made) == 500
    for code in made:
        assert len(code) == 11 and code[4] == "-" and code[9] == "-"
        assert codes.normalise(code) == code


def test_typed_variants_are_normalised():
    code = codes.new_code()
    assert codes.normalise(code.lower().replace("-", " ")) == code
    data = "K7QM4XNP"
    typed = "k7qm-4xnp-" + codes.check_character(data).lower()
    assert codes.normalise(typed) == codes.format_code(data + codes.check_character(data))
    # O and I are read as 0 and 1
    zero = "0000" + "1111"
    assert codes.normalise("OOOO-IIII-" + codes.check_character(zero)) == codes.format_code(
        zero + codes.check_character(zero)
    )


def test_garbage_is_rejected():
    for text in ["", "   ", "ABC", "K7QM-4XNP-RR", "K7QM-4XNP-!", None]:
        assert codes.normalise(text) is None


@settings(max_examples=40)
@given(st.data())
def test_every_single_character_typo_is_caught(data):
    code = codes.new_code().replace("-", "")
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.sampled_from([c for c in codes.ALPHABET if c != code[position]]))
    typo = code[:position] + replacement + code[position + 1 :]
    assert codes.normalise(typo) is None


def test_pins_are_six_digits():
    pins = {codes.new_pin() for _ in range(200)}
    assert all(len(p) == 6 and p.isdigit() for p in pins)
    assert len(pins) > 150
