// SPDX-License-Identifier: GPL-3.0-or-later
// History search (issue 15): the full-text index kept with the history, what a query finds,
// and the background fill of an older history.
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Alice = QString(64, u'a');
const QString Bob = QString(64, u'b');
const QString Group = u"0123456789abcdef0123456789abcdef"_s;

ChatMessage message(const QString &peer,
                    const QString &text,
                    bool outgoing = false,
                    MessageKind kind = MessageKind::Text)
{
    ChatMessage m;
    m.id = newMessageId();
    m.peerId = peer;
    m.outgoing = outgoing;
    m.sentAt = QDateTime::currentDateTimeUtc();
    m.receivedAt = m.sentAt;
    m.text = text;
    m.kind = kind;
    m.state = outgoing && kind == MessageKind::Text ? MessageState::Queued
                                                    : MessageState::Delivered;
    return m;
}

QStringList texts(const QList<ChatMessage> &rows)
{
    QStringList out;
    for (const ChatMessage &m : rows)
        out.append(m.text);
    return out;
}

// The index holds exactly the rows it should: every text row above the watermark (the rows
// below it wait for the fill), none deleted, no group event. (FTS5's 'integrity-check' would
// compare it with every row of messages, and the index leaves some out on purpose.)
bool indexIntact(QSqlDatabase db, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(u"CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_instances"
                u" USING fts5vocab(main, search_index, instance)"_s)) {
        *error = q.lastError().text();
        return false;
    }
    const auto seqs = [&](const QString &sql) {
        QList<qint64> out;
        if (!q.exec(sql))
            *error = q.lastError().text();
        while (q.next())
            out.append(q.value(0).toLongLong());
        q.finish();
        return out;
    };
    const QList<qint64> indexed = seqs(
        u"SELECT DISTINCT doc FROM temp.search_instances ORDER BY doc"_s);
    const QList<qint64> expected = seqs(
        u"SELECT seq FROM messages WHERE kind <> 2"
        u" AND seq > (SELECT unindexed_max FROM search_fill)"
        u" AND seq <= (SELECT indexed_top FROM search_fill) ORDER BY seq"_s);
    if (!error->isEmpty())
        return false;
    if (indexed != expected) {
        *error = u"%1 rows indexed, %2 expected"_s.arg(indexed.size()).arg(expected.size());
        return false;
    }
    return true;
}

qint64 watermark(QSqlDatabase db)
{
    QSqlQuery q(db);
    return q.exec(u"SELECT unindexed_max FROM search_fill"_s) && q.next() ? q.value(0).toLongLong()
                                                                          : -1;
}

// A history of schema 8, as the Shoal before search left it: `count` messages with Bob,
// "old message N" (N from 1), and a group event.
void makeSchema8History(const QString &path, int count)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v8"_s);
    db.setDatabaseName(path);
    QVERIFY(db.open());
    QString error;
    QVERIFY2(MessageStore::migrate(db, 8, &error), qPrintable(error));
    QCOMPARE(MessageStore::schemaVersion(db), 8);
    QSqlQuery q(db);
    QVERIFY(q.exec(
        u"INSERT INTO peer_keys (key, peer_id) VALUES (1, '%1'), (2, '%2')"_s.arg(Bob, Group)));
    QVERIFY(db.transaction());
    QVERIFY(q.prepare(u"INSERT INTO messages (id, peer_key, outgoing, sent_at, received_at, text,"
                      u" state, kind, author) VALUES (?, ?, 0, ?, ?, ?, 2, ?, ?)"_s));
    for (int i = 1; i <= count; ++i) {
        q.addBindValue(newMessageId().toRfc4122());
        q.addBindValue(1);
        q.addBindValue(qint64(i) * 1000);
        q.addBindValue(qint64(i) * 1000);
        q.addBindValue(u"old message %1 午饭"_s.arg(i).toUtf8());
        q.addBindValue(0);
        q.addBindValue(QVariant());
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }
    q.addBindValue(newMessageId().toRfc4122());
    q.addBindValue(2);
    q.addBindValue(qint64(count + 1) * 1000);
    q.addBindValue(qint64(count + 1) * 1000);
    q.addBindValue(u"{\"created\":\"old message\"}"_s.toUtf8());
    q.addBindValue(int(MessageKind::GroupEvent));
    q.addBindValue(Alice);
    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    QVERIFY(db.commit());
    q.finish();
    db.close();
}

} // namespace

