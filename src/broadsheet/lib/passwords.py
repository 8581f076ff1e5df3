"""argon2id password hashing, off the event loop and bounded so a burst cannot starve requests."""

import asyncio
import ctypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# glibc's mallopt() parameter for the size from which an allocation gets its own mapping.
_M_MMAP_THRESHOLD = -3


def _return_large_buffers_when_freed() -> None:
    """Each hash allocates its memory cost (19 MiB by default) in whichever executor thread runs
    it. glibc raises its mmap threshold past that size once such a buffer is freed, and from
    then on keeps the buffers in the threads' arenas: a worker would hold 19 MiB for every
    thread that ever hashed. A fixed threshold keeps every allocation of 1 MiB or more in its
    own mapping, given back to the system when freed."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return  # not glibc: its allocator is not tuned this way
    libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)


class Passwords:
    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int, concurrency: int):
        _return_large_buffers_when_freed()
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(concurrency)
        # Verified when an email is unknown, so a login takes as long either way.
        self._dummy_hash = self._hasher.hash("not a password anyone has")

    @asynccontextmanager
    async def turn(self) -> AsyncIterator["Hashing"]:
        """Wait for a free hashing slot and keep it for the block.

        A sign-in takes its turn before it reads the account: the requests queued behind it
        then wait holding no database connection, which the other requests need."""
        async with self._slots:
            yield Hashing(self)

    async def hash(self, password: str) -> str:
        async with self.turn() as hashing:
            return await hashing.hash(password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        async with self.turn() as hashing:
            return await hashing.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)


class Hashing:
    """Hashing within a turn already taken (see Passwords.turn)."""

    def __init__(self, passwords: Passwords) -> None:
        self._passwords = passwords

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._passwords._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        stored = password_hash or self._passwords._dummy_hash
        return await asyncio.to_thread(self._check, stored, password)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._passwords._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
