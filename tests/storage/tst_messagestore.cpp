// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/messagestore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Peer = QString(64, u'b');

ChatMessage message(qint64 sentAtMs,
                    const QString &text,
                    bool outgoing = false,
                    MessageState state = MessageState::Delivered)
{
    ChatMessage m;
    m.id = QUuid::createUuid();
    m.peerId = Peer;
    m.outgoing = outgoing;
    m.sentAt = QDateTime::fromMSecsSinceEpoch(sentAtMs, Qt::UTC);
    m.receivedAt = m.sentAt;
    m.text = text;
    m.state = state;
    return m;
}

QStringList texts(const QList<ChatMessage> &messages)
{
    QStringList out;
    for (const ChatMessage &m : messages)
        out.append(m.text);
    return out;
}

QList<MessageKind> kinds(const QList<ChatMessage> &messages)
{
    QList<MessageKind> out;
    for (const ChatMessage &m : messages)
        out.append(m.kind);
    return out;
}

ChatMessage fileItem(qint64 sentAtMs, const QString &name, bool outgoing)
{
    ChatMessage m = message(sentAtMs, name, outgoing, MessageState::Delivered);
    m.kind = MessageKind::File;
    return m;
}

QString hex(const QString &s)
{
    return QString::fromLatin1(s.toUtf8().toHex());
}

// Every field, so that a comparison that fails says which (texts in hex: exactly).
QString dump(const TransferRecord &t)
{
    return u"%1 %2 out=%3 at=%4 name=%5 size=%6 files=%7 entries=%8 folder=%9 mh=%10"_s
               .arg(t.id.toString(), t.peerId)
               .arg(int(t.outgoing))
               .arg(t.createdAt.isValid() ? t.createdAt.toMSecsSinceEpoch() : -1)
               .arg(hex(t.name))
               .arg(t.size)
               .arg(t.files)
               .arg(t.entries)
               .arg(int(t.folder))
               .arg(QString::fromLatin1(t.manifestHash.toHex()))
           + u" state=%1 seen=%2 src=%3 dest=%4 saved=%5 done=%6 error=%7"_s.arg(int(t.state))
                 .arg(int(t.seen))
                 .arg(hex(t.sourceDir), hex(t.destination), hex(t.savedPath))
                 .arg(t.bytesDone)
                 .arg(hex(t.error));
}

QStringList dump(const QList<TransferRecord> &transfers)
{
    QStringList out;
    for (const TransferRecord &t : transfers)
        out.append(dump(t));
    return out;
}

} // namespace

class tst_MessageStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createdFromEmptyFile();
    void migratedFromEarlierSchema_data();
    void migratedFromEarlierSchema();
    void newerSchemaRefused();
    void survivesReopen();
    void duplicateIdStoredOnce();
    void orderedByArrivalNotBySenderClock();
    void oneSendersIdDoesNotShadowAnothers();
    void sameIdFromTwoPeersAfterMigration();
    void everyStateReadBackAfterPeerKeys();
    void statesOnlyMoveForward();
    void stateChangeFindsOnlyItsMessage();
    void acksOfAFloodCommittedTogether();
    void groupedIntoOneCommit();
    void floodWithDuplicatesStoredInOrder();
    void committedInTheBackgroundInOrder();
    void oneBadWriteFailsAlone();
    void pagesFromTheNewest();
    void deleteOnlyWaiting();
    void sentIsReportedButNeverCommitted();
    void discardedUnsavedIsNeverACommit();
    void fullDiskSaidInOwnWords();
    void ackThenCloseLeavesDelivered();
    void unreadCountsKeptWithTheRows();
    void throwawayHistoryIsInMemoryAndPrivate();
    void peersRemembered();
    void peersWrittenToAreOnlyThoseWeWroteTo();
    void newIdsAreUniqueAndInTimeOrder();
    void newestPageOfMillionIsFast();
    void damagedHistoryReportedAndKept();
    void closingInterruptsTheCheck();
    void textStoredExactly_data();
    void textStoredExactly();
    void kindAddedToSchema6Rows();
    void fileItemRoundTrips();
    void transfersSavedReplacedAndReopened();
    void fullDiskFailsTransferWriteAlone();
};

void tst_MessageStore::createdFromEmptyFile()
{
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    QSqlDatabase db = store.database();
    QCOMPARE(MessageStore::schemaVersion(db), MessageStore::SchemaVersion);
    QSqlQuery q(db);
    QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
    QCOMPARE(q.value(0).toString(), u"wal"_s);
    QVERIFY(q.exec(u"PRAGMA integrity_check"_s) && q.next());
    QCOMPARE(q.value(0).toString(), u"ok"_s);
}

void tst_MessageStore::migratedFromEarlierSchema_data()
{
    QTest::addColumn<int>("version");
    for (int v = 1; v < MessageStore::SchemaVersion; ++v)
        QTest::addRow("schema %d", v) << v;
}

void tst_MessageStore::migratedFromEarlierSchema()
{
    // Build a history at an earlier schema with a message in it, then open it with today's
    // store: the message is there, unread, and the newer tables and indexes exist.
    QFETCH(int, version);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const ChatMessage old = message(1000, u"from the old days"_s);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v1"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QString error;
        QVERIFY2(MessageStore::migrate(db, version, &error), qPrintable(error));
        QCOMPARE(MessageStore::schemaVersion(db), version);
        QSqlQuery q(db);
        if (version >= 6) { // the peer by its key
            QVERIFY(q.exec(u"INSERT INTO peer_keys (key, peer_id) VALUES (1, '%1')"_s.arg(Peer)));
            q.prepare(u"INSERT INTO messages (id, peer_key, outgoing, sent_at, received_at, text,"
                      u" state) VALUES (?, (SELECT key FROM peer_keys WHERE peer_id = ?), 0,"
                      u" 1000, 1000, ?, 2)"_s);
        } else {
            q.prepare(u"INSERT INTO messages (id, peer_id, outgoing, sent_at, received_at, text,"
                      u" state) VALUES (?, ?, 0, 1000, 1000, ?, 2)"_s);
        }
        q.addBindValue(old.id.toRfc4122());
        q.addBindValue(Peer);
        q.addBindValue(old.text);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        if (version >= 2) { // that schema's store kept the conversation list itself
            QVERIFY(q.exec(u"INSERT INTO conversations (peer_id, last_message_at)"
                           u" VALUES ('%1', 1000)"_s.arg(Peer)));
        }
        if (version >= 5) { // and the unread counts
            QVERIFY(q.exec(u"INSERT INTO unread_counts VALUES ('%1', 1)"_s.arg(Peer)));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(u"v1"_s);

    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QSqlDatabase db = store.database();
    QCOMPARE(MessageStore::schemaVersion(db), MessageStore::SchemaVersion);
    QCOMPARE(texts(store.conversation(Peer)), QStringList{old.text});
    QCOMPARE(store.conversation(Peer).first().kind, MessageKind::Text);
    QCOMPARE(store.unreadCounts().value(Peer), 1);
    QVERIFY(store.transfers().isEmpty());
    QSqlQuery q(db);
    QVERIFY(q.exec(u"SELECT name FROM sqlite_master WHERE type = 'index'"
                   u" AND name IN ('messages_waiting', 'messages_unread', 'messages_receipts')"_s));
    int indexes = 0;
    while (q.next())
        ++indexes;
    QCOMPARE(indexes, 3);
    QVERIFY(q.exec(u"SELECT last_message_at FROM conversations WHERE peer_id = '%1'"_s.arg(Peer)));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toLongLong(), 1000);
}

