from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2(PBKDF2PasswordHasher):
    """The production algorithm with fewer rounds, so a timing test needs seconds, not minutes."""

    iterations = 40_000
