"""The password hasher of the test suite."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 with a single iteration: the suite makes and signs in thousands of users, and
    the production count (a quarter of a second each, on purpose) would spend minutes of every run.
    The hash keeps the production format, iterations included, so that InvestPro's own processes
    started by a test (production settings) still accept the passwords the test set."""

    iterations = 1
