"""Argon2id with the smallest cost, for tests only.

The production hasher (Argon2id, 100 MiB, t=2, p=8) takes about half a second per password on this machine, and every
named user of every test set one and most logged in: measured as the largest single cost of the suite. The algorithm
and the stored format stay Argon2id ("argon2$argon2id$…"); only the cost parameters are lowered, and only here.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8  # KiB, argon2's minimum for parallelism 1
    parallelism = 1
