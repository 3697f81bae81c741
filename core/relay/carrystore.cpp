// SPDX-License-Identifier: GPL-3.0-or-later
#include "carrystore.h"

#include "protocol/messages.h"
#include "relay/envelope.h"

#include <QAtomicInteger>
#include <QCryptographicHash>
#include <QDir>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCarryStore, "shoal.relay")

namespace {

constexpr int CarrySchemaVersion = 1;

QString carryConnectionName()
{
    static QAtomicInteger<int> next = 0;
    return u"shoal-carry-%1"_s.arg(next.fetchAndAddRelaxed(1));
}

} // namespace

CarryStore::CarryStore() = default;

CarryStore::~CarryStore()
{
    if (!m_connectionName.isEmpty()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QString CarryStore::pathIn(const QString &profileDir)
{
    return QDir(profileDir).filePath(u"relay.sqlite"_s);
}

bool CarryStore::open(const QString &path, QString *error)
{
    auto fail = [&](const QString &what) {
        m_lastError = what;
        qCWarning(lcCarryStore).noquote() << "carry store:" << what;
        if (error)
            *error = what;
        m_db.close();
        return false;
    };
    if (!m_connectionName.isEmpty())
        return fail(u"the carry store is already open"_s);
    m_connectionName = carryConnectionName();
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    m_db.setDatabaseName(path.isEmpty() ? u":memory:"_s : path);
    if (!path.isEmpty())
        m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!m_db.open())
        return fail(u"cannot open %1: %2"_s.arg(path, m_db.lastError().text()));

    QSqlQuery q(m_db);
    if (!q.exec(u"PRAGMA user_version"_s) || !q.next())
        return fail(
            u"%1 is not a database this program can read: %2"_s.arg(path, q.lastError().text()));
    const int version = q.value(0).toInt();
    q.finish();
    if (version > CarrySchemaVersion)
        return fail(
            u"%1 was written by a newer version of Shoal (schema %2)"_s.arg(path).arg(version));
    if (!path.isEmpty()) {
        if (!q.exec(u"PRAGMA journal_mode=WAL"_s) || !q.exec(u"PRAGMA synchronous=NORMAL"_s))
            return fail(u"cannot set up %1: %2"_s.arg(path, q.lastError().text()));
        q.finish();
    }
    if (version == CarrySchemaVersion)
        return loadSwitches(error);

    const QStringList schema = {
        u"CREATE TABLE IF NOT EXISTS allow(peer TEXT PRIMARY KEY, relay INT, hold INT)"_s,
        u"CREATE TABLE IF NOT EXISTS granted(peer TEXT PRIMARY KEY, relay INT, hold INT)"_s,
        u"CREATE TABLE IF NOT EXISTS cards(peer TEXT PRIMARY KEY, email TEXT)"_s,
        u"CREATE TABLE IF NOT EXISTS certs(peer TEXT PRIMARY KEY, der BLOB)"_s,
        u"CREATE TABLE IF NOT EXISTS held(eid BLOB PRIMARY KEY, recipient TEXT, author TEXT,"
        u" expires INT, received INT, size INT, envelope BLOB)"_s,
        u"CREATE INDEX IF NOT EXISTS held_recipient ON held(recipient)"_s,
        u"CREATE INDEX IF NOT EXISTS held_author ON held(author)"_s,
        u"CREATE TABLE IF NOT EXISTS opened(author TEXT, eid BLOB, expires INT, "
        u"PRIMARY KEY(author, eid))"_s,
        u"PRAGMA user_version = %1"_s.arg(CarrySchemaVersion),
    };
    if (!m_db.transaction())
        return fail(u"cannot write %1: %2"_s.arg(path, m_db.lastError().text()));
    for (const QString &sql : schema) {
        if (!q.exec(sql)) {
            const QString why = q.lastError().text();
            m_db.rollback();
            return fail(u"cannot create the tables of %1: %2"_s.arg(path, why));
        }
    }
    if (!m_db.commit())
        return fail(u"cannot write %1: %2"_s.arg(path, m_db.lastError().text()));
    return loadSwitches(error);
}

bool CarryStore::loadSwitches(QString *error)
{
    // Asked at every rly, env, hold and carry: kept in memory, read once here, and changed
    // only by a write that reached the disk, so that memory and disk never disagree.
    m_allowed.clear();
    m_granted.clear();
    QSqlQuery q(m_db);
    for (auto [table, into] :
         {std::pair{u"allow"_s, &m_allowed}, std::pair{u"granted"_s, &m_granted}}) {
        if (!q.exec(u"SELECT peer, relay, hold FROM %1"_s.arg(table))) {
            m_lastError = u"cannot read the switches: %1"_s.arg(q.lastError().text());
            qCWarning(lcCarryStore).noquote() << "carry store:" << m_lastError;
            if (error)
                *error = m_lastError;
            m_allowed.clear();
            m_granted.clear();
            m_db.close();
            return false;
        }
        while (q.next())
            into->insert(q.value(0).toString(),
                         Switches{q.value(1).toInt() != 0, q.value(2).toInt() != 0});
        q.finish();
    }
    return true;
}

namespace {

// One prepared statement, its values bound in order, executed; false (and the reason in
// *error) when any step fails.
bool carryExec(QSqlQuery &q, const QString &sql, const QVariantList &values, QString *error)
{
    if (!q.prepare(sql)) {
        *error = q.lastError().text();
        return false;
    }
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec()) {
        *error = q.lastError().text();
        return false;
    }
    return true;
}

} // namespace