void tst_MessageStore::sameIdFromTwoPeersAfterMigration()
{
    // A schema-3 history with messages in it (one queued of ours, one from Bob, two he has
    // read, one of them with its read receipt sent, one deleted at the end): after the
    // migration, everything is there in its order with its receipt flag, every index is there
    // again (and used), seq goes on growing, and the ID Bob used can be stored again from
    // another peer.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const ChatMessage fromBob = message(5000, u"from Bob"_s);
    const ChatMessage waiting = message(1000, u"waiting"_s, true, MessageState::Queued);
    const ChatMessage receiptSent = message(2000, u"receipt sent"_s, false, MessageState::Read);
    const ChatMessage receiptDue = message(3000, u"receipt due"_s, false, MessageState::Read);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v3"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QString error;
        QVERIFY2(MessageStore::migrate(db, 3, &error), qPrintable(error));
        QSqlQuery q(db);
        q.prepare(u"INSERT INTO messages (id, peer_id, outgoing, sent_at, received_at, text, state,"
                  u" receipt_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s);
        for (const ChatMessage &m :
             {fromBob, waiting, receiptSent, receiptDue, message(9000, u"deleted"_s, true)}) {
            q.addBindValue(m.id.toRfc4122());
            q.addBindValue(Peer);
            q.addBindValue(m.outgoing);
            q.addBindValue(m.sentAt.toMSecsSinceEpoch());
            q.addBindValue(m.sentAt.toMSecsSinceEpoch());
            q.addBindValue(m.text);
            q.addBindValue(int(m.state));
            q.addBindValue(m.id == receiptSent.id ? 1 : 0);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        QVERIFY(q.exec(u"DELETE FROM messages WHERE text = 'deleted'"_s));
        QVERIFY(q.exec(u"INSERT INTO conversations VALUES ('%1', 9000)"_s.arg(Peer)));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"v3"_s);

    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QSqlDatabase db = store.database();
    QCOMPARE(MessageStore::schemaVersion(db), MessageStore::SchemaVersion);
    QSqlQuery q(db);
    QVERIFY(q.exec(u"PRAGMA integrity_check"_s) && q.next());
    QCOMPARE(q.value(0).toString(), u"ok"_s);
    const auto before = store.conversation(Peer);
    QCOMPARE(texts(before),
             (QStringList{u"from Bob"_s, u"waiting"_s, u"receipt sent"_s, u"receipt due"_s}));
    QCOMPARE(texts(store.undelivered(Peer)), QStringList{u"waiting"_s});
    QCOMPARE(store.unreadCounts().value(Peer), 1);
    QCOMPARE(texts(store.pendingReceipts(Peer)), QStringList{u"receipt due"_s});
    QVERIFY(q.exec(u"SELECT text, receipt_sent FROM messages ORDER BY seq"_s));
    QStringList receipts;
    while (q.next())
        receipts.append(u"%1=%2"_s.arg(q.value(0).toString(), q.value(1).toString()));
    QCOMPARE(receipts,
             (QStringList{u"from Bob=0"_s, u"waiting=0"_s, u"receipt sent=1"_s, u"receipt due=0"_s}));
    // Every index of schema 3 but the one ordered by the sender's clock (replaced by arrival),
    // with its condition, and the one that makes (ID, peer, direction) unique.
    QVERIFY(q.exec(u"SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                   u" AND tbl_name = 'messages' ORDER BY name"_s));
    QStringList indexes;
    while (q.next()) {
        indexes.append(q.value(1).isNull() ? u"(automatic)"_s : q.value(1).toString().simplified());
    }
    QCOMPARE(
        indexes,
        (QStringList{u"CREATE INDEX messages_by_arrival ON messages (peer_key, seq)"_s,
                     u"CREATE INDEX messages_receipts ON messages (peer_key) WHERE outgoing = 0 AND"
                     u" state = 3 AND receipt_sent = 0"_s,
                     u"CREATE INDEX messages_unread ON messages (peer_key) WHERE outgoing = 0 AND"
                     u" state = 2"_s,
                     u"CREATE INDEX messages_waiting ON messages (peer_key, seq) WHERE outgoing ="
                     u" 1 AND state IN (0, 1)"_s,
                     u"(automatic)"_s})); // sqlite_autoindex_messages_v6_1: UNIQUE (id, ...)
    // And the queries use them.
    const auto plan = [&](const QString &where) {
        QSqlQuery p(db);
        p.exec(u"EXPLAIN QUERY PLAN SELECT seq FROM messages WHERE %1"_s.arg(where));
        QString out;
        while (p.next())
            out += p.value(3).toString();
        return out;
    };
    // (As the store asks: by the peer's ID, through its key.)
    const QString peerIs = u"peer_key = (SELECT key FROM peer_keys WHERE peer_id = 'x')"_s;
    QVERIFY(plan(peerIs + u" AND outgoing = 1 AND state IN (0, 1) AND seq > 0"_s)
                .contains(u"messages_waiting"_s));
    QVERIFY(plan(peerIs + u" AND outgoing = 0 AND state = 3 AND receipt_sent = 0"_s)
                .contains(u"messages_receipts"_s));
    QVERIFY(plan(peerIs + u" AND outgoing = 0 AND state = 2"_s).contains(u"messages_unread"_s));
    QVERIFY(plan(u"id = x'00' AND "_s + peerIs + u" AND outgoing = 0"_s)
                .contains(u"sqlite_autoindex_messages"_s));
    QVERIFY(plan(peerIs + u" ORDER BY seq DESC"_s).contains(u"messages_by_arrival"_s));
    QVERIFY(q.exec(u"SELECT last_message_at FROM conversations"_s) && q.next());
    QCOMPARE(q.value(0).toLongLong(), 5000); // MAX(received_at): our clock
    q.finish(); // or this connection's read transaction stays open on the old snapshot

    ChatMessage fromCarol = fromBob;
    fromCarol.peerId = QString(64, u'c');
    fromCarol.text = u"from Carol, Bob's ID"_s;
    QVERIFY(store.addReceived(fromCarol));
    QVERIFY(store.add(message(6000, u"new"_s)));
    QVERIFY(store.flush());
    QCOMPARE(store.message(keyOf(fromCarol))->text, fromCarol.text);
    QCOMPARE(store.message(keyOf(fromBob))->text, fromBob.text);
    const auto after = store.conversation(Peer);
    QCOMPARE(after.last().text, u"new"_s);
    QVERIFY(after.last().seq > 5); // past the deleted one's seq
}

void tst_MessageStore::everyStateReadBackAfterPeerKeys()
{
    // A schema-5 history (messages named their peer by its 64-character ID) with two peers'
    // messages in every state, then opened by today's store (a small key per peer): every read
    // gives back what it gave before, seq goes on past a deleted last row, and a new peer, a
    // state change and a duplicate behave as ever.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const QString carol = QString(64, u'c');
    struct Row
    {
        ChatMessage m;
        bool receiptSent = false;
    };
    QList<Row> rows;
    const auto row = [&](const QString &peer, bool outgoing, MessageState state, bool sent) {
        ChatMessage m = message(1000 * (rows.size() + 1),
                                u"%1 %2 %3"_s.arg(peer.left(1)).arg(outgoing).arg(int(state)),
                                outgoing,
                                state);
        m.peerId = peer;
        rows.append({m, sent});
    };
    for (const QString &peer : {Peer, carol}) {
        for (auto state :
             {MessageState::Queued, MessageState::Sent, MessageState::Delivered, MessageState::Read})
            row(peer, true, state, false);
        row(peer, false, MessageState::Delivered, false);
        row(peer, false, MessageState::Read, false); // its receipt due
        row(peer, false, MessageState::Read, true);
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v5"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QString error;
        QVERIFY2(MessageStore::migrate(db, 5, &error), qPrintable(error));
        QSqlQuery q(db);
        q.prepare(u"INSERT INTO messages (id, peer_id, outgoing, sent_at, received_at, text, state,"
                  u" receipt_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s);
        for (const Row &r : rows + QList<Row>{{message(99000, u"deleted"_s, true), false}}) {
            q.addBindValue(r.m.id.toRfc4122());
            q.addBindValue(r.m.peerId);
            q.addBindValue(r.m.outgoing);
            q.addBindValue(r.m.sentAt.toMSecsSinceEpoch());
            q.addBindValue(r.m.receivedAt.toMSecsSinceEpoch());
            q.addBindValue(r.m.text);
            q.addBindValue(int(r.m.state));
            q.addBindValue(r.receiptSent ? 1 : 0);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        QVERIFY(q.exec(u"DELETE FROM messages WHERE text = 'deleted'"_s));
        // What the schema-5 writer kept beside them.
        QVERIFY(q.exec(u"INSERT INTO conversations (peer_id, last_message_at, written_to)"
                       u" SELECT peer_id, MAX(received_at), 1 FROM messages GROUP BY peer_id"_s));
        QVERIFY(q.exec(u"INSERT INTO unread_counts (peer_id, unread) SELECT peer_id, COUNT(*)"
                       u" FROM messages WHERE outgoing = 0 AND state = 2 GROUP BY peer_id"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"v5"_s);

    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QSqlDatabase db = store.database();
    QCOMPARE(MessageStore::schemaVersion(db), MessageStore::SchemaVersion);
    {
        QSqlQuery q(db);
        QVERIFY(q.exec(u"PRAGMA integrity_check"_s) && q.next());
        QCOMPARE(q.value(0).toString(), u"ok"_s);
    }
    const auto only = [&](const QString &peer, auto keep) {
        QStringList out;
        for (const Row &r : rows) {
            if (r.m.peerId == peer && keep(r))
                out.append(r.m.text);
        }
        return out;
    };
    for (const QString &peer : {Peer, carol}) {
        const QList<ChatMessage> all = store.conversation(peer);
        QCOMPARE(texts(all), only(peer, [](const Row &) { return true; }));
        for (const ChatMessage &m : all) {
            const auto it = std::find_if(rows.cbegin(), rows.cend(), [&](const Row &r) {
                return r.m.id == m.id;
            });
            QVERIFY(it != rows.cend());
            QCOMPARE(m.peerId, peer);
            QCOMPARE(m.outgoing, it->m.outgoing);
            QCOMPARE(m.state, it->m.state);
            QCOMPARE(m.sentAt, it->m.sentAt);
            QCOMPARE(m.receivedAt, it->m.receivedAt);
            QCOMPARE(store.message(keyOf(m))->text, m.text);
            QCOMPARE(store.message(m.id)->text, m.text);
        }
        QCOMPARE(store.count(peer), qint64(all.size()));
        QCOMPARE(texts(store.page(peer, 3)), texts(all.mid(all.size() - 3)));
        QCOMPARE(texts(store.page(peer, 2, all.at(3))), texts(all.mid(1, 2)));
        QCOMPARE(texts(store.undelivered(peer)), only(peer, [](const Row &r) {
                     return r.m.outgoing && int(r.m.state) <= int(MessageState::Sent);
                 }));
        QCOMPARE(texts(store.undelivered(peer, all.at(0).seq, 1)), QStringList{all.at(1).text});
        QVERIFY(store.hasUndelivered(peer));
        QCOMPARE(texts(store.unread(peer)), only(peer, [](const Row &r) {
                     return !r.m.outgoing && r.m.state == MessageState::Delivered;
                 }));
        QCOMPARE(texts(store.pendingReceipts(peer)), only(peer, [](const Row &r) {
                     return !r.m.outgoing && r.m.state == MessageState::Read && !r.receiptSent;
                 }));
        QCOMPARE(store.unreadCounts().value(peer), 1);
    }
    QCOMPARE(store.count(QString(64, u'd')), 0);
    QVERIFY(store.conversation(QString(64, u'd')).isEmpty());
    QCOMPARE(store.conversationPeers(), (QStringList{carol, Peer}));
    QStringList writtenTo = store.peersWrittenTo();
    writtenTo.sort();
    QCOMPARE(writtenTo, (QStringList{Peer, carol}));

    // Written after: a state change, a duplicate, a new peer; seq past the deleted row.
    const ChatMessage queued = store.undelivered(carol).first();
    store.setState(queued, MessageState::Delivered);
    const ChatMessage again = rows.at(4).m; // Bob's, delivered
    QVERIFY(!store.add(again));
    QVERIFY(store.addReceived(again)); // not looked up: found a duplicate by the writer
    ChatMessage fromDave = message(100000, u"from Dave"_s);
    fromDave.peerId = QString(64, u'd');
    QVERIFY(store.addReceived(fromDave));
    QVERIFY(store.flush());
    QCOMPARE(store.message(keyOf(queued))->state, MessageState::Delivered);
    QCOMPARE(texts(store.undelivered(carol)), QStringList{rows.at(8).m.text});
    QCOMPARE(store.count(Peer), qint64(7));
    const auto dave = store.conversation(fromDave.peerId);
    QCOMPARE(texts(dave), QStringList{u"from Dave"_s});
    QVERIFY(dave.first().seq > qint64(rows.size() + 1));
    QCOMPARE(store.unreadCounts().value(fromDave.peerId), 1);
}

void tst_MessageStore::newerSchemaRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"future"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery(db).exec(u"PRAGMA user_version = 99"_s);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"future"_s);
    MessageStore store;
    QString error;
    QVERIFY(!store.open(path, &error));
    QVERIFY2(error.contains(u"newer"_s), qPrintable(error));
}

void tst_MessageStore::survivesReopen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const ChatMessage m = message(5, u"kept"_s, true, MessageState::Queued);
    {
        MessageStore store;
        QString error;
        QVERIFY(store.open(path, &error));
        QVERIFY(store.add(m));
        QVERIFY(store.flush());
    }
    MessageStore store;
    QString error;
    QVERIFY(store.open(path, &error));
    QCOMPARE(texts(store.undelivered(Peer)), QStringList{u"kept"_s});
}

void tst_MessageStore::duplicateIdStoredOnce()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const ChatMessage m = message(1, u"once"_s);
    QVERIFY(store.add(m));
    QVERIFY(!store.add(m)); // still queued
    QVERIFY(store.flush());
    QVERIFY(!store.add(m)); // on disk
    QVERIFY(store.flush());
    QCOMPARE(store.count(Peer), 1);
}

void tst_MessageStore::committedInTheBackgroundInOrder()
{
    // No flush(): the writer thread commits while this thread runs its event loop; everything
    // is reported, in the order it was written, and a message is found while on its way.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    QList<ChatMessage> reported;
    connect(&store, &MessageStore::committed, this, [&](const QList<ChatMessage> &added) {
        reported += added;
    });
    QList<QUuid> written;
    for (int i = 0; i < 2500; ++i) { // three batches
        const ChatMessage m = message(i, QString::number(i), true, MessageState::Queued);
        store.addOutgoing(m);
        written.append(m.id);
    }
    QVERIFY(store.contains(written.constFirst()));
    QTRY_VERIFY(store.contains(written.constLast()) && reported.size() == 2500);
    QCOMPARE(reported.constFirst().id, written.constFirst());
    QCOMPARE(reported.constLast().id, written.constLast());
    for (qsizetype i = 1; i < reported.size(); ++i)
        QVERIFY(reported.at(i).seq > reported.at(i - 1).seq);
    QCOMPARE(store.count(Peer), 2500);
    QVERIFY(store.hasUndelivered(Peer));
}

void tst_MessageStore::oneBadWriteFailsAlone()
{
    // A write the database refuses is reported and lost alone; the rest of its batch is saved.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    QSqlDatabase db = store.database();
    QVERIFY(QSqlQuery(db).exec(u"CREATE TRIGGER refuse BEFORE INSERT ON messages"
                               u" WHEN NEW.text = 'poison'"
                               u" BEGIN SELECT RAISE(ABORT, 'refused (test)'); END"_s));
    QSignalSpy failed(&store, &MessageStore::errorOccurred);
    QList<ChatMessage> reported;
    connect(&store, &MessageStore::committed, this, [&](const QList<ChatMessage> &added) {
        reported += added;
    });
    store.add(message(1, u"before"_s));
    store.add(message(2, u"poison"_s));
    store.add(message(3, u"after"_s));
    store.savePeer(PeerRecord{QString(64, u'c'), QString(), {}, {}, {}}); // no name: not NULL
    QVERIFY(!store.flush());
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.constFirst().constFirst().toString().contains(u"refused (test)"_s));
    QCOMPARE(texts(reported), (QStringList{u"before"_s, u"after"_s}));
    QCOMPARE(texts(store.conversation(Peer)), (QStringList{u"before"_s, u"after"_s}));
    QCOMPARE(store.peers().size(), 1);
}

void tst_MessageStore::newIdsAreUniqueAndInTimeOrder()
{
    // Version 7 UUIDs: unique, and an ID made in a later millisecond sorts after (as bytes,
    // which is how the store's index orders them).
    QSet<QUuid> seen;
    QByteArray previous;
    for (int i = 0; i < 10000; ++i) {
        const QUuid id = newMessageId();
        QCOMPARE(id.data3 >> 12, 7); // version 7 (Qt 6.4's version() stops at 5)
        QCOMPARE(id.variant(), QUuid::DCE);
        QVERIFY(!seen.contains(id));
        seen.insert(id);
        const QByteArray bytes = id.toRfc4122();
        QVERIFY(previous.isEmpty() || bytes.left(6) >= previous.left(6)); // time never goes back
        previous = bytes;
    }
    const QByteArray before = newMessageId().toRfc4122();
    QTRY_VERIFY(newMessageId().toRfc4122().left(6) > before.left(6)); // the next millisecond
    QVERIFY(newMessageId().toRfc4122() > before);
}

void tst_MessageStore::orderedByArrivalNotBySenderClock()
{
    // A peer's clock decides nothing about where its messages go: a year behind, it is not
    // placed at the top; at 9999-12-31 it does not stay below everything that follows. Both
    // keep their sender's time for display.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto arriving = [&](qint64 sentAtMs, const QString &text) {
        ChatMessage m = message(sentAtMs, text);
        m.receivedAt = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
        return m;
    };
    store.add(arriving(now - 1000, u"first"_s));
    store.add(arriving(now - 365LL * 24 * 3600 * 1000, u"a year behind"_s));
    store.add(arriving(253402300799999, u"9999-12-31"_s));
    QVERIFY(store.flush());
    store.add(arriving(now, u"after them"_s));
    QVERIFY(store.flush());
    const QStringList order{u"first"_s, u"a year behind"_s, u"9999-12-31"_s, u"after them"_s};
    QCOMPARE(texts(store.conversation(Peer)), order);
    QCOMPARE(texts(store.page(Peer, 100)), order);
    const auto newest = store.page(Peer, 2);
    QCOMPARE(texts(newest), (QStringList{u"9999-12-31"_s, u"after them"_s}));
    QCOMPARE(texts(store.page(Peer, 2, newest.first())), order.first(2));
    QCOMPARE(store.conversation(Peer).at(2).sentAt.date(), QDate(9999, 12, 31));
    QVERIFY(senderTimeFarOff(store.conversation(Peer).at(1)));
    QVERIFY(!senderTimeFarOff(store.conversation(Peer).at(0)));

    // The conversation list is ordered by our clock too: a peer's future timestamp does not
    // pin its conversation at the top.
    const QString other = QString(64, u'c');
    ChatMessage fromOther = arriving(now, u"other"_s);
    fromOther.peerId = other;
    fromOther.receivedAt = fromOther.receivedAt.addSecs(60);
    store.add(fromOther);
    QVERIFY(store.flush());
    QCOMPARE(store.conversationPeers(), (QStringList{other, Peer}));
}

void tst_MessageStore::oneSendersIdDoesNotShadowAnothers()
{
    // A message is (sender, ID): the same ID from two peers, or from a peer and from us, is
    // three messages, each stored, acknowledged as new, and changed only by its own key.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    QList<ChatMessage> reported, duplicates;
    connect(&store,
            &MessageStore::committed,
            this,
            [&](const QList<ChatMessage> &added,
                const QList<ChatMessage> &,
                const QList<QUuid> &,
                const QList<ChatMessage> &dup) {
                reported += added;
                duplicates += dup;
            });
    const ChatMessage ours = message(1, u"ours"_s, true, MessageState::Queued);
    store.addOutgoing(ours);
    QVERIFY(store.flush());
    ChatMessage mallory = message(2, u"mallory's, with our ID"_s);
    mallory.id = ours.id;
    mallory.peerId = QString(64, u'e');
    QVERIFY(store.addReceived(mallory));
    QVERIFY(store.flush());
    ChatMessage bob = mallory;
    bob.peerId = Peer;
    bob.text = u"bob's, same ID"_s;
    // Queued at the same time as a copy from Mallory: neither shadows the other.
    ChatMessage malloryAgain = mallory;
    QVERIFY(store.addReceived(malloryAgain)); // on disk already: reported as a duplicate
    QVERIFY(store.addReceived(bob));
    QVERIFY(store.flush());
    QCOMPARE(texts(reported),
             (QStringList{u"ours"_s, u"mallory's, with our ID"_s, u"bob's, same ID"_s}));
    QCOMPARE(duplicates.size(), 1); // Mallory's second copy, and only hers
    QCOMPARE(duplicates.first().peerId, mallory.peerId);
    QCOMPARE(texts(store.conversation(Peer)), (QStringList{u"ours"_s, u"bob's, same ID"_s}));
    QCOMPARE(store.message(keyOf(bob))->text, bob.text);
    QCOMPARE(store.message(keyOf(mallory))->text, mallory.text);
    QCOMPARE(store.message(ours.id)->text, ours.text); // by ID alone: ours first
    QVERIFY(store.contains(keyOf(bob)));

    // A state change or receipt reaches only its own message.
    store.setState(mallory, MessageState::Read);
    store.setReceiptSent(mallory);
    QVERIFY(store.flush());
    QCOMPARE(store.message(keyOf(mallory))->state, MessageState::Read);
    QCOMPARE(store.message(keyOf(bob))->state, MessageState::Delivered);
    QCOMPARE(store.message(keyOf(ours))->state, MessageState::Queued);
    QCOMPARE(store.unread(Peer).size(), 1);
    QCOMPARE(store.pendingReceipts(mallory.peerId).size(), 0);
    ChatMessage ack = ours; // an ack for our message comes from the peer it went to
    store.setState(ack, MessageState::Delivered);
    QVERIFY(store.flush());
    QCOMPARE(store.message(keyOf(ours))->state, MessageState::Delivered);
    QCOMPARE(store.message(keyOf(bob))->state, MessageState::Delivered);
}

void tst_MessageStore::statesOnlyMoveForward()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const ChatMessage m = message(1, u"x"_s, true, MessageState::Queued);
    store.add(m);
    store.flush();
    auto stateNow = [&] {
        store.flush();
        return store.message(m.id)->state;
    };
    store.setState(m, MessageState::Sent);
    QCOMPARE(stateNow(), MessageState::Sent);
    store.setState(m, MessageState::Queued); // the connection dropped before the ack
    QCOMPARE(stateNow(), MessageState::Queued);
    store.setState(m, MessageState::Read);
    QCOMPARE(stateNow(), MessageState::Read);
    store.setState(m, MessageState::Delivered); // a late ack after the read receipt
    QCOMPARE(stateNow(), MessageState::Read);
    store.setState(m, MessageState::Queued);
    QCOMPARE(stateNow(), MessageState::Read);
}

