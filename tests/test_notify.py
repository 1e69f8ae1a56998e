"""core/notify.py: the digest is received by a real (local) SMTP server; the password only from the
environment and never in a repr or an error."""

from __future__ import annotations

import email

import pytest

from core import notify
from tests.smtp_server import smtp_server


def test_the_digest_reaches_the_server_with_login_and_recipients():
    with smtp_server() as (port, received):
        smtp = notify.smtp_settings(env={"FBA_HEALTH_SMTP_HOST": "127.0.0.1", "FBA_HEALTH_SMTP_PORT": str(port),
                                         "FBA_HEALTH_SMTP_TLS": "none", "FBA_HEALTH_SMTP_USER": "seller",
                                         "FBA_HEALTH_SMTP_PASSWORD": "s3cret", "FBA_HEALTH_SMTP_FROM": "a@x.test"})
        notify.send_digest("# FBA inventory alerts\n- **A-1** Mug: 9 days of cover left.", ["b@x.test", "c@x.test"],
                           smtp, "FBA alerts: 1")
    assert len(received) == 1
    mail = received[0]
    assert mail.sender == "a@x.test" and mail.recipients == ["b@x.test", "c@x.test"]
    assert mail.login == ("seller", "s3cret")
    message = email.message_from_string(mail.data)
    assert message["Subject"] == "FBA alerts: 1" and message["To"] == "b@x.test, c@x.test"
    assert "**A-1** Mug: 9 days of cover left." in message.get_payload(decode=True).decode()


def test_password_comes_from_the_environment_only_and_never_shows(tmp_path):
    from core import db

    path = tmp_path / "s.duckdb"
    db.ensure_schema(path)
    notify.save_smtp_settings(path, "mail.example.com", 2525, "seller", "me@x.test", "starttls")
    smtp = notify.smtp_settings(path, env={"FBA_HEALTH_SMTP_PASSWORD": "s3cret"})
    assert (smtp.host, smtp.port, smtp.user, smtp.sender) == ("mail.example.com", 2525, "seller", "me@x.test")
    assert smtp.password == "s3cret" and "s3cret" not in repr(smtp)
    with db.connect(path) as con:
        stored = " ".join(str(v) for row in con.execute("SELECT * FROM settings").fetchall() for v in row)
    assert "s3cret" not in stored and "mail.example.com" in stored
    # the environment wins over what was saved
    assert notify.smtp_settings(path, env={"FBA_HEALTH_SMTP_HOST": "other.test"}).host == "other.test"


def test_a_refused_connection_is_a_clear_error_without_the_password():
    smtp = notify.SmtpSettings(host="127.0.0.1", port=1, tls="none", user="u", password="s3cret")
    with pytest.raises(notify.NotifyError) as error:
        notify.send_digest("x", ["b@x.test"], smtp, "s", timeout=5)
    assert "127.0.0.1:1" in str(error.value) and "s3cret" not in str(error.value)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="SMTP host is not set"):
        notify.smtp_settings(env={})
    with pytest.raises(ValueError, match="tls"):
        notify.SmtpSettings(host="h", tls="maybe")
    with pytest.raises(notify.NotifyError, match="recipient"):
        notify.send_digest("x", [], notify.SmtpSettings(host="h"), "s")