class tst_Search : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chineseWithoutSpaces_data();
    void chineseWithoutSpaces();
    void englishIgnoresCaseFindsWholeWords_data();
    void englishIgnoresCaseFindsWholeWords();
    void oneConversationOrAll();
    void newestFirstUpToTheLimit();
    void queryIsNeverSyntax_data();
    void queryIsNeverSyntax();
    void nothingToSearchForIsAnError();
    void deletedMessagesAreNotFound();
    void groupMessagesAndFileNamesFound();
    void aroundAHit();
    void schema8HistoryIndexedInTheBackground();
    void killedFillResumes();
    void deletedWhileFillingStaysIntact();
};

namespace {
// One store in memory with the messages of the Chinese and English tests.
struct Fixture
{
    MessageStore store;
    Fixture()
    {
        QString error;
        if (!store.open(u":memory:"_s, &error))
            qFatal("%s", qPrintable(error));
        for (const QString &text : {u"午饭一起吃吗？"_s,
                                    u"今天下午三点开会"_s,
                                    u"我们去吃午饭吧"_s,
                                    u"Hello World"_s,
                                    u"say HELLO to the team"_s,
                                    u"helicopter tour"_s,
                                    u"shell script"_s,
                                    u"メッセージを送りました"_s})
            store.add(message(Bob, text));
        store.flush();
    }
};
} // namespace

void tst_Search::chineseWithoutSpaces_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("found"); // newest first
    QTest::newRow("1 character") << u"饭"_s
                                 << QStringList{u"我们去吃午饭吧"_s, u"午饭一起吃吗？"_s};
    QTest::newRow("2 characters") << u"午饭"_s
                                  << QStringList{u"我们去吃午饭吧"_s, u"午饭一起吃吗？"_s};
    QTest::newRow("3 characters") << u"午饭一"_s << QStringList{u"午饭一起吃吗？"_s};
    QTest::newRow("4 characters, mid-text") << u"下午三点"_s << QStringList{u"今天下午三点开会"_s};
    QTest::newRow("not next to each other") << u"午吃"_s << QStringList{};
    QTest::newRow("with punctuation") << u"吃吗？"_s << QStringList{u"午饭一起吃吗？"_s};
    QTest::newRow("Japanese") << u"送り"_s << QStringList{u"メッセージを送りました"_s};
}

void tst_Search::chineseWithoutSpaces()
{
    QFETCH(QString, query);
    QFETCH(QStringList, found);
    Fixture f;
    QString error;
    QCOMPARE(texts(f.store.search(query, {}, 10, &error)), found);
    QVERIFY(error.isEmpty());
}

void tst_Search::englishIgnoresCaseFindsWholeWords_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("found");
    QTest::newRow("lower") << u"hello"_s
                           << QStringList{u"say HELLO to the team"_s, u"Hello World"_s};
    QTest::newRow("upper") << u"WORLD"_s << QStringList{u"Hello World"_s};
    // Whole words: a prefix query would read every matching term's whole doclist.
    QTest::newRow("not a prefix") << u"hel"_s << QStringList{};
    QTest::newRow("not inside a word") << u"ell"_s << QStringList{};
    QTest::newRow("phrase") << u"hello world"_s << QStringList{u"Hello World"_s};
    QTest::newRow("phrase, last word cut") << u"hello wo"_s << QStringList{};
    QTest::newRow("words out of order") << u"world hello"_s << QStringList{};
    QTest::newRow("a whole word after a space") << u"shell "_s << QStringList{u"shell script"_s};
}

void tst_Search::englishIgnoresCaseFindsWholeWords()
{
    QFETCH(QString, query);
    QFETCH(QStringList, found);
    Fixture f;
    QString error;
    QCOMPARE(texts(f.store.search(query, {}, 10, &error)), found);
    QVERIFY(error.isEmpty());
}