void tst_MessageStore::stateChangeFindsOnlyItsMessage()
{
    // A state change may carry the row's seq (an ack for a message on the wire, a read of a
    // message from a page): the row is found by it, but only if its ID, peer and direction
    // match; a seq that is not that message's changes nothing else, and the message is found
    // by its key.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const ChatMessage a = message(1, u"a"_s, true, MessageState::Queued);
    const ChatMessage b = message(2, u"b"_s, true, MessageState::Queued);
    const ChatMessage fromBob = message(3, u"from Bob"_s);
    for (const ChatMessage &m : {a, b, fromBob})
        store.add(m);
    QVERIFY(store.flush());
    const ChatMessage storedA = *store.message(keyOf(a));
    const ChatMessage storedB = *store.message(keyOf(b));
    QVERIFY(storedA.seq > 0);
    store.markSent(storedA);
    ChatMessage ack; // as an acknowledgement names it: ID, peer, direction
    ack.id = a.id;
    ack.peerId = Peer;
    ack.outgoing = true;
    store.setState(ack, MessageState::Delivered);
    QVERIFY(store.flush());
    QCOMPARE(store.message(keyOf(a))->state, MessageState::Delivered);
    QCOMPARE(store.message(keyOf(b))->state, MessageState::Queued);

    ChatMessage wrongSeq = storedB;
    wrongSeq.seq = storedA.seq; // a's row: not b's key
    store.setState(wrongSeq, MessageState::Read);
    ChatMessage notBobs = *store.message(keyOf(fromBob));
    notBobs.outgoing = true; // Bob's row by seq, but not our message
    store.setState(notBobs, MessageState::Read);
    QVERIFY(store.flush());
    QCOMPARE(store.message(keyOf(a))->state, MessageState::Delivered);
    QCOMPARE(store.message(keyOf(b))->state, MessageState::Read);
    QCOMPARE(store.message(keyOf(fromBob))->state, MessageState::Delivered);
    QCOMPARE(store.unreadCounts().value(Peer), 1);
}

