"""Encryption at rest for health data (intake answers and summaries).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with the key from
`DATA_ENCRYPTION_KEY`. For local and console use, when the variable is unset, a key file
is created under the data folder with owner-only permissions, and we say so.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from bot.config import ConfigError, Settings, make_data_dir
from bot.storage.private_files import write_private_file

logger = logging.getLogger(__name__)

KEY_FILE_NAME = "data-encryption.key"


class DecryptionError(Exception):
    """Stored data cannot be read with this key (wrong key, or the data was altered)."""


class FieldCipher:
    """Encrypts and decrypts single fields (text or JSON)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt_text(self, text: str) -> bytes:
        """The encrypted form of `text`."""
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt_text(self, token: bytes) -> str:
        """The text `token` was made from; `DecryptionError` when the key does not fit."""
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise DecryptionError(
                "stored data cannot be decrypted with this DATA_ENCRYPTION_KEY"
            ) from None

    def encrypt_json(self, value: Any) -> bytes:
        """Encrypt a JSON-compatible value."""
        return self.encrypt_text(json.dumps(value, separators=(",", ":")))

    def decrypt_json(self, token: bytes) -> Any:
        """Decrypt a value stored with `encrypt_json`."""
        return json.loads(self.decrypt_text(token))


def _checked_key(raw: str, source: str) -> bytes:
    key = raw.strip().encode("ascii", errors="replace")
    try:
        Fernet(key)
    except ValueError:
        # Never echo the value: it is a secret, even when malformed.
        raise ConfigError(
            f"{source}: not a valid key; it must be 32 url-safe base64-encoded bytes "
            "(generate one with `ims-bot intake new-key`)"
        ) from None
    return key


def _key_from_file(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE_NAME
    if path.exists():
        return _checked_key(path.read_text(encoding="ascii", errors="replace"), str(path))
    make_data_dir(data_dir)
    key = Fernet.generate_key()
    # Create with owner-only permissions from the start, never world-readable even briefly.
    write_private_file(path, key)
    logger.warning(
        "DATA_ENCRYPTION_KEY is not set: created a local key file at %s (keep it safe; "
        "without it stored intake answers cannot be read)",
        path,
    )
    return key


def _data_key(settings: Settings) -> bytes:
    if settings.data_encryption_key:
        return _checked_key(settings.data_encryption_key, "DATA_ENCRYPTION_KEY")
    return _key_from_file(settings.data_dir)


def load_cipher(settings: Settings) -> FieldCipher:
    """The cipher for `settings`: DATA_ENCRYPTION_KEY, else the local key file."""
    return FieldCipher(_data_key(settings))


def derived_secret(settings: Settings, purpose: str) -> bytes:
    """A secret for one `purpose`, derived from the data key (HMAC-SHA256): kept out of
    the database like the key, without ever using the key itself for two jobs."""
    return hmac.new(_data_key(settings), purpose.encode("utf-8"), hashlib.sha256).digest()


def cipher_for_key(raw: str, source: str) -> FieldCipher:
    """A cipher for a key given on the command line (e.g. `--old-key`)."""
    return FieldCipher(_checked_key(raw, source))


def new_key() -> str:
    """A fresh key to put in DATA_ENCRYPTION_KEY, never starting with "-": one Fernet key
    in 64 does, and after `--old-key` such a key reads as another option."""
    while (key := Fernet.generate_key().decode("ascii")).startswith("-"):
        pass
    return key
