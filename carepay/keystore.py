"""Signing with an ape account (an encrypted keystore in ape's data folder) off a devnet.

The key is decrypted in memory for the length of the command; it is never written anywhere. The
passphrase comes from CAREPAY_ACCOUNT_PASSPHRASE or an interactive prompt.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from carepay.errors import CarePayError
from carepay.paths import APE_DATA_DIR


def keystore_path(alias: str) -> Path:
    return Path(os.environ.get("APE_DATA_FOLDER", APE_DATA_DIR)) / "accounts" / f"{alias}.json"


def keystore_signer(alias: str) -> Callable[[dict], bytes]:
    from eth_account import Account

    path = keystore_path(alias)
    if not path.exists():
        raise CarePayError(f"no ape account {alias!r} (no {path}); create it with `ape accounts import {alias}`")
    passphrase = os.environ.get("CAREPAY_ACCOUNT_PASSPHRASE")
    if passphrase is None:
        import click

        passphrase = click.prompt(f"passphrase for ape account {alias}", hide_input=True)
    try:
        key = Account.decrypt(json.loads(path.read_text()), passphrase)
    except ValueError:
        raise CarePayError(f"wrong passphrase for ape account {alias!r}") from None
    account = Account.from_key(key)

    def sign(tx: dict) -> bytes:
        return bytes(account.sign_transaction({k: v for k, v in tx.items() if k != "from"}).raw_transaction)

    sign.address = account.address  # type: ignore[attr-defined]
    return sign
