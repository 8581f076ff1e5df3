"""argon2id password hashing, off the event loop and bounded so a burst cannot starve requests."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int, concurrency: int):
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
