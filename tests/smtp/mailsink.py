#!/usr/bin/env python3
"""A real SMTP server for Docket's integration tests, run as its own process.

Every accepted message is stored in --dir as NNNNNN.eml (the DATA content, byte for byte) with
its envelope in NNNNNN.json ({"mail_from", "rcpt_tos", "auth_user", "tls"}). Both are written
to a temporary name and renamed into place, the .json first, so a visible .eml always has its
.json. Numbering starts at 000001 and continues after the highest number already in --dir, so a
restarted sink appends to what the previous one stored.

Once listening on 127.0.0.1 it prints exactly one line, "READY <port>", to stdout. It logs to
stderr only, and exits cleanly on SIGTERM or SIGINT (and, with --watch-stdin, when its stdin
reaches end of file, i.e. when the test process that started it has gone away).

Fault injection: DATA transactions (those whose content was received, counted across
connections, starting from this process's start) are numbered 0, 1, 2, ...; the first
--tempfail-first of them get 451, the next --drop-after-data of them are stored and the
connection is then closed without a reply. --delay-data-ms applies to every DATA reply.
--reject-rcpt is checked before --tempfail-rcpt.

Needs Python 3.8+ and aiosmtpd (python3 -m pip install aiosmtpd); --make-cert needs the
openssl command.
"""

import argparse
import asyncio
import json
import logging
import os
import re
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError as error:  # pragma: no cover - the message is the point
    sys.stderr.write(
        f"mailsink: cannot import aiosmtpd ({error}) with {sys.executable}; "
        "install it: python3 -m pip install aiosmtpd\n"
    )
    sys.stderr.flush()
    sys.exit(3)

log = logging.getLogger("mailsink")

MESSAGE_NAME = re.compile(r"^(\d+)\.eml$")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", required=True, help="where accepted messages are stored")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--tls-cert", help="PEM certificate (chain) for STARTTLS, which is then required")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument(
        "--make-cert",
        metavar="DIR",
        help="use DIR/cert.pem and DIR/key.pem (leaf for localhost/127.0.0.1, signed by "
        "DIR/ca.pem), generating all three first unless they all exist; implies STARTTLS",
    )
    p.add_argument("--auth", metavar="USER:PASS", help="require AUTH PLAIN/LOGIN with these credentials")
    p.add_argument("--tempfail-first", type=int, default=0, metavar="N")
    p.add_argument("--reject-rcpt", metavar="SUBSTR")
    p.add_argument("--tempfail-rcpt", metavar="SUBSTR")
    p.add_argument("--delay-data-ms", type=int, default=0, metavar="N")
    p.add_argument("--drop-after-data", type=int, default=0, metavar="N")
    p.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches end of file")
    p.add_argument("--verbose", action="store_true", help="log every SMTP command (aiosmtpd's log)")
    args = p.parse_args(argv)
    if args.make_cert and (args.tls_cert or args.tls_key):
        p.error("--make-cert and --tls-cert/--tls-key are alternatives")
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if args.auth is not None and ":" not in args.auth:
        p.error("--auth takes USER:PASS")
    for name in ("port", "tempfail_first", "delay_data_ms", "drop_after_data"):
        if getattr(args, name) < 0:
            p.error(f"--{name.replace('_', '-')} must not be negative")
    return args


# --- certificates -------------------------------------------------------------------------------

OPENSSL_CONFIG = """\
[req]
distinguished_name = dn_ca
prompt = no

[dn_ca]
CN = Docket test mail sink CA

[dn_leaf]
CN = localhost

[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
"""