void tst_Search::oneConversationOrAll()
{
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    store.add(message(Alice, u"lunch with alice"_s));
    store.add(message(Bob, u"lunch with bob"_s, true));
    store.add(message(Bob, u"17 apples"_s)); // a text with her key (1) is not hers
    QVERIFY(store.flush());
    QCOMPARE(texts(store.search(u"lunch"_s, {}, 10, &error)),
             (QStringList{u"lunch with bob"_s, u"lunch with alice"_s}));
    QCOMPARE(texts(store.search(u"lunch"_s, Alice, 10, &error)), QStringList{u"lunch with alice"_s});
    QCOMPARE(texts(store.search(u"lunch"_s, Bob, 10, &error)), QStringList{u"lunch with bob"_s});
    QCOMPARE(texts(store.search(u"apples"_s, Alice, 10, &error)), QStringList{});
    QCOMPARE(texts(store.search(u"lunch"_s, QString(64, u'c'), 10, &error)), QStringList{});
    QVERIFY(error.isEmpty());
    const ChatMessage hit = store.search(u"bob"_s, {}, 10, &error).value(0);
    QCOMPARE(hit.peerId, Bob);
    QVERIFY(hit.outgoing);
}

void tst_Search::newestFirstUpToTheLimit()
{
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    for (int i = 0; i < 30; ++i)
        store.add(message(i % 2 ? Alice : Bob, u"note %1"_s.arg(i)));
    QVERIFY(store.flush());
    QCOMPARE(texts(store.search(u"note"_s, {}, 3, &error)),
             (QStringList{u"note 29"_s, u"note 28"_s, u"note 27"_s}));
    QCOMPARE(texts(store.search(u"note"_s, Bob, 3, &error)),
             (QStringList{u"note 28"_s, u"note 26"_s, u"note 24"_s}));
    QCOMPARE(store.search(u"note"_s, {}, 100, &error).size(), 30);
}

void tst_Search::queryIsNeverSyntax_data()
{
    // What FTS5 would read as its syntax is searched for as text: found where the text is,
    // never an error, never everything.
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("found");
    QTest::newRow("quote") << u"\""_s << QStringList{u"she said \"no\""_s};
    QTest::newRow("quoted word") << u"\"no\""_s << QStringList{u"she said \"no\""_s};
    QTest::newRow("star") << u"*"_s << QStringList{u"2 * 3"_s};
    QTest::newRow("NEAR(") << u"NEAR("_s << QStringList{u"near(by) the sea"_s};
    QTest::newRow("minus") << u"-"_s << QStringList{u"a - b"_s};
    QTest::newRow("OR") << u"cats OR dogs"_s << QStringList{};
    QTest::newRow("AND alone") << u"AND"_s << QStringList{u"this and that"_s};
    QTest::newRow("column filter") << u"text:"_s << QStringList{};
    QTest::newRow("peer_key column") << u"peer_key : 1"_s << QStringList{};
    QTest::newRow("caret") << u"^she"_s << QStringList{};
    QTest::newRow("braces") << u"{text}"_s << QStringList{};
    QTest::newRow("parentheses") << u"(by)"_s << QStringList{u"near(by) the sea"_s};
    QTest::newRow("NUL") << u"a\0b"_s << QStringList{};
    QTest::newRow("C++") << u"c++"_s << QStringList{u"C++ is hard"_s};
}

