// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What carried delivery keeps on disk (issue 16): relay.sqlite in the profile, beside the
// history, on its own connection in the main thread (a few small writes per carried message).
//
//   schema (version 1, PRAGMA user_version; WAL, synchronous NORMAL):
//   allow(peer TEXT PRIMARY KEY, relay INT, hold INT)      -- this profile's switches per contact
//   granted(peer TEXT PRIMARY KEY, relay INT, hold INT)    -- the last `carry` of a peer we let
//                                                          --   hold (its word while away)
//   cards(peer TEXT PRIMARY KEY, email TEXT)               -- contact cards (e-mail notices)
//   certs(peer TEXT PRIMARY KEY, der BLOB)                 -- certificates of verified peers
//   held(eid BLOB PRIMARY KEY, recipient TEXT, author TEXT, -- envelopes held for others;
//        expires INT, received INT, size INT, envelope BLOB) --   author: the connection it came on
//   opened(author TEXT, eid BLOB, expires INT,            -- envelopes this profile opened,
//          PRIMARY KEY(author, eid))                     --   by author: an eid is in clear
//
// An empty path: everything in memory (tests, shoal-cli without a profile). Never stores a
// message's text: only sealed envelopes.

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

class CarryStore final
{
public:
    // Quotas of what this profile holds for others (docs/protocol.md, "Hold").
    struct Limits
    {
        int perAuthorCount = 1'000;
        qint64 perAuthorBytes = 16 * 1024 * 1024;
        int totalCount = 10'000;
        qint64 totalBytes = 128 * 1024 * 1024;
    };

    struct Switches
    {
        bool relay = false;
        bool hold = false;
        bool operator==(const Switches &o) const { return relay == o.relay && hold == o.hold; }
    };

    struct HeldEnvelope
    {
        QByteArray id;
        QString recipient;
        QString author; // the peer that handed it over
        qint64 expiresAt = 0;
        qint64 receivedAt = 0;
        qint64 size = 0;
        QByteArray envelope; // empty in summaries
    };

    // Duplicate: this very envelope is kept already. Conflict: another one is kept under its eid.
    enum class HoldResult { Kept, Duplicate, Conflict, Quota, Expired, TooBig, Error };

    CarryStore();
    ~CarryStore();
    CarryStore(const CarryStore &) = delete;
    CarryStore &operator=(const CarryStore &) = delete;

    // `path` empty: in memory. False and *error when the file cannot be opened or is not ours.
    bool open(const QString &path, QString *error);
    static QString pathIn(const QString &profileDir); // <profileDir>/relay.sqlite
    void setLimits(const Limits &limits) { m_limits = limits; }
    const Limits &limits() const { return m_limits; }

    // This profile's switches for a contact (both off when never set). Asked at every rly, env,
    // hold and carry, so answered from memory: both tables are read once at open(), and a set
    // changes memory only once its write reached the disk (false: neither changed).
    Switches allowed(const QString &peerId) const;
    bool setAllowed(const QString &peerId, Switches switches);
    QHash<QString, Switches> allAllowed() const;
    // What the peer last told us it allows us (carry). In memory likewise.
    Switches granted(const QString &peerId) const;
    bool setGranted(const QString &peerId, Switches switches);
    // Contact card.
    QString email(const QString &peerId) const;
    bool setEmail(const QString &peerId, const QString &email);
    QHash<QString, QString> emails() const;
    // Certificates (DER) of peers seen over a verified session, by ID (kept once per ID).
    QByteArray certificate(const QString &peerId) const;
    bool saveCertificate(const QString &peerId, const QByteArray &der);

    // Holding for others. hold() checks the size, expiry (at `nowMs`) and quotas.
    HoldResult hold(const HeldEnvelope &envelope, qint64 nowMs);
    // Up to `limit` envelopes for `recipient`, oldest first, after the one with `afterId`
    // (empty: from the oldest); each with its bytes.
    QList<HeldEnvelope> heldFor(const QString &recipient,
                                int limit,
                                const QByteArray &afterId = {}) const;
    bool holdsFor(const QString &recipient) const;
    // Every envelope held, without bytes, oldest first (shoal-cli's held).
    QList<HeldEnvelope> heldSummary() const;
    // Dropped only when held for `recipient` (a `got` from anyone else drops nothing).
    int drop(const QString &recipient, const QList<QByteArray> &ids);
    int dropExpired(qint64 nowMs);

    // Opened envelopes (the recipient's replay check), kept until their expiry.
    // Keyed by (author, eid): an eid travels in the clear, so a carrier could spend one first in
    // an envelope of its own; keyed alone, the real one would then be dropped as a replay.
    bool wasOpened(const QString &author, const QByteArray &id) const;
    bool markOpened(const QString &author, const QByteArray &id, qint64 expiresAt);

    QString lastError() const { return m_lastError; }

private:
    bool loadSwitches(QString *error); // open(): allow and granted into memory

    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_lastError;
    Limits m_limits;
    QHash<QString, Switches> m_allowed; // the allow table, as on disk
    QHash<QString, Switches> m_granted; // the granted table, as on disk
};
