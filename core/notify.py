"""E-mail the alert digest over SMTP.

Host, port, user, sender and TLS come from the environment (``FBA_HEALTH_SMTP_HOST``, ``_PORT``,
``_USER``, ``_FROM``, ``_TLS``), else from the settings saved in the database. The password comes
from the environment only (``FBA_HEALTH_SMTP_PASSWORD``; in a Streamlit deployment, its secrets set
the same variable): it is never stored in the database, printed or logged.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from core import settings

ENV_PREFIX = "FBA_HEALTH_SMTP_"
SAVED_FIELDS = ("host", "port", "user", "sender", "tls")  # the password is never saved


class NotifyError(RuntimeError):
    """The digest could not be sent; the message says why (never the password)."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail. ``tls`` is STARTTLS on the plain port (587), ``ssl`` a TLS socket
    from the start (465)."""

    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "fba-health@localhost"
    tls: str = "starttls"  # "starttls", "ssl" or "none"

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("SMTP host is not set (FBA_HEALTH_SMTP_HOST or the Alerts page settings)")
        if not 0 < int(self.port) < 65536:
            raise ValueError("SMTP port must be in 1..65535")
        if self.tls not in ("starttls", "ssl", "none"):
            raise ValueError("SMTP tls must be 'starttls', 'ssl' or 'none'")

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return (f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
                f"password={'***' if self.password else None}, sender={self.sender!r}, tls={self.tls!r})")


def smtp_settings(db_path: Path | None = None, env: dict | None = None) -> SmtpSettings:
    """SMTP settings: each field from the environment, else from the saved settings; the password
    from the environment only.

    Examples
    --------
    >>> s = smtp_settings(env={"FBA_HEALTH_SMTP_HOST": "mail.example.com", "FBA_HEALTH_SMTP_PASSWORD": "x"})
    >>> s.host, s.port, s.tls, "'x'" in repr(s)
    ('mail.example.com', 587, 'starttls', False)
    """
    env = os.environ if env is None else env
    saved = (settings.load_raw(db_path, "smtp") or {}) if db_path is not None else {}
    value = {name: env.get(ENV_PREFIX + ("FROM" if name == "sender" else name.upper()), saved.get(name))
             for name in SAVED_FIELDS}
    return SmtpSettings(host=value["host"] or "", port=int(value["port"] or 587), user=value["user"] or None,
                        password=env.get(ENV_PREFIX + "PASSWORD") or None,
                        sender=value["sender"] or "fba-health@localhost", tls=(value["tls"] or "starttls").lower())


def save_smtp_settings(db_path: Path, host: str, port: int, user: str | None, sender: str, tls: str) -> None:
    """Save everything but the password (validated first)."""
    SmtpSettings(host=host, port=port, user=user, sender=sender, tls=tls)
    settings.save_raw(db_path, "smtp", {"host": host, "port": int(port), "user": user, "sender": sender, "tls": tls})


def digest_message(markdown: str, to: list[str], sender: str, subject: str) -> EmailMessage:
    """The digest as a plain-text e-mail (Markdown reads well as text)."""
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, ", ".join(to)
    message.set_content(markdown)
    return message


def send_digest(markdown: str, to: list[str], smtp: SmtpSettings, subject: str, timeout: float = 30) -> None:
    """Send the digest; NotifyError with the reason on failure."""
    if not to:
        raise NotifyError("no recipient given")
    message = digest_message(markdown, to, smtp.sender, subject)
    try:
        if smtp.tls == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        with client:
            if smtp.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise NotifyError(f"could not send the digest through {smtp.host}:{smtp.port}: "
                          f"{type(error).__name__}: {error}") from None