#define CARRY_EXEC(q, sql, values, onFail) \
    do { \
        QString why_; \
        if (!carryExec(q, sql, values, &why_)) { \
            const_cast<CarryStore *>(this)->m_lastError = why_; \
            qCWarning(lcCarryStore).noquote() << "carry store:" << why_ << "in" << (sql); \
            onFail; \
        } \
    } while (false)

CarryStore::Switches CarryStore::allowed(const QString &peerId) const
{
    return m_allowed.value(peerId);
}

bool CarryStore::setAllowed(const QString &peerId, Switches switches)
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery q(m_db);
    CARRY_EXEC(q,
               u"INSERT OR REPLACE INTO allow(peer, relay, hold) VALUES (?, ?, ?)"_s,
               (QVariantList{peerId, int(switches.relay), int(switches.hold)}),
               return false);
    m_allowed.insert(peerId, switches); // only once it is on disk
    return true;
}

QHash<QString, CarryStore::Switches> CarryStore::allAllowed() const
{
    return m_allowed;
}

CarryStore::Switches CarryStore::granted(const QString &peerId) const
{
    return m_granted.value(peerId);
}

bool CarryStore::setGranted(const QString &peerId, Switches switches)
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery q(m_db);
    CARRY_EXEC(q,
               u"INSERT OR REPLACE INTO granted(peer, relay, hold) VALUES (?, ?, ?)"_s,
               (QVariantList{peerId, int(switches.relay), int(switches.hold)}),
               return false);
    m_granted.insert(peerId, switches); // only once it is on disk
    return true;
}

QString CarryStore::email(const QString &peerId) const
{
    if (!m_db.isOpen())
        return {};
    QSqlQuery q(m_db);
    CARRY_EXEC(q, u"SELECT email FROM cards WHERE peer = ?"_s, {peerId}, return {});
    return q.next() ? q.value(0).toString() : QString();
}

bool CarryStore::setEmail(const QString &peerId, const QString &email)
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery q(m_db);
    if (email.isEmpty()) {
        CARRY_EXEC(q, u"DELETE FROM cards WHERE peer = ?"_s, {peerId}, return false);
        return true;
    }
    CARRY_EXEC(q,
               u"INSERT OR REPLACE INTO cards(peer, email) VALUES (?, ?)"_s,
               (QVariantList{peerId, email}),
               return false);
    return true;
}

QHash<QString, QString> CarryStore::emails() const
{
    QHash<QString, QString> out;
    if (!m_db.isOpen())
        return out;
    QSqlQuery q(m_db);
    CARRY_EXEC(q, u"SELECT peer, email FROM cards"_s, {}, return out);
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toString());
    return out;
}