void tst_Search::queryIsNeverSyntax()
{
    QFETCH(QString, query);
    QFETCH(QStringList, found);
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    for (const QString &text : {u"she said \"no\""_s,
                                u"2 * 3"_s,
                                u"near(by) the sea"_s,
                                u"a - b"_s,
                                u"cats dogs"_s,
                                u"this and that"_s,
                                u"C++ is hard"_s})
        store.add(message(Bob, text));
    QVERIFY(store.flush());
    QCOMPARE(texts(store.search(query, {}, 10, &error)), found);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_Search::nothingToSearchForIsAnError()
{
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    store.add(message(Bob, u"anything"_s));
    QVERIFY(store.flush());
    for (const QString &query : {u""_s, u"   "_s, u"\t\n"_s, u"\u200b"_s}) {
        error.clear();
        QCOMPARE(store.search(query, {}, 10, &error).size(), 0);
        QVERIFY(!error.isEmpty());
    }
}

void tst_Search::deletedMessagesAreNotFound()
{
    // A waiting message taken back, and a row deleted by plain SQL (what "delete for me" does):
    // no longer found, and the index stays intact.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    const ChatMessage waiting = message(Bob, u"take this back"_s, true);
    const ChatMessage received = message(Bob, u"forget this"_s);
    store.add(waiting);
    store.add(received);
    store.add(message(Bob, u"keep this"_s));
    QVERIFY(store.flush());
    QCOMPARE(store.search(u"this"_s, {}, 10, &error).size(), 3);
    store.remove(waiting.id);
    QVERIFY(store.flush());
    QSqlQuery q(store.database());
    QVERIFY(q.prepare(u"DELETE FROM messages WHERE id = ?"_s));
    q.addBindValue(received.id.toRfc4122());
    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    QCOMPARE(texts(store.search(u"this"_s, {}, 10, &error)), QStringList{u"keep this"_s});
    QVERIFY2(indexIntact(store.database(), &error), qPrintable(error));
}

void tst_Search::groupMessagesAndFileNamesFound()
{
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    ChatMessage inGroup = message(Group, u"group lunch at noon"_s);
    inGroup.author = Alice;
    ChatMessage event
        = message(Group, u"{\"renamed\":\"lunch club\"}"_s, false, MessageKind::GroupEvent);
    event.author = Alice;
    store.add(inGroup);
    store.add(event);
    store.add(message(Bob, u"lunch-menu.pdf"_s, false, MessageKind::File));
    QVERIFY(store.flush());
    const QList<ChatMessage> hits = store.search(u"lunch"_s, {}, 10, &error);
    QCOMPARE(texts(hits), (QStringList{u"lunch-menu.pdf"_s, u"group lunch at noon"_s}));
    QCOMPARE(hits.at(0).kind, MessageKind::File);
    QCOMPARE(hits.at(1).author, Alice);
    QCOMPARE(texts(store.search(u"lunch"_s, Group, 10, &error)),
             QStringList{u"group lunch at noon"_s});
    QCOMPARE(texts(store.search(u"renamed"_s, {}, 10, &error)), QStringList{});
}

void tst_Search::aroundAHit()
{
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    QList<ChatMessage> bobs;
    for (int i = 0; i < 10; ++i) {
        bobs.append(message(Bob, u"bob %1"_s.arg(i)));
        store.add(bobs.last());
        store.add(message(Alice, u"alice %1"_s.arg(i)));
    }
    QVERIFY(store.flush());
    QCOMPARE(texts(store.historyAround(Bob, bobs.at(5).id, 2, 3)),
             (QStringList{u"bob 3"_s, u"bob 4"_s, u"bob 5"_s, u"bob 6"_s, u"bob 7"_s, u"bob 8"_s}));
    QCOMPARE(texts(store.historyAround(Bob, bobs.at(1).id, 5, 0)),
             (QStringList{u"bob 0"_s, u"bob 1"_s}));
    QCOMPARE(texts(store.historyAround(Bob, bobs.at(9).id, 1, 5)),
             (QStringList{u"bob 8"_s, u"bob 9"_s}));
    QVERIFY(store.historyAround(Alice, bobs.at(5).id, 2, 2).isEmpty());
    QVERIFY(store.historyAround(Bob, QUuid::createUuid(), 2, 2).isEmpty());
}

void tst_Search::schema8HistoryIndexedInTheBackground()
{
    // An existing history: opening it does not index it (the window would wait); a thread does,
    // newest first, with progress, and search finds the old messages once it is done.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    constexpr int Old = 3 * int(SearchTable::MaxFillSeqs) + 100;
    makeSchema8History(path, Old);
    QSqlDatabase::removeDatabase(u"v8"_s);

    MessageStore store;
    store.setSearchFillLimit(1); // one chunk, then stop: what search finds meanwhile
    QSignalSpy progress(&store, &MessageStore::searchIndexProgress);
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QSqlDatabase db = store.database();
    QCOMPARE(MessageStore::schemaVersion(db), MessageStore::SchemaVersion);
    QVERIFY(!store.searchIndexReady());
    QVERIFY(progress.wait(5000));
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(Old + 1));
    QVERIFY(progress.last().at(0).toLongLong() < Old);
    QVERIFY(!store.searchIndexReady());
    // Newest first: the newest is found, the oldest not yet.
    QCOMPARE(texts(store.search(u"message %1"_s.arg(Old), Bob, 10, &error)),
             QStringList{u"old message %1 午饭"_s.arg(Old)});
    QVERIFY(store.search(u"message 1 "_s, Bob, 10, &error).isEmpty());
    // A message written meanwhile is indexed with it.
    store.add(message(Bob, u"new message 午饭"_s));
    QVERIFY(store.flush());
    QCOMPARE(texts(store.search(u"new message"_s, {}, 10, &error)),
             QStringList{u"new message 午饭"_s});
}

