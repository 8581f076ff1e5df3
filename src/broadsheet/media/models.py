"""Pictures writers have uploaded."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from broadsheet.db import Base, Id
from broadsheet.lib.clock import utcnow

ALT_MAX_LENGTH = 300
URL_MAX_LENGTH = 1000
# A fallback's name: a 32-character key, "-", the size and the extension.
STORED_NAME_MAX_LENGTH = 64


class Upload(Base):
    """One writer's upload of a picture. The files are named after its content, so two uploads
    of the same picture share them."""

    __tablename__ = "uploads"
    __table_args__ = (Index(None, "owner_id", "created_at"), Index(None, "fallback"))

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    # The JPEG or PNG every reader can open; its name says the size and where the WebP are.
    fallback: Mapped[str] = mapped_column(String(STORED_NAME_MAX_LENGTH))
    # Where readers fetch the fallback, as storage said when it was stored.
    url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    width: Mapped[int]
    height: Mapped[int]
    alt: Mapped[str] = mapped_column(String(ALT_MAX_LENGTH))
    # Of the file as sent, before it was made fit to serve.
    byte_size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