void tst_MessageStore::acksOfAFloodCommittedTogether()
{
    // Acks for messages whose rows follow each other (a flood) are written in one statement:
    // each acknowledged message is Delivered and reported so once; one already Read stays Read
    // and is not reported; the other peer's message among them and the one not acknowledged
    // stay as they were. The same when the read receipt is in the acks' batch, so that one
    // row of the run cannot move.
    for (const auto &[onDisk, readInBatch] :
         {std::pair{false, false}, {true, false}, {false, true}, {true, true}}) {
        QTemporaryDir dir;
        MessageStore store;
        QString error;
        QVERIFY2(store.open(onDisk ? dir.filePath(u"h.sqlite"_s) : u":memory:"_s, &error),
                 qPrintable(error));
        QList<ChatMessage> toPeer;
        for (int i = 0; i < 8; ++i)
            toPeer.append(message(i + 1, u"out %1"_s.arg(i), true, MessageState::Queued));
        ChatMessage toOther = message(20, u"to someone else"_s, true, MessageState::Queued);
        toOther.peerId = QString(64, u'c');
        for (int i = 0; i < toPeer.size(); ++i) {
            store.addOutgoing(toPeer.at(i));
            if (i == 6)
                store.addOutgoing(toOther); // after the first 7: the 8th's row is not next
        }
        QVERIFY(store.flush());
        for (const ChatMessage &m : std::as_const(toPeer))
            store.markSent(*store.message(keyOf(m)));
        store.markSent(*store.message(keyOf(toOther)));
        const int readOne = readInBatch ? 2 : 6;
        QSignalSpy committed(&store, &MessageStore::committed);
        store.setState(toPeer.at(readOne), MessageState::Read); // its read receipt came first
        if (!readInBatch) {
            QVERIFY(store.flush());
            QTRY_COMPARE(committed.size(), 1);
            committed.clear();
        }
        for (int i = 0; i < 7; ++i) { // not the 8th, nor the other peer's
            ChatMessage ack;
            ack.id = toPeer.at(i).id;
            ack.peerId = Peer;
            ack.outgoing = true;
            store.setState(ack, MessageState::Delivered);
        }
        QVERIFY(store.flush());
        QTRY_COMPARE(committed.size(), 1);
        QSet<QUuid> reported;
        for (const ChatMessage &c : committed.first().at(1).value<QList<ChatMessage>>()) {
            if (c.id == toPeer.at(readOne).id && readInBatch) {
                QCOMPARE(c.state, MessageState::Read); // the receipt, reported as Read
                continue;
            }
            QCOMPARE(c.state, MessageState::Delivered);
            QVERIFY(!reported.contains(c.id));
            reported.insert(c.id);
        }
        QCOMPARE(reported.size(), 6);
        QVERIFY(!reported.contains(toPeer.at(readOne).id));
        for (int i = 0; i < 7; ++i) {
            QCOMPARE(store.message(keyOf(toPeer.at(i)))->state,
                     i == readOne ? MessageState::Read : MessageState::Delivered);
        }
        QCOMPARE(store.message(keyOf(toPeer.at(7)))->state, MessageState::Sent);
        QCOMPARE(store.message(keyOf(toOther))->state, MessageState::Sent);
    }
}

