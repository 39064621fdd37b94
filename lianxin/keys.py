"""Keys of the office's own for a development office, so none runs on the keys published with the code.

Every settings class names its development secrets (``development_secrets``); ``lianxin up`` makes a
random key for each into ``<LIANXIN_DATA_DIR>/secrets.env`` (mode 0600) the first time, and every
``lianxin`` command of that office reads them from there. A variable set in the environment wins, so a
production office, which sets its own, never uses the file.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet
from dotenv import dotenv_values

from lianxin.settings import data_dir


def secrets_file() -> Path:
    return data_dir() / "secrets.env"


def secret_variables() -> list[str]:
    """The environment variables of every development secret, of the four services and the console."""
    from lianxin.runner import RUNNABLE, load  # the settings classes; runner patches nothing on import
    variables = []
    for _service, settings_class in RUNNABLE.values():
        settings = load(settings_class)
        variables += [settings._variable(name) for name in settings.secret_settings()]
    return list(dict.fromkeys(variables))


def make_own_keys() -> list[str]:
    """Write a key for each secret the file lacks (a Fernet key suits both the Fernet and the HMAC keys);
    returns the variables written. An office that already stored data under the published keys keeps them:
    new keys would not open what it holds."""
    path = secrets_file()
    kept = dotenv_values(path) if path.exists() else {}
    missing = [name for name in secret_variables() if name not in kept]
    if not missing or (not path.exists() and any(path.parent.glob("*.db"))):
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{name}={value}" for name, value in kept.items()]
    lines += [f"{name}={Fernet.generate_key().decode()}" for name in missing]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# this office's own keys, made by `lianxin up`: keep them private and with the backups\n")
        out.write("\n".join(lines) + "\n")
    return missing


def use_own_keys() -> None:
    """Put the office's keys into this process's environment (children inherit it), under any set there."""
    path = secrets_file()
    if path.exists():
        for name, value in dotenv_values(path).items():
            if value:
                os.environ.setdefault(name, value)