QByteArray CarryStore::certificate(const QString &peerId) const
{
    if (!m_db.isOpen())
        return {};
    QSqlQuery q(m_db);
    CARRY_EXEC(q, u"SELECT der FROM certs WHERE peer = ?"_s, {peerId}, return {});
    return q.next() ? q.value(0).toByteArray() : QByteArray();
}

bool CarryStore::saveCertificate(const QString &peerId, const QByteArray &der)
{
    if (!m_db.isOpen() || der.isEmpty())
        return false;
    // The ID names the certificate: one that does not hash to it is not this peer's.
    if (QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex())
        != peerId) {
        m_lastError = u"certificate does not match the peer ID %1"_s.arg(peerId);
        qCWarning(lcCarryStore).noquote() << "carry store:" << m_lastError;
        return false;
    }
    QSqlQuery q(m_db);
    CARRY_EXEC(q,
               u"INSERT OR IGNORE INTO certs(peer, der) VALUES (?, ?)"_s,
               (QVariantList{peerId, der}),
               return false);
    return true;
}

CarryStore::HoldResult CarryStore::hold(const HeldEnvelope &envelope, qint64 nowMs)
{
    if (!m_db.isOpen())
        return HoldResult::Error;
    const qint64 size = envelope.envelope.isEmpty() ? envelope.size : envelope.envelope.size();
    if (size <= 0 || size > Protocol::MaxEnvelopeBytes)
        return HoldResult::TooBig;
    if (envelope.expiresAt <= nowMs
        || envelope.expiresAt > nowMs + Relay::MaxLifetimeMs + Relay::ClockSlackMs)
        return HoldResult::Expired;

    QSqlQuery q(m_db);
    CARRY_EXEC(q,
               u"SELECT recipient, envelope FROM held WHERE eid = ?"_s,
               {envelope.id},
               return HoldResult::Error);
    if (q.next()) {
        // The eid travels in clear: only the same bytes are this envelope.
        return q.value(0).toString() == envelope.recipient
                       && (envelope.envelope.isEmpty()
                           || q.value(1).toByteArray() == envelope.envelope)
                   ? HoldResult::Duplicate
                   : HoldResult::Conflict;
    }
    q.finish();

    CARRY_EXEC(q,
               u"SELECT COUNT(*), COALESCE(SUM(size), 0) FROM held WHERE author = ?"_s,
               {envelope.author},
               return HoldResult::Error);
    if (!q.next())
        return HoldResult::Error;
    if (q.value(0).toLongLong() + 1 > m_limits.perAuthorCount
        || q.value(1).toLongLong() + size > m_limits.perAuthorBytes)
        return HoldResult::Quota;
    q.finish();

    CARRY_EXEC(q,
               u"SELECT COUNT(*), COALESCE(SUM(size), 0) FROM held"_s,
               {},
               return HoldResult::Error);
    if (!q.next())
        return HoldResult::Error;
    if (q.value(0).toLongLong() + 1 > m_limits.totalCount
        || q.value(1).toLongLong() + size > m_limits.totalBytes)
        return HoldResult::Quota;
    q.finish();

    CARRY_EXEC(q,
               u"INSERT INTO held(eid, recipient, author, expires, received, size, envelope)"
               u" VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
               (QVariantList{envelope.id,
                             envelope.recipient,
                             envelope.author,
                             envelope.expiresAt,
                             nowMs,
                             size,
                             envelope.envelope}),
               return HoldResult::Error);
    return HoldResult::Kept;
}

namespace {

CarryStore::HeldEnvelope heldFromRow(const QSqlQuery &q, bool withBytes)
{
    CarryStore::HeldEnvelope h;
    h.id = q.value(0).toByteArray();
    h.recipient = q.value(1).toString();
    h.author = q.value(2).toString();
    h.expiresAt = q.value(3).toLongLong();
    h.receivedAt = q.value(4).toLongLong();
    h.size = q.value(5).toLongLong();
    if (withBytes)
        h.envelope = q.value(6).toByteArray();
    return h;
}

} // namespace