void tst_MessageStore::groupedIntoOneCommit()
{
    // Many messages in one event-loop pass become one transaction.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    QSignalSpy committed(&store, &MessageStore::committed);
    for (int i = 0; i < 500; ++i)
        store.add(message(i, QString::number(i)));
    QTRY_COMPARE(committed.size(), 1);
    QCOMPARE(committed.first().first().value<QList<ChatMessage>>().size(), 500);
    QCOMPARE(store.count(Peer), 500);
}

void tst_MessageStore::floodWithDuplicatesStoredInOrder()
{
    // A flood's batch: received messages from two peers, some of them received before (a
    // resend after a lost ack), and ours, written many to a statement. Every new one is
    // reported added in order with the seq it has on disk; each one received before is a
    // duplicate, stored once; the unread counts are right.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const QString carol = QString(64, u'c');
    auto from = [](const QString &peer, int i) {
        ChatMessage m = message(i, u"%1 %2"_s.arg(peer.left(1)).arg(i));
        m.peerId = peer;
        return m;
    };
    QList<ChatMessage> before;
    for (int i : {3, 17, 40})
        before.append(from(i == 17 ? carol : Peer, i));
    for (const ChatMessage &m : before)
        QVERIFY(store.addReceived(m));
    QVERIFY(store.flush());
    QSignalSpy committed(&store, &MessageStore::committed);
    QList<ChatMessage> fresh;
    QStringList duplicateTexts;
    for (int i = 0; i < 50; ++i) {
        const ChatMessage m = i == 3 || i == 17 || i == 40 ? before.at(i == 3    ? 0
                                                                       : i == 17 ? 1
                                                                                 : 2)
                                                           : from(i % 3 ? Peer : carol, i);
        QVERIFY(store.addReceived(m));
        if (i == 3 || i == 17 || i == 40)
            duplicateTexts.append(m.text);
        else
            fresh.append(m);
    }
    for (int i = 0; i < 40; ++i) // then ours, in a run
        fresh.append(message(100 + i, u"ours %1"_s.arg(i), true, MessageState::Queued));
    for (int i = 0; i < 40; ++i)
        store.addOutgoing(fresh.at(fresh.size() - 40 + i));
    QVERIFY(store.flush());
    QCOMPARE(committed.size(), 1);
    const auto added = committed.first().at(0).value<QList<ChatMessage>>();
    const auto duplicates = committed.first().at(3).value<QList<ChatMessage>>();
    QCOMPARE(texts(added), texts(fresh));
    QCOMPARE(texts(duplicates), duplicateTexts);
    for (qsizetype i = 0; i < added.size(); ++i) {
        QCOMPARE(store.message(keyOf(added.at(i)))->seq, added.at(i).seq);
        if (i > 0)
            QVERIFY(added.at(i).seq > added.at(i - 1).seq);
    }
    QCOMPARE(store.count(Peer) + store.count(carol), qint64(before.size() + fresh.size()));
    QCOMPARE(store.unreadCounts().value(Peer), store.unread(Peer).size());
    QCOMPARE(store.unreadCounts().value(carol), store.unread(carol).size());
    QCOMPARE(store.unread(Peer).size() + store.unread(carol).size(), 50);
}

void tst_MessageStore::pagesFromTheNewest()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    for (int i = 0; i < 250; ++i)
        store.add(message(i, QString::number(i)));
    store.flush();
    const auto newest = store.page(Peer, 100);
    QCOMPARE(newest.size(), 100);
    QCOMPARE(newest.first().text, u"150"_s);
    QCOMPARE(newest.last().text, u"249"_s);
    const auto older = store.page(Peer, 100, newest.first());
    QCOMPARE(older.first().text, u"50"_s);
    QCOMPARE(older.last().text, u"149"_s);
    const auto oldest = store.page(Peer, 100, older.first());
    QCOMPARE(oldest.size(), 50);
    QCOMPARE(oldest.first().text, u"0"_s);
}

void tst_MessageStore::deleteOnlyWaiting()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const ChatMessage waiting = message(1, u"waiting"_s, true, MessageState::Queued);
    const ChatMessage delivered = message(2, u"delivered"_s, true, MessageState::Delivered);
    store.add(waiting);
    store.add(delivered);
    store.flush();
    store.remove(waiting.id);
    store.remove(delivered.id);
    store.flush();
    QCOMPARE(texts(store.conversation(Peer)), QStringList{u"delivered"_s});
}

void tst_MessageStore::sentIsReportedButNeverCommitted()
{
    // "Sent" and its undoing are reported as what they are, changes in memory: never through
    // committed(), and never in the file; an ack's Delivered is committed.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    const ChatMessage m = message(1, u"out"_s, true, MessageState::Queued);
    store.addOutgoing(m);
    QVERIFY(store.flush());
    auto stateOnDisk = [&] {
        QSqlQuery q(store.database());
        q.prepare(u"SELECT state FROM messages WHERE id = ?"_s);
        q.addBindValue(m.id.toRfc4122());
        return q.exec() && q.next() ? MessageState(q.value(0).toInt()) : MessageState::Failed;
    };
    QSignalSpy committed(&store, &MessageStore::committed);
    QSignalSpy inMemory(&store, &MessageStore::sentStateChanged);
    auto lastReported = [&] {
        const auto changed = inMemory.takeFirst().first().value<QList<ChatMessage>>();
        return changed.size() == 1 && changed.first().id == m.id ? changed.first().state
                                                                 : MessageState::Failed;
    };

    store.markSent(m);
    store.markSent(m); // written again (a resend): reported once
    QVERIFY(inMemory.wait());
    QCOMPARE(lastReported(), MessageState::Sent);
    QVERIFY(store.hasSent(Peer));
    QCOMPARE(store.message(keyOf(m))->state, MessageState::Sent);
    QCOMPARE(stateOnDisk(), MessageState::Queued);

    store.unsend(Peer); // the connection ended without an ack
    QVERIFY(inMemory.wait());
    QCOMPARE(lastReported(), MessageState::Queued);
    QVERIFY(!store.hasSent(Peer));
    QCOMPARE(store.message(keyOf(m))->state, MessageState::Queued);
    QVERIFY(committed.isEmpty());

    store.markSent(m);
    QVERIFY(inMemory.wait());
    QCOMPARE(lastReported(), MessageState::Sent);
    store.setState(m, MessageState::Delivered); // the ack
    QTRY_COMPARE(committed.size(), 1);
    const auto changed = committed.first().at(1).value<QList<ChatMessage>>();
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().state, MessageState::Delivered);
    QVERIFY(!store.hasSent(Peer));
    QCOMPARE(stateOnDisk(), MessageState::Delivered);
    QVERIFY(inMemory.isEmpty());
}

