#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times shoal-cli from its start to its `ready` line, with an empty profile and with a profile
of a million messages (half of them unread), as issue 10's start-up target counts it.

Run inside the private network namespace (it listens on 127.0.0.1 only, discovery off):
    ip netns exec lead python3 scripts/measure-startup.py [--cli build/app/shoal-cli] [--runs 15]

The big profile is built once (SQLite directly, after a first start has created the schema)
under --work (default /tmp/shoal-startup) and reused; --rebuild makes it again.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid

PEERS = 10
MESSAGES = 1_000_000


def start_to_ready(cli, profile):
    env = dict(os.environ, SHOAL_LOOPBACK_ONLY="1", QT_QPA_PLATFORM="offscreen")
    args = [cli, "--profile", profile, "--listen", "127.0.0.1", "--port", "0", "--no-discovery"]
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env)
    ready = None
    for line in p.stdout:
        if b'"ready"' in line:
            ready = time.perf_counter() - t0
            break
    p.stdin.write(b'{"cmd":"quit"}\n')
    p.stdin.close()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    if ready is None:
        sys.exit("shoal-cli ended without a ready line")
    return ready * 1000


def build_big(cli, profile):
    if os.path.exists(profile):
        shutil.rmtree(profile)
    os.makedirs(profile)
    start_to_ready(cli, profile)  # the identity and the schema
    db = sqlite3.connect(os.path.join(profile, "history.sqlite"))
    peers = ["%064x" % (i + 1) for i in range(PEERS)]
    base = 1_700_000_000_000

    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # Schema 6: a message names its peer by peer_keys.key.
    keyed = "peer_keys" in tables

    def rows():
        for i in range(MESSAGES):
            incoming = i % 2 == 0
            # half of them incoming and unread (state 2), half outgoing and read (3)
            peer = i % PEERS + 1 if keyed else peers[i % PEERS]
            yield (uuid.uuid4().bytes, peer, 0 if incoming else 1, base + i, base + i,
                   "message number %d in a long conversation" % i, 2 if incoming else 3)

    db.execute("BEGIN")
    if keyed:
        db.executemany("INSERT INTO peer_keys (key, peer_id) VALUES (?, ?)",
                       [(i + 1, p) for i, p in enumerate(peers)])
    db.executemany("INSERT INTO messages (id, %s, outgoing, sent_at, received_at, text, state)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)" % ("peer_key" if keyed else "peer_id"), rows())
    db.executemany("INSERT INTO conversations (peer_id, last_message_at) VALUES (?, ?)"
                   " ON CONFLICT (peer_id) DO NOTHING", [(p, base + MESSAGES) for p in peers])
    # What the store keeps as it writes (schema 5), kept here as it would have.
    if "unread_counts" in tables:
        peer_of = ("(SELECT peer_id FROM peer_keys WHERE key = messages.peer_key)" if keyed
                   else "peer_id")
        db.execute("INSERT OR REPLACE INTO unread_counts (peer_id, unread) SELECT %s, COUNT(*)"
                   " FROM messages WHERE outgoing = 0 AND state = 2 GROUP BY %s"
                   % (peer_of, peer_of))
        db.execute("UPDATE conversations SET written_to = EXISTS (SELECT 1 FROM messages"
                   " WHERE %s = conversations.peer_id AND outgoing = 1)" % peer_of)
    db.commit()
    db.close()


def measure(cli, profile, runs, label):
    start_to_ready(cli, profile)  # a migration, the page cache
    times = sorted(start_to_ready(cli, profile) for _ in range(runs))
    print("%-28s median %6.1f ms  min %6.1f  max %6.1f  (%d runs)"
          % (label, statistics.median(times), times[0], times[-1], runs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default="build/app/shoal-cli")
    ap.add_argument("--work", default="/tmp/shoal-startup")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    cli = os.path.abspath(a.cli)
    empty = os.path.join(a.work, "empty")
    big = os.path.join(a.work, "million")
    if os.path.exists(empty):
        shutil.rmtree(empty)
    os.makedirs(empty)
    if a.rebuild or not os.path.exists(os.path.join(big, "history.sqlite")):
        t = time.perf_counter()
        build_big(cli, big)
        print("built %s: %d messages, %d unread, in %.0f s"
              % (big, MESSAGES, MESSAGES // 2, time.perf_counter() - t))
    measure(cli, empty, a.runs, "empty profile")
    measure(cli, big, a.runs, "1M messages, 500k unread")


if __name__ == "__main__":
    main()
