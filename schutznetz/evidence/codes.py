"""Kit codes: short, unguessable, readable aloud, with a check character.

A code is eight random characters from Crockford's base32 alphabet (no I, L,
O, U: nothing to confuse with 1, 0 or V) plus one check character computed
with the Luhn mod N algorithm over the same alphabet, shown as ``K7QM-4XNP-R``.
Luhn mod 32 catches every single mistyped character and most swaps of two
neighbours, so a typo is answered with "check the code" rather than a search.
40 random bits give about 10^12 codes; with the PIN and the rate limits of the
status page, guessing one is hopeless.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)
DATA_LENGTH = 8
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def check_character(data: str) -> str:
    factor = 2
    total = 0
    for char in reversed(data):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // N + addend % N
    return ALPHABET[(N - total % N) % N]


def is_valid(data_with_check: str) -> bool:
    data, check = data_with_check[:-1], data_with_check[-1:]
    return len(data) == DATA_LENGTH and check == check_character(data)


def format_code(compact: str) -> str:
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def new_code() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return format_code(data + check_character(data))


def normalise(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one.

    Case, spaces and dashes do not matter; O/I/L/U are read as 0/1/1/V.
    """
    compact = "".join((text or "").upper().split()).replace("-", "").translate(_ALIASES)
    if len(compact) != DATA_LENGTH + 1 or any(char not in ALPHABET for char in compact):
        return None
    if not is_valid(compact):
        return None
    return format_code(compact)


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"
