#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# A real SMTP server on loopback for tst_mailcli (aiosmtpd): every message into a Maildir, with
# the envelope's X-MailFrom and X-RcptTo headers. With a third argument USER:PASSWORD, AUTH is
# required (over plain SMTP: the test talks to 127.0.0.1 only). Prints "ready PORT" once it
# listens, and stops when its stdin closes.
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

port = int(sys.argv[1])
maildir = sys.argv[2]
credentials = sys.argv[3] if len(sys.argv) > 3 else None


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (credentials is not None and isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() + ":" + auth_data.password.decode() == credentials)
    return AuthResult(success=ok, handled=False)


options = {}
if credentials:
    options = dict(authenticator=authenticate, auth_required=True, auth_require_tls=False)
controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port, **options)
controller.start()
print("ready", port, flush=True)
sys.stdin.read()
controller.stop()