void tst_MessageStore::discardedUnsavedIsNeverACommit()
{
    // A message the disk refused lives in memory only (Failed): discarding it is reported as
    // what it is, never as a removal that a transaction committed.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    QSignalSpy notSaved(&store, &MessageStore::notSaved);
    store.setGrowthLimited(true); // as on a full disk
    const ChatMessage m = message(1, QString(60000, u'x'), true, MessageState::Queued);
    store.addOutgoing(m);
    QVERIFY(!store.flush());
    QTRY_COMPARE(notSaved.size(), 1);
    QCOMPARE(store.unsaved(Peer).size(), 1);

    QSignalSpy committed(&store, &MessageStore::committed);
    QSignalSpy discarded(&store, &MessageStore::unsavedDiscarded);
    QVERIFY(store.discardUnsaved(m.id));
    QVERIFY(discarded.wait());
    QCOMPARE(discarded.first().first().toUuid(), m.id);
    QVERIFY(store.unsaved(Peer).isEmpty());
    QVERIFY(!store.message(m.id));
    QVERIFY(!store.discardUnsaved(m.id)); // only once
    QVERIFY(committed.isEmpty());
}

void tst_MessageStore::fullDiskSaidInOwnWords()
{
    // A full disk is told in a sentence tr() can translate, not in SQLite's English words
    // spliced into a translated one.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    QSignalSpy notSaved(&store, &MessageStore::notSaved);
    QSignalSpy failed(&store, &MessageStore::errorOccurred);
    store.setGrowthLimited(true); // as on a full disk
    store.addOutgoing(message(1, QString(60000, u'x'), true, MessageState::Queued));
    QVERIFY(!store.flush());
    QTRY_COMPARE(notSaved.size(), 1);
    QCOMPARE(notSaved.first().at(1).toString(), u"the disk is full"_s);
    QCOMPARE(failed.size(), 1);
    const QString warning = failed.first().first().toString();
    QVERIFY2(warning.contains(u"the disk is full"_s), qPrintable(warning));
    QVERIFY2(!warning.contains(u"database or disk"_s), qPrintable(warning)); // SQLite's words
}

void tst_MessageStore::ackThenCloseLeavesDelivered()
{
    // The peer acknowledges and closes at once: the ack's Delivered and the closing's
    // back-to-Queued arrive in one pass. Whatever order the two reports take, the last word
    // on the message is Delivered, as on disk.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    const ChatMessage m = message(1, u"out"_s, true, MessageState::Queued);
    store.addOutgoing(m);
    QVERIFY(store.flush());
    QList<MessageState> reported; // every state reported for m, in order
    const auto collect = [&](const QList<ChatMessage> &changed) {
        for (const ChatMessage &c : changed) {
            if (c.id == m.id)
                reported.append(c.state);
        }
    };
    connect(&store, &MessageStore::sentStateChanged, this, collect);
    connect(&store,
            &MessageStore::committed,
            this,
            [&](const QList<ChatMessage> &, const QList<ChatMessage> &changed) {
                collect(changed);
            });
    store.markSent(m);
    QTRY_COMPARE(reported, QList<MessageState>{MessageState::Sent});

    store.setState(m, MessageState::Delivered); // the ack
    store.unsend(Peer);                         // then the connection ends, same pass
    QTRY_VERIFY(reported.contains(MessageState::Delivered));
    bool drained = false; // posted after anything the two calls posted
    QMetaObject::invokeMethod(
        this, [&] { drained = true; }, Qt::QueuedConnection);
    QTRY_VERIFY(drained);
    QCOMPARE(reported.last(), MessageState::Delivered);
    QCOMPARE(store.message(keyOf(m))->state, MessageState::Delivered);
    QVERIFY(!store.hasSent(Peer));
}

void tst_MessageStore::unreadCountsKeptWithTheRows()
{
    // The counts the conversation list starts with are kept with the rows, not counted at
    // start: a message counts once (not again when its sender sends it again), reading it
    // takes it off; and they survive a restart.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const QString carol = QString(64, u'c');
    QList<ChatMessage> fromBob;
    {
        MessageStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        for (int i = 0; i < 3; ++i) {
            fromBob.append(message(i, u"from Bob"_s));
            QVERIFY(store.addReceived(fromBob.last()));
        }
        ChatMessage fromCarol = message(10, u"from Carol"_s);
        fromCarol.peerId = carol;
        QVERIFY(store.addReceived(fromCarol));
        QVERIFY(store.addReceived(fromCarol) == false); // queued already
        store.addOutgoing(message(11, u"ours"_s, true, MessageState::Queued));
        QVERIFY(store.flush());
        QCOMPARE(store.unreadCounts(), (QHash<QString, int>{{Peer, 3}, {carol, 1}}));

        store.setState(fromBob.at(0), MessageState::Read);
        store.setState(fromCarol, MessageState::Read);
        store.setState(fromCarol, MessageState::Read); // once
        QVERIFY(store.flush());
        QCOMPARE(store.unreadCounts(), (QHash<QString, int>{{Peer, 2}}));

        QSignalSpy committed(&store, &MessageStore::committed);
        QVERIFY(store.addReceived(fromBob.at(1))); // sent again: stored before
        QVERIFY(store.flush());
        QCOMPARE(committed.size(), 1);
        QCOMPARE(committed.first().at(3).value<QList<ChatMessage>>().size(), 1); // a duplicate
        store.setState(fromBob.at(1), MessageState::Read);
        QVERIFY(store.flush());
        QCOMPARE(store.unreadCounts(), (QHash<QString, int>{{Peer, 1}}));
    }
    MessageStore again;
    QString error;
    QVERIFY2(again.open(path, &error), qPrintable(error));
    QCOMPARE(again.unreadCounts(), (QHash<QString, int>{{Peer, 1}}));
    QCOMPARE(again.unread(Peer).size(), 1);
}

void tst_MessageStore::throwawayHistoryIsInMemoryAndPrivate()
{
    // ":memory:" is a SQLite in-memory database (no file anywhere), shared by the store's
    // connections, and each store has its own.
    MessageStore a;
    MessageStore b;
    QString error;
    QVERIFY2(a.open(u":memory:"_s, &error), qPrintable(error));
    QVERIFY2(b.open(u":memory:"_s, &error), qPrintable(error));
    QVERIFY(a.isInMemory());
    QSqlQuery q(a.database());
    QVERIFY(q.exec(u"PRAGMA database_list"_s) && q.next());
    QCOMPARE(q.value(2).toString(), QString()); // main's file: none
    q.finish();
    for (int i = 0; i < 20; ++i) // more than the few committed on this thread on disk
        a.addOutgoing(message(i, QString::number(i), true, MessageState::Queued));
    QVERIFY(a.flush());
    QCOMPARE(a.count(Peer), 20);
    QCOMPARE(a.undelivered(Peer).size(), 20);
    QCOMPARE(b.count(Peer), 0);
}

void tst_MessageStore::peersWrittenToAreOnlyThoseWeWroteTo()
{
    // The peers kept room for at start (ConnectionRegistry::addKnownPeer): a stranger who only
    // wrote to us has a conversation, but is not among them.
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const QString stranger = QString(64, u'c');
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    store.add(message(now, u"from Bob"_s));
    store.add(message(now + 1, u"to Bob"_s, true));
    ChatMessage fromStranger = message(now + 2, u"hi"_s);
    fromStranger.peerId = stranger;
    store.add(fromStranger);
    QVERIFY(store.flush());
    QCOMPARE(store.conversationPeers().size(), 2);
    QCOMPARE(store.peersWrittenTo(), QStringList{Peer});
}

void tst_MessageStore::peersRemembered()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    PeerRecord p;
    p.id = Peer;
    p.name = u"Bob"_s;
    p.certificate = "DER";
    p.addresses = {u"127.0.0.1:5"_s, u"[::1]:5"_s};
    p.lastSeen = QDateTime::fromMSecsSinceEpoch(42, Qt::UTC);
    {
        MessageStore store;
        QString error;
        QVERIFY(store.open(path, &error));
        store.savePeer(p);
        p.name = u"Robert"_s;
        store.savePeer(p);
    }
    MessageStore store;
    QString error;
    QVERIFY(store.open(path, &error));
    const auto peers = store.peers();
    QCOMPARE(peers.size(), 1);
    QCOMPARE(peers.first().name, u"Robert"_s);
    QCOMPARE(peers.first().addresses, p.addresses);
    QCOMPARE(peers.first().certificate, QByteArray("DER"));
    QCOMPARE(peers.first().lastSeen, p.lastSeen);
}