def openssl(*args, cwd):
    try:
        subprocess.run(
            ["openssl", *args], cwd=cwd, check=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        sys.exit("mailsink: --make-cert needs the openssl command (apt-get install openssl)")
    except subprocess.CalledProcessError as e:
        sys.exit(f"mailsink: openssl {' '.join(args)} failed:\n{e.stderr.decode(errors='replace')}")


def make_cert(directory):
    """A throwaway CA (ca.pem) and a leaf for localhost and 127.0.0.1 signed by it (cert.pem,
    key.pem). rustls rejects a CA certificate presented as the server's own, hence two."""
    os.makedirs(directory, exist_ok=True)
    names = [os.path.join(directory, n) for n in ("ca.pem", "cert.pem", "key.pem")]
    if all(os.path.exists(n) for n in names):
        return names
    with tempfile.TemporaryDirectory(dir=directory, prefix=".certs-") as work:
        with open(os.path.join(work, "openssl.cnf"), "w") as f:
            f.write(OPENSSL_CONFIG)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        openssl(
            "req", "-config", "openssl.cnf", "-x509", *ec, "-keyout", "ca-key.pem",
            "-out", "ca.pem", "-days", "3650", "-extensions", "v3_ca",
            "-set_serial", "0x" + secrets.token_hex(8), cwd=work,
        )
        openssl(
            "req", "-config", "openssl.cnf", "-new", *ec, "-keyout", "key.pem",
            "-out", "leaf.csr", "-subj", "/CN=localhost", cwd=work,
        )
        openssl(
            "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
            "-set_serial", "0x" + secrets.token_hex(8), "-days", "3650", "-sha256",
            "-extfile", "openssl.cnf", "-extensions", "v3_leaf", "-out", "cert.pem", cwd=work,
        )
        # key.pem last: the three exist together or the next start generates them again.
        for name in ("ca.pem", "cert.pem", "key.pem"):
            os.replace(os.path.join(work, name), os.path.join(directory, name))
    log.info("generated a CA and a localhost certificate in %s", directory)
    return names


# --- the handler --------------------------------------------------------------------------------


class Sink:
    def __init__(self, args):
        self.dir = args.dir
        self.tempfail_first = args.tempfail_first
        self.drop_after_data = args.drop_after_data
        self.delay = args.delay_data_ms / 1000.0
        self.reject_rcpt = args.reject_rcpt
        self.tempfail_rcpt = args.tempfail_rcpt
        self.data_count = 0
        os.makedirs(self.dir, exist_ok=True)
        existing = [int(m.group(1)) for m in map(MESSAGE_NAME.match, os.listdir(self.dir)) if m]
        self.next_seq = max(existing, default=0) + 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt and self.reject_rcpt in address:
            log.info("RCPT %s rejected (550)", address)
            return "550 5.1.1 no such user"
        if self.tempfail_rcpt and self.tempfail_rcpt in address:
            log.info("RCPT %s tempfailed (450)", address)
            return "450 4.2.1 mailbox busy"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = self.data_count
        self.data_count += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if n < self.tempfail_first:
            log.info("DATA #%d from %s tempfailed (451)", n, envelope.mail_from)
            return "451 4.3.0 try again later"
        seq = self.store(session, envelope)
        if n < self.tempfail_first + self.drop_after_data:
            log.info("DATA #%d stored as %06d; closing the connection without a reply", n, seq)
            # The reply below is written to a closing transport, which discards it.
            server.transport.close()
            return "250 OK (never sent)"
        log.info(
            "DATA #%d stored as %06d: %s -> %s", n, seq, envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
        )
        return f"250 2.0.0 OK queued as {seq:06d}"

    def store(self, session, envelope):
        seq = self.next_seq
        self.next_seq += 1
        user = session.auth_data if session.authenticated else None
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": user,
            "tls": session.ssl is not None,
        }
        base = os.path.join(self.dir, f"{seq:06d}")
        tmp = os.path.join(self.dir, f".{seq:06d}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(meta, f)
        os.replace(tmp, base + ".json")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content)
        os.replace(tmp, base + ".eml")
        return seq


def authenticator(expected_user, expected_password):
    def check(server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if login == expected_user and password == expected_password:
            log.info("AUTH %s as %s accepted", mechanism, login)
            return AuthResult(success=True, auth_data=login)
        log.info("AUTH %s as %s refused (535)", mechanism, login)
        return AuthResult(success=False, handled=False)

    return check


# --- main ---------------------------------------------------------------------------------------


async def serve(args):
    tls_context = None
    cert, key = args.tls_cert, args.tls_key
    if args.make_cert:
        _, cert, key = make_cert(args.make_cert)
    if cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(cert, key)

    smtp_kwargs = dict(
        hostname="localhost",  # socket.getfqdn() can stall for seconds without DNS
        ident="Docket test mail sink",
        enable_SMTPUTF8=True,
        decode_data=False,
    )
    if tls_context:
        smtp_kwargs.update(tls_context=tls_context, require_starttls=True)
    if args.auth is not None:
        user, _, password = args.auth.partition(":")
        smtp_kwargs.update(
            auth_required=True,
            auth_require_tls=tls_context is not None,
            authenticator=authenticator(user, password),
        )

    handler = Sink(args)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.watch_stdin:
        def watch():
            # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader makes the
            # interpreter abort at exit ("could not acquire lock ... at interpreter shutdown").
            try:
                while os.read(sys.stdin.fileno(), 4096):
                    pass
            except (OSError, ValueError):
                pass
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch, daemon=True).start()

    server = await loop.create_server(
        lambda: SMTP(handler, **smtp_kwargs), host="127.0.0.1", port=args.port,
    )
    port = server.sockets[0].getsockname()[1]
    log.info(
        "listening on 127.0.0.1:%d (tls=%s auth=%s), storing in %s from %06d",
        port, tls_context is not None, args.auth is not None, args.dir, handler.next_seq,
    )
    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()

    await stop.wait()
    log.info("stopping")
    server.close()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING,
        format="mailsink %(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log.setLevel(logging.INFO)
    logging.getLogger("mail.log").setLevel(logging.INFO if args.verbose else logging.WARNING)
    # Expected with --auth and no TLS; aiosmtpd says so for every connection.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    # aiosmtpd 1.4 warns about its own use of a deprecated attribute on every successful AUTH.
    noise = ("auth_require_tls == False", "Session.login_data is deprecated")
    logging.getLogger("mail.log").addFilter(
        lambda record: not any(n in record.getMessage() for n in noise)
    )
    try:
        asyncio.run(serve(args))
    except OSError as e:
        log.error("cannot serve: %s", e)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