void tst_Search::killedFillResumes()
{
    // The fill stopped after a chunk, as by a kill: the next start goes on from its watermark,
    // indexes every message once, and says so.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    constexpr int Old = 3 * int(SearchTable::MaxFillSeqs) + 100;
    makeSchema8History(path, Old);
    QSqlDatabase::removeDatabase(u"v8"_s);
    qint64 stoppedAt = 0;
    {
        MessageStore store;
        store.setSearchFillLimit(2);
        QSignalSpy progress(&store, &MessageStore::searchIndexProgress);
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(watermark(store.database()),
                                  qint64(Old + 1) - 2 * SearchTable::MaxFillSeqs,
                                  10000);
        stoppedAt = watermark(store.database());
    }
    MessageStore store;
    QSignalSpy progress(&store, &MessageStore::searchIndexProgress);
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QVERIFY(!store.searchIndexReady());
    QTRY_VERIFY_WITH_TIMEOUT(store.searchIndexReady(), 20000);
    QVERIFY(stoppedAt > 0);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toLongLong(), qint64(Old + 1));
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(Old + 1));
    QCOMPARE(watermark(store.database()), 0);
    QCOMPARE(store.search(u"午饭"_s, {}, Old + 10, &error).size(), Old);
    QCOMPARE(texts(store.search(u"message 1 "_s, Bob, 10, &error)),
             QStringList{u"old message 1 午饭"_s});
    QVERIFY(store.search(u"created"_s, {}, 10, &error).isEmpty()); // the group event
    QVERIFY2(indexIntact(store.database(), &error), qPrintable(error));
    // Ready at once at the next start.
    MessageStore again;
    QVERIFY2(again.open(path, &error), qPrintable(error));
    QVERIFY(again.searchIndexReady());
}

void tst_Search::deletedWhileFillingStaysIntact()
{
    // Rows deleted before the fill reaches them and after it passed: neither is found, and the
    // index holds exactly the rest.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    constexpr int Old = 2 * int(SearchTable::MaxFillSeqs) + 10;
    makeSchema8History(path, Old);
    QSqlDatabase::removeDatabase(u"v8"_s);
    {
        MessageStore store;
        store.setSearchFillLimit(1);
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(watermark(store.database()) < Old, 10000);
        QSqlQuery q(store.database());
        // seq 1 not indexed yet, seq Old indexed.
        QVERIFY2(q.exec(u"DELETE FROM messages WHERE seq IN (1, %1)"_s.arg(Old)),
                 qPrintable(q.lastError().text()));
        QVERIFY2(indexIntact(store.database(), &error), qPrintable(error));
    }
    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(store.searchIndexReady(), 20000);
    QCOMPARE(store.search(u"午饭"_s, {}, Old + 10, &error).size(), Old - 2);
    QVERIFY(store.search(u"message 1 "_s, {}, 10, &error).isEmpty());
    QVERIFY(store.search(u"message %1"_s.arg(Old), {}, 10, &error).isEmpty());
    QVERIFY2(indexIntact(store.database(), &error), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_Search)
#include "tst_search.moc"
