"""Password hashing gives its memory back: a worker does not keep a hash's buffer per thread."""

import asyncio
import os

from broadsheet.lib.passwords import Passwords

MEMORY_KIB = 19456  # the default cost: large enough for the allocator to treat it specially


def resident_mib() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def test_hashing_in_many_threads_leaves_resident_memory_where_it_was():
    passwords = Passwords(memory_kib=MEMORY_KIB, time_cost=1, parallelism=1, concurrency=4)
    stored = await passwords.hash("correct horse battery staple")
    before = resident_mib()

    checks = [passwords.verify(stored, "correct horse battery staple") for _ in range(16)]
    results = await asyncio.gather(*checks)

    assert all(results)
    # Four buffers at a time are 76 MiB; kept per thread, they would all still be resident.
    assert resident_mib() - before < MEMORY_KIB / 1024