void tst_MessageStore::newestPageOfMillionIsFast()
{
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY(store.open(dir.filePath(u"h.sqlite"_s), &error));
    {
        // Bulk-load directly: a million adds through the API would test the loader, not paging.
        QSqlDatabase db = store.database();
        QVERIFY(db.transaction());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"INSERT INTO peer_keys (key, peer_id) VALUES (1, '%1')"_s.arg(Peer)));
        q.prepare(u"INSERT INTO messages (id, peer_key, outgoing, sent_at, received_at, text,"
                  u" state) VALUES (?, 1, ?, ?, ?, ?, 2)"_s);
        for (int i = 0; i < 1'000'000; ++i) {
            q.addBindValue(QUuid::createUuid().toRfc4122());
            q.addBindValue(i % 2);
            q.addBindValue(qint64(i));
            q.addBindValue(qint64(i));
            q.addBindValue(u"message %1"_s.arg(i));
            QVERIFY(q.exec());
        }
        QVERIFY(db.commit());
    }
    QElapsedTimer t;
    t.start();
    const auto page = store.page(Peer, 100);
    const qint64 elapsed = t.elapsed();
    QCOMPARE(page.size(), 100);
    QCOMPARE(page.last().text, u"message 999999"_s);
    // Loose on purpose (the benchmark measures it): a scan of the table would take seconds.
    QVERIFY2(elapsed < 500, QByteArray::number(elapsed));
}

void tst_MessageStore::damagedHistoryReportedAndKept()
{
    // A history whose pages are damaged opens as before, but SQLite's quick_check, run in the
    // background, reports it; the file is left as it is. An intact one reports nothing.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    {
        MessageStore store;
        QString error;
        QSignalSpy checked(&store, &MessageStore::checked);
        QVERIFY(store.open(path, &error));
        for (int i = 0; i < 400; ++i)
            store.add(message(i, u"message %1 "_s.arg(i).repeated(20)));
        QVERIFY(store.flush());
        QTRY_COMPARE(checked.size(), 1);
        QCOMPARE(checked.first().first().toString(), QString()); // intact
    } // closed (after its check): the write-ahead log is in the file
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 pages = file.size() / 4096;
    QVERIFY2(pages > 20, QByteArray::number(pages));
    for (qint64 page = pages / 2; page < pages / 2 + 3; ++page) { // table and index pages
        file.seek(page * 4096);
        file.write(QByteArray(4096, '\xa5'));
    }
    file.close();
    const QByteArray damagedBytes = [&] {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();

    MessageStore store;
    QString error;
    QSignalSpy checked(&store, &MessageStore::checked);
    QVERIFY2(store.open(path, &error), qPrintable(error)); // it starts normally
    QTRY_COMPARE(checked.size(), 1);
    const QString damage = checked.first().first().toString();
    QVERIFY2(damage.startsWith(u"Page "_s), qPrintable(damage)); // "Page 37: btreeInitPage()..."
    qInfo().noquote() << "quick_check said:" << damage;
    // Kept: the same bytes (nothing was written since).
    QFile kept(path);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), damagedBytes);
}

void tst_MessageStore::closingInterruptsTheCheck()
{
    // quick_check reads the whole file (seconds on a cold cache for a big history). Closing
    // the store while it runs interrupts it instead of waiting for it (quitting right after
    // start hung meanwhile), and what it saw so far is not reported as damage.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"big"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QString error;
        QVERIFY2(MessageStore::migrate(db, MessageStore::SchemaVersion, &error), qPrintable(error));
        // 200,000 messages, ~70 MiB: its check takes ~0.1 s here with the file in the cache.
        QSqlQuery q(db);
        QVERIFY(q.exec(u"INSERT INTO peer_keys (key, peer_id) VALUES (1, '%1')"_s.arg(Peer)));
        QVERIFY2(q.exec(u"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                        u" WHERE i < 200000)"
                        u" INSERT INTO messages (id, peer_key, outgoing, sent_at, received_at,"
                        u" text, state, receipt_sent)"
                        u" SELECT randomblob(16), 1, 0, i, i, hex(randomblob(114)), 3, 1"
                        u" FROM n"_s),
                 qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"big"_s);

    auto store = std::make_unique<MessageStore>();
    QSignalSpy checked(store.get(), &MessageStore::checked);
    QString error;
    QVERIFY2(store->open(path, &error), qPrintable(error));
    QVERIFY(QTest::qWaitFor([&] { return store->isChecking(); }, 10000));
    QTest::ignoreMessage(QtInfoMsg, "quick_check interrupted: the history is being closed");
    store.reset();
    QCOMPARE(checked.size(), 0);
}

void tst_MessageStore::textStoredExactly_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("leading BOM") << u"\uFEFFhello"_s;
    QTest::newRow("BOM only") << u"\uFEFF"_s;
    QTest::newRow("two BOMs") << u"\uFEFF\uFEFFx"_s;
    QTest::newRow("swapped BOM") << u"\uFFFEhello"_s;
    QTest::newRow("BOM inside") << u"a\uFEFFb"_s;
    QTest::newRow("NUL inside") << QString(u"a\0b"_s);
    QTest::newRow("emoji") << u"\U0001F600 ok"_s;
}

void tst_MessageStore::textStoredExactly()
{
    // What was sent is what is stored and read back, to the last code unit: SQLite drops a
    // byte-order mark at the start of UTF-16 text handed to it, so the store hands it UTF-8.
    QFETCH(QString, text);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const ChatMessage in = message(1, text);
    const ChatMessage out = message(2, text, true, MessageState::Queued);
    PeerRecord peer{Peer, text, {}, {}, {}};
    {
        MessageStore store;
        QString error;
        QVERIFY(store.open(path, &error));
        QVERIFY(store.addReceived(in));
        store.addOutgoing(out);
        store.savePeer(peer);
        QVERIFY(store.flush());
        QCOMPARE(texts(store.conversation(Peer)), (QStringList{text, text}));
    }
    MessageStore store;
    QString error;
    QVERIFY(store.open(path, &error));
    const auto stored = store.conversation(Peer);
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored.at(0).text.size(), text.size());
    QCOMPARE(stored.at(0).text, text);
    QCOMPARE(stored.at(1).text, text);
    QCOMPARE(store.message(out.id)->text, text);
    QCOMPARE(store.peers().value(0).name, text);
}

void tst_MessageStore::kindAddedToSchema6Rows()
{
    // A schema-6 history (before items had a kind) with a message in every place a read looks:
    // after the migration every row is there as a message (kind Text), through every read, and
    // what waited still waits.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const ChatMessage waiting = message(1000, u"waiting"_s, true, MessageState::Queued);
    const ChatMessage unread = message(2000, u"unread"_s);
    const ChatMessage receiptDue = message(3000, u"receipt due"_s, false, MessageState::Read);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v6"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QString error;
        QVERIFY2(MessageStore::migrate(db, 6, &error), qPrintable(error));
        QSqlQuery q(db);
        QVERIFY(q.exec(u"INSERT INTO peer_keys (key, peer_id) VALUES (1, '%1')"_s.arg(Peer)));
        q.prepare(u"INSERT INTO messages (id, peer_key, outgoing, sent_at, received_at, text,"
                  u" state) VALUES (?, 1, ?, ?, ?, ?, ?)"_s);
        for (const ChatMessage &m : {waiting, unread, receiptDue}) {
            q.addBindValue(m.id.toRfc4122());
            q.addBindValue(m.outgoing);
            q.addBindValue(m.sentAt.toMSecsSinceEpoch());
            q.addBindValue(m.receivedAt.toMSecsSinceEpoch());
            q.addBindValue(m.text);
            q.addBindValue(int(m.state));
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        QVERIFY(q.exec(u"INSERT INTO unread_counts VALUES ('%1', 1)"_s.arg(Peer)));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"v6"_s);

    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QSqlDatabase db = store.database();
    QCOMPARE(MessageStore::schemaVersion(db), MessageStore::SchemaVersion);
    const auto all = store.conversation(Peer);
    QCOMPARE(texts(all), (QStringList{u"waiting"_s, u"unread"_s, u"receipt due"_s}));
    QCOMPARE(kinds(all), QList<MessageKind>(3, MessageKind::Text));
    QCOMPARE(kinds(store.page(Peer, 10)), QList<MessageKind>(3, MessageKind::Text));
    QCOMPARE(store.undelivered(Peer).value(0).kind, MessageKind::Text);
    QCOMPARE(texts(store.undelivered(Peer)), QStringList{u"waiting"_s});
    QVERIFY(store.hasUndelivered(Peer));
    QCOMPARE(texts(store.unread(Peer)), QStringList{u"unread"_s});
    QCOMPARE(texts(store.pendingReceipts(Peer)), QStringList{u"receipt due"_s});
    QCOMPARE(store.message(keyOf(unread))->kind, MessageKind::Text);
    QCOMPARE(store.unreadCounts().value(Peer), 1);
    QVERIFY(store.transfers().isEmpty());
}