QList<CarryStore::HeldEnvelope> CarryStore::heldFor(const QString &recipient,
                                                    int limit,
                                                    const QByteArray &afterId) const
{
    QList<HeldEnvelope> out;
    if (!m_db.isOpen() || limit <= 0)
        return out;
    QSqlQuery q(m_db);
    // The order received is the rowid's (SQLite gives a new row a larger rowid than every row
    // there is). An `afterId` no longer held (dropped meanwhile) pages from the oldest again.
    qint64 after = -1;
    if (!afterId.isEmpty()) {
        CARRY_EXEC(q,
                   u"SELECT rowid FROM held WHERE eid = ? AND recipient = ?"_s,
                   (QVariantList{afterId, recipient}),
                   return out);
        if (q.next())
            after = q.value(0).toLongLong();
        q.finish();
    }
    CARRY_EXEC(q,
               u"SELECT eid, recipient, author, expires, received, size, envelope FROM held"
               u" WHERE recipient = ? AND rowid > ? ORDER BY rowid LIMIT ?"_s,
               (QVariantList{recipient, after, limit}),
               return out);
    while (q.next())
        out.append(heldFromRow(q, true));
    return out;
}

bool CarryStore::holdsFor(const QString &recipient) const
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery q(m_db);
    CARRY_EXEC(q, u"SELECT 1 FROM held WHERE recipient = ? LIMIT 1"_s, {recipient}, return false);
    return q.next();
}

QList<CarryStore::HeldEnvelope> CarryStore::heldSummary() const
{
    QList<HeldEnvelope> out;
    if (!m_db.isOpen())
        return out;
    QSqlQuery q(m_db);
    CARRY_EXEC(q,
               u"SELECT eid, recipient, author, expires, received, size FROM held"
               u" ORDER BY rowid"_s,
               {},
               return out);
    while (q.next())
        out.append(heldFromRow(q, false));
    return out;
}

int CarryStore::drop(const QString &recipient, const QList<QByteArray> &ids)
{
    if (!m_db.isOpen() || ids.isEmpty())
        return 0;
    int dropped = 0;
    if (!m_db.transaction()) {
        m_lastError = m_db.lastError().text();
        qCWarning(lcCarryStore).noquote() << "carry store:" << m_lastError;
        return 0;
    }
    QSqlQuery q(m_db);
    if (!q.prepare(u"DELETE FROM held WHERE eid = ? AND recipient = ?"_s)) {
        m_lastError = q.lastError().text();
        qCWarning(lcCarryStore).noquote() << "carry store:" << m_lastError;
        m_db.rollback();
        return 0;
    }
    for (const QByteArray &id : ids) {
        q.addBindValue(id);
        q.addBindValue(recipient);
        if (!q.exec()) {
            m_lastError = q.lastError().text();
            qCWarning(lcCarryStore).noquote() << "carry store:" << m_lastError;
            m_db.rollback();
            return 0;
        }
        dropped += q.numRowsAffected();
    }
    if (!m_db.commit()) {
        m_lastError = m_db.lastError().text();
        qCWarning(lcCarryStore).noquote() << "carry store:" << m_lastError;
        return 0;
    }
    return dropped;
}

int CarryStore::dropExpired(qint64 nowMs)
{
    if (!m_db.isOpen())
        return 0;
    QSqlQuery q(m_db);
    CARRY_EXEC(q, u"DELETE FROM held WHERE expires <= ?"_s, {nowMs}, return 0);
    const int dropped = q.numRowsAffected();
    // The recipient still opens an envelope ClockSlackMs past its expiry: its eid stays as long.
    CARRY_EXEC(q,
               u"DELETE FROM opened WHERE expires < ?"_s,
               {nowMs - Relay::ClockSlackMs},
               return dropped);
    return dropped;
}

bool CarryStore::wasOpened(const QString &author, const QByteArray &id) const
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery q(m_db);
    CARRY_EXEC(q,
               u"SELECT 1 FROM opened WHERE author = ? AND eid = ?"_s,
               (QVariantList{author, id}),
               return false);
    return q.next();
}

bool CarryStore::markOpened(const QString &author, const QByteArray &id, qint64 expiresAt)
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery q(m_db);
    CARRY_EXEC(q,
               u"INSERT OR IGNORE INTO opened(author, eid, expires) VALUES (?, ?, ?)"_s,
               (QVariantList{author, id, expiresAt}),
               return false);
    return true;
}

#undef CARRY_EXEC