void tst_MessageStore::fileItemRoundTrips()
{
    // A file item (a transfer's place in the conversation) is stored with its kind, in either
    // direction, one by one or in a run of adds written in one statement, and read back as a
    // file item after a restart; it counts as unread like a message, and nothing waits to be
    // sent for it.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    QList<ChatMessage> written;
    {
        MessageStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        const ChatMessage ours = fileItem(1, u"holiday.jpg and 2 more"_s, true);
        QVERIFY(store.add(ours));
        QVERIFY(!store.hasUndelivered(Peer)); // queued, but nothing to send
        written.append(ours);
        const ChatMessage text = message(2, u"a message"_s);
        QVERIFY(store.addReceived(text));
        written.append(text);
        QVERIFY(store.flush());
        // A run of received adds (more than go into one INSERT), kinds mixed.
        for (int i = 0; i < 20; ++i) {
            const ChatMessage m = i % 3 == 0 ? fileItem(10 + i, u"file %1"_s.arg(i), false)
                                             : message(10 + i, u"text %1"_s.arg(i));
            QVERIFY(store.addReceived(m));
            written.append(m);
        }
        QVERIFY(store.flush());
        QCOMPARE(kinds(store.conversation(Peer)), kinds(written));
        QVERIFY(!store.hasUndelivered(Peer));
    }
    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    const auto all = store.conversation(Peer);
    QCOMPARE(texts(all), texts(written));
    QCOMPARE(kinds(all), kinds(written));
    QCOMPARE(all.first().state, MessageState::Delivered);
    QVERIFY(all.first().outgoing);
    QCOMPARE(store.message(keyOf(written.first()))->kind, MessageKind::File);
    QCOMPARE(store.message(written.at(2).id)->kind, MessageKind::File);
    QCOMPARE(kinds(store.page(Peer, 3)), kinds(written.mid(written.size() - 3)));
    QVERIFY(store.undelivered(Peer).isEmpty());
    const auto unread = store.unread(Peer);
    QCOMPARE(unread.size(), written.size() - 1); // all theirs
    QCOMPARE(store.unreadCounts().value(Peer), int(written.size() - 1));
    QCOMPARE(unread.first().kind, MessageKind::Text);
    QCOMPARE(unread.at(1).kind, MessageKind::File);
}

void tst_MessageStore::transfersSavedReplacedAndReopened()
{
    // Transfers and their manifests are kept by (ID, peer, direction): saved, found at once,
    // replaced by a later save, every field read back as saved (texts exactly, however odd)
    // after a restart.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const QString carol = QString(64, u'c');
    TransferRecord out;
    out.id = newMessageId();
    out.peerId = Peer;
    out.outgoing = true;
    out.createdAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
    out.name = u"\uFEFFholiday.jpg and 2 more"_s;
    out.size = (qint64(1) << 53);
    out.files = 3;
    out.entries = 4;
    out.folder = true;
    out.manifestHash = QByteArray(32, '\x5a');
    out.sourceDir = u"/home/ann/Pictures \u00e9t\u00e9"_s;
    TransferRecord in = out; // the same ID from another peer, coming to us
    in.peerId = carol;
    in.outgoing = false;
    in.createdAt = out.createdAt.addMSecs(1);
    in.sourceDir.clear();
    in.destination = u"/home/ann/Downloads"_s;
    TransferRecord back = out; // and the same ID back from Bob
    back.outgoing = false;
    back.createdAt = out.createdAt.addMSecs(2);
    back.manifestHash.clear();
    back.name = u"x"_s;
    const QByteArray manifest(300'000, '\x01');
    {
        MessageStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        store.saveTransfer(out);
        store.saveManifest(out.id, out.peerId, true, manifest);
        store.saveTransfer(in);
        store.saveManifest(in.id, in.peerId, false, QByteArray("carol's"));
        store.saveTransfer(back);
        // Queued, not on disk yet: found all the same.
        QCOMPARE(dump(store.transfers()), dump({out, in, back}));
        QCOMPARE(store.manifest(out.id, Peer, true), manifest);
        QVERIFY(store.flush());
        QCOMPARE(dump(store.transfers()), dump({out, in, back}));
        QCOMPARE(store.manifest(out.id, Peer, true), manifest);
        QCOMPARE(store.manifest(in.id, carol, false), QByteArray("carol's"));
        QVERIFY(store.manifest(in.id, carol, true).isEmpty());  // not ours
        QVERIFY(store.manifest(out.id, Peer, false).isEmpty()); // none saved

        // Progress, then the end: each replaces the row.
        out.state = TransferState::Running;
        out.seen = true;
        out.bytesDone = 12345;
        store.saveTransfer(out);
        in.state = TransferState::Failed;
        in.bytesDone = 99;
        in.savedPath = u"/home/ann/Downloads/\uFEFFholiday"_s;
        in.error = u"The disk is full."_s;
        store.saveTransfer(in);
        QCOMPARE(dump(store.transfers()), dump({out, in, back}));
        out.state = TransferState::Done;
        out.bytesDone = out.size;
        store.saveTransfer(out);
        store.saveManifest(in.id, in.peerId, false, QByteArray("replaced"));
        QVERIFY(store.flush());
    }
    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QCOMPARE(dump(store.transfers()), dump({out, in, back}));
    QCOMPARE(store.transfers().at(1).savedPath, in.savedPath);
    QCOMPARE(store.manifest(out.id, Peer, true), manifest);
    QCOMPARE(store.manifest(in.id, carol, false), QByteArray("replaced"));
    QSqlQuery q(store.database());
    QVERIFY(q.exec(u"SELECT COUNT(*) FROM transfers"_s) && q.next());
    QCOMPARE(q.value(0).toInt(), 3);
}

void tst_MessageStore::fullDiskFailsTransferWriteAlone()
{
    // The disk fills while a manifest (large) is written in one batch with messages (small,
    // in the room the file has): the manifest's write fails and is reported, the messages
    // beside it are stored and reported, and the transfer's record reads as it was on disk.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    TransferRecord t;
    t.id = newMessageId();
    t.peerId = Peer;
    t.outgoing = true;
    t.createdAt = QDateTime::fromMSecsSinceEpoch(1000, Qt::UTC);
    t.name = u"big.iso"_s;
    store.saveTransfer(t);
    // Room in the file for small writes: a long message written, then taken back.
    const ChatMessage roomy = message(1, QString(20000, u'x'), true, MessageState::Queued);
    store.addOutgoing(roomy);
    QVERIFY(store.flush());
    store.remove(roomy.id);
    QVERIFY(store.flush());
    store.setGrowthLimited(true); // as on a full disk

    QSignalSpy failed(&store, &MessageStore::errorOccurred);
    QSignalSpy notSaved(&store, &MessageStore::notSaved);
    QList<ChatMessage> reported;
    connect(&store, &MessageStore::committed, this, [&](const QList<ChatMessage> &added) {
        reported += added;
    });
    const ChatMessage before = message(2, u"before"_s);
    const ChatMessage after = message(3, u"after"_s, true, MessageState::Queued);
    QVERIFY(store.addReceived(before));
    store.saveManifest(t.id, Peer, true, QByteArray(1 << 20, '\x02'));
    TransferRecord running = t;
    running.state = TransferState::Running;
    store.saveTransfer(running);
    store.addOutgoing(after);
    QVERIFY(!store.flush());
    QCOMPARE(failed.size(), 1);
    const QString warning = failed.first().first().toString();
    QVERIFY2(warning.contains(u"the disk is full"_s), qPrintable(warning));
    QVERIFY(notSaved.isEmpty()); // no message was lost
    QCOMPARE(texts(reported), (QStringList{u"before"_s, u"after"_s}));
    QCOMPARE(texts(store.conversation(Peer)), (QStringList{u"before"_s, u"after"_s}));
    QVERIFY(store.manifest(t.id, Peer, true).isEmpty());
    QCOMPARE(dump(store.transfers()), QStringList{dump(running)});

    store.setGrowthLimited(false);
    store.saveManifest(t.id, Peer, true, QByteArray(1 << 20, '\x02'));
    QVERIFY(store.flush());
    QCOMPARE(store.manifest(t.id, Peer, true).size(), 1 << 20);
}

QTEST_GUILESS_MAIN(tst_MessageStore)
#include "tst_messagestore.moc"
