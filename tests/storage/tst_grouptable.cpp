// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/messagestore.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;

namespace {

const QString Group = u"0123456789abcdef0123456789abcdef"_s;
const QString OtherGroup = u"fedcba9876543210fedcba9876543210"_s;
const QString Alice = QString(64, u'a');
const QString Bob = QString(64, u'b');
const QString Carol = QString(64, u'c');

// A message of `author` in `group` (its body names it, so that replays can be told apart).
GroupMessageRecord record(const QString &author,
                          qint64 seq,
                          qint64 lc,
                          int kind = 0,
                          const QString &group = Group,
                          const QByteArray &extra = {})
{
    GroupMessageRecord r;
    r.group = group;
    r.author = author;
    r.seq = seq;
    r.lc = lc;
    r.kind = kind;
    r.body = u"%1/%2/%3"_s.arg(author.left(1)).arg(seq).arg(lc).toUtf8() + extra;
    r.sig = QByteArray(64, char('s' + seq % 3));
    r.link = QCryptographicHash::hash(r.body + r.sig, QCryptographicHash::Sha256);
    return r;
}

GroupReceiptRecord receipt(const QString &member,
                           const QString &author,
                           qint64 delivered,
                           qint64 read)
{
    GroupReceiptRecord r;
    r.group = Group;
    r.member = member;
    r.author = author;
    r.delivered = delivered;
    r.read = read;
    r.body = u"%1 %2"_s.arg(delivered).arg(read).toUtf8();
    r.sig = QByteArray(70, 'r');
    return r;
}

// The conversation row a group message is shown as.
ChatMessage row(const GroupMessageRecord &r, bool outgoing, const QString &text)
{
    ChatMessage m;
    m.id = QUuid::createUuid();
    m.peerId = r.group;
    m.author = r.author;
    m.outgoing = outgoing;
    m.sentAt = QDateTime::fromMSecsSinceEpoch(1000 * r.lc, Qt::UTC);
    m.receivedAt = m.sentAt;
    m.text = text;
    // Ours: its members' receipts say where it is, never the 1:1 queue.
    m.state = MessageState::Delivered;
    return m;
}

ChatMessage oneToOne(const QString &peer, const QString &text, bool outgoing)
{
    ChatMessage m;
    m.id = newMessageId();
    m.peerId = peer;
    m.outgoing = outgoing;
    m.sentAt = QDateTime::currentDateTimeUtc();
    m.receivedAt = m.sentAt;
    m.text = text;
    m.state = outgoing ? MessageState::Queued : MessageState::Delivered;
    return m;
}

// Every field, so that a comparison that fails says which.
QString dump(const GroupMessageRecord &r)
{
    return u"%1 %2/%3 lc=%4 k=%5 body=%6 sig=%7 link=%8"_s.arg(r.group, r.author.left(4))
        .arg(r.seq)
        .arg(r.lc)
        .arg(r.kind)
        .arg(QString::fromLatin1(r.body.toHex()),
             QString::fromLatin1(r.sig.toHex()),
             QString::fromLatin1(r.link.toHex()));
}

QStringList dump(const QList<GroupMessageRecord> &records)
{
    QStringList out;
    for (const GroupMessageRecord &r : records)
        out.append(dump(r));
    return out;
}

QString dump(const GroupReceiptRecord &r)
{
    return u"%1 %2 by %3: d=%4 r=%5 body=%6 sig=%7"_s
        .arg(r.group, r.author.left(4), r.member.left(4))
        .arg(r.delivered)
        .arg(r.read)
        .arg(QString::fromLatin1(r.body.toHex()), QString::fromLatin1(r.sig.toHex()));
}

QStringList dump(const QList<GroupReceiptRecord> &receipts)
{
    QStringList out;
    for (const GroupReceiptRecord &r : receipts)
        out.append(dump(r));
    return out;
}

// "author/seq" of each, in order: what a page holds.
QStringList keys(const QList<GroupMessageRecord> &records)
{
    QStringList out;
    for (const GroupMessageRecord &r : records)
        out.append(u"%1/%2"_s.arg(r.author.left(1)).arg(r.seq));
    return out;
}

QStringList texts(const QList<ChatMessage> &messages)
{
    QStringList out;
    for (const ChatMessage &m : messages)
        out.append(m.text);
    return out;
}

} // namespace

class tst_GroupTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesSurviveReopen();
    void replayKeepsTheFirst();
    void receiptsKeepTheHigherNumbers();
    void headsPerAuthor();
    void afterInLamportOrderFromEachHead();
    void afterStopsAtEitherLimit();
    void afterOfTenThousandIsFast();
    void groupRowsAreNotPeers();
    void failedGroupWriteFailsAlone();
    void groupMessageAndRowNeverSplit();
    void migratedFromSchema7();
};

void tst_GroupTable::writesSurviveReopen()
{
    // A group's messages, their conversation rows (with their author) and receipts are on disk
    // once committed, and read back after a restart as they were written.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const GroupMessageRecord create = record(Alice, 1, 1, 1);
    const GroupMessageRecord text = record(Bob, 1, 2);
    const GroupReceiptRecord seen = receipt(Bob, Alice, 1, 1);
    const ChatMessage shown = row(text, false, u"hello"_s);
    {
        MessageStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        store.saveGroupMessage(create);
        store.saveGroupMessage(text);
        QVERIFY(store.addReceived(shown));
        store.saveGroupReceipt(seen);
        // Queued, not yet on disk: read back all the same.
        QCOMPARE(store.groupIds(), QStringList{Group});
        QCOMPARE(dump(store.groupMessage(Group, Bob, 1).value_or(GroupMessageRecord{})), dump(text));
        QCOMPARE(dump(store.groupReceipts(Group)), QStringList{dump(seen)});
        QVERIFY(store.flush());
    }
    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QCOMPARE(store.groupIds(), QStringList{Group});
    QCOMPARE(dump(store.groupMessage(Group, Alice, 1).value_or(GroupMessageRecord{})), dump(create));
    QCOMPARE(dump(store.groupMessage(Group, Bob, 1).value_or(GroupMessageRecord{})), dump(text));
    QVERIFY(!store.groupMessage(Group, Bob, 2));
    QVERIFY(!store.groupMessage(OtherGroup, Bob, 1));
    QCOMPARE(dump(store.groupMembership(Group)), QStringList{dump(create)});
    QCOMPARE(dump(store.groupReceipts(Group)), QStringList{dump(seen)});
    const QList<ChatMessage> conversation = store.conversation(Group);
    QCOMPARE(texts(conversation), QStringList{u"hello"_s});
    QCOMPARE(conversation.first().author, Bob);
    QCOMPARE(store.message(keyOf(shown))->author, Bob);
    QCOMPARE(store.page(Group, 10).value(0).author, Bob);
}

void tst_GroupTable::replayKeepsTheFirst()
{
    // A (group, author, seq) held keeps the message first stored: a replay with other bytes,
    // queued in the same pass or after the commit, changes nothing.
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    const GroupMessageRecord first = record(Alice, 1, 1);
    const GroupMessageRecord replay = record(Alice, 1, 7, 0, Group, "forged");
    store.saveGroupMessage(first);
    store.saveGroupMessage(replay);
    QCOMPARE(dump(store.groupMessage(Group, Alice, 1).value_or(GroupMessageRecord{})), dump(first));
    QVERIFY(store.flush());
    QCOMPARE(dump(store.groupMessage(Group, Alice, 1).value_or(GroupMessageRecord{})), dump(first));
    store.saveGroupMessage(replay);
    QCOMPARE(dump(store.groupMessage(Group, Alice, 1).value_or(GroupMessageRecord{})), dump(first));
    QCOMPARE(store.groupHeads(Group).value(Alice).lc, 1);
    QVERIFY(store.flush());
    QCOMPARE(dump(store.groupMessage(Group, Alice, 1).value_or(GroupMessageRecord{})), dump(first));
    QCOMPARE(dump(store.groupMessagesAfter(Group, {}, 10, 1 << 20)), QStringList{dump(first)});
}

void tst_GroupTable::receiptsKeepTheHigherNumbers()
{
    // Per (member, author), the receipt with the highest delivered, then read, is kept whole
    // (its body and signature with it), whatever order they come in, queued or on disk.
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    const GroupReceiptRecord high = receipt(Bob, Alice, 5, 2);
    store.saveGroupReceipt(high);
    store.saveGroupReceipt(receipt(Bob, Alice, 3, 3)); // older: fewer delivered
    QCOMPARE(dump(store.groupReceipts(Group)), QStringList{dump(high)});
    QVERIFY(store.flush());
    QCOMPARE(dump(store.groupReceipts(Group)), QStringList{dump(high)});
    store.saveGroupReceipt(receipt(Bob, Alice, 5, 1));
    QVERIFY(store.flush());
    QCOMPARE(dump(store.groupReceipts(Group)), QStringList{dump(high)});

    const GroupReceiptRecord read = receipt(Bob, Alice, 5, 4);
    const GroupReceiptRecord carols = receipt(Carol, Alice, 1, 0);
    const GroupReceiptRecord forBob = receipt(Alice, Bob, 2, 0);
    store.saveGroupReceipt(read);
    store.saveGroupReceipt(carols);
    store.saveGroupReceipt(forBob);
    const QStringList expected{dump(forBob), dump(read), dump(carols)}; // by member, author
    QCOMPARE(dump(store.groupReceipts(Group)), expected);
    QVERIFY(store.flush());
    QCOMPARE(dump(store.groupReceipts(Group)), expected);
    QVERIFY(store.groupReceipts(OtherGroup).isEmpty());
}

void tst_GroupTable::headsPerAuthor()
{
    // Per author, the newest message held: its seq, lc and link (the next one's p), queued or
    // on disk; a group's heads are its own.
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    QVERIFY(store.groupHeads(Group).isEmpty());
    const QList<GroupMessageRecord> written{record(Alice, 1, 1, 1),
                                            record(Bob, 1, 2),
                                            record(Alice, 2, 3),
                                            record(Bob, 2, 5),
                                            record(Alice, 3, 6),
                                            record(Carol, 1, 1, 0, OtherGroup)};
    for (const GroupMessageRecord &r : written)
        store.saveGroupMessage(r);
    auto check = [&] {
        const QHash<QString, GroupHead> heads = store.groupHeads(Group);
        QCOMPARE(heads.size(), 2);
        QCOMPARE(heads.value(Alice).seq, 3);
        QCOMPARE(heads.value(Alice).lc, 6);
        QCOMPARE(heads.value(Alice).link, written.at(4).link);
        QCOMPARE(heads.value(Bob).seq, 2);
        QCOMPARE(heads.value(Bob).lc, 5);
        QCOMPARE(heads.value(Bob).link, written.at(3).link);
        QCOMPARE(store.groupHeads(OtherGroup).value(Carol).seq, 1);
    };
    check();
    QVERIFY(store.flush());
    check();
    QCOMPARE(store.groupIds(), (QStringList{Group, OtherGroup}));
    // A head queued above the one on disk.
    const GroupMessageRecord next = record(Bob, 3, 7);
    store.saveGroupMessage(next);
    QCOMPARE(store.groupHeads(Group).value(Bob).link, next.link);
    QCOMPARE(store.groupHeads(Group).value(Alice).seq, 3);
}

void tst_GroupTable::afterInLamportOrderFromEachHead()
{
    // What a member lacks: every message above its head per author (from seq 1 for an author
    // it has nothing of), in (lc, author, seq) order; ties on lc go by author.
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    for (const GroupMessageRecord &r : {record(Alice, 1, 1, 1),
                                        record(Alice, 2, 2),
                                        record(Bob, 1, 2),
                                        record(Carol, 1, 3),
                                        record(Bob, 2, 4, 2),
                                        record(Alice, 3, 4),
                                        record(Carol, 2, 4),
                                        record(Bob, 3, 9),
                                        record(Alice, 4, 10),
                                        record(Carol, 1, 1, 0, OtherGroup)})
        store.saveGroupMessage(r);
    QVERIFY(store.flush());
    QCOMPARE(keys(store.groupMessagesAfter(Group, {}, 100, 1 << 20)),
             (QStringList{u"a/1"_s,
                          u"a/2"_s,
                          u"b/1"_s,
                          u"c/1"_s,
                          u"a/3"_s,
                          u"b/2"_s,
                          u"c/2"_s,
                          u"b/3"_s,
                          u"a/4"_s}));
    QCOMPARE(keys(store.groupMessagesAfter(Group, {{Alice, 2}, {Bob, 1}}, 100, 1 << 20)),
             (QStringList{u"c/1"_s, u"a/3"_s, u"b/2"_s, u"c/2"_s, u"b/3"_s, u"a/4"_s}));
    QCOMPARE(keys(store.groupMessagesAfter(Group, {{Alice, 4}, {Bob, 3}, {Carol, 1}}, 100, 1 << 20)),
             QStringList{u"c/2"_s});
    // Heads at or above what is held, and an author never heard of: nothing.
    QVERIFY(
        store
            .groupMessagesAfter(Group, {{Alice, 9}, {Bob, 3}, {Carol, 2}, {Group, 5}}, 100, 1 << 20)
            .isEmpty());
    // Whole records, and only the group's.
    QCOMPARE(dump(store.groupMessagesAfter(Group, {{Alice, 3}, {Bob, 3}, {Carol, 2}}, 10, 1 << 20)),
             QStringList{dump(record(Alice, 4, 10))});
    QCOMPARE(keys(store.groupMessagesAfter(OtherGroup, {}, 10, 1 << 20)), QStringList{u"c/1"_s});
    // Membership messages only, in the same order.
    QCOMPARE(keys(store.groupMembership(Group)), (QStringList{u"a/1"_s, u"b/2"_s}));
}

void tst_GroupTable::afterStopsAtEitherLimit()
{
    // A page ends at `maxMessages` or before the message that would take its bodies over
    // `maxBytes`, whichever comes first, and always holds one message if there is one; the
    // next page, from the heads the first one ends at, goes on where it stopped.
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    QList<GroupMessageRecord> all;
    for (int i = 1; i <= 30; ++i) {
        const QString author = i % 3 == 0 ? Alice : i % 3 == 1 ? Bob : Carol;
        const qsizetype size = i == 7 ? 5000 : 100;
        GroupMessageRecord r = record(author, (i + 2) / 3, i);
        r.body = QByteArray(size, char('0' + i % 10));
        all.append(r);
        store.saveGroupMessage(r);
    }
    QVERIFY(store.flush());
    QCOMPARE(dump(store.groupMessagesAfter(Group, {}, 30, 1 << 20)), dump(all));
    QCOMPARE(dump(store.groupMessagesAfter(Group, {}, 4, 1 << 20)), dump(all.first(4)));
    // 6 × 100 bytes fit 1000; the 7th (5000) does not.
    QCOMPARE(dump(store.groupMessagesAfter(Group, {}, 30, 1000)), dump(all.first(6)));
    QCOMPARE(dump(store.groupMessagesAfter(Group, {}, 30, 600)), dump(all.first(6)));
    QCOMPARE(dump(store.groupMessagesAfter(Group, {}, 30, 599)), dump(all.first(5)));
    // The 7th alone is over the limit: a page of it alone.
    const QHash<QString, qint64> atSix{{Alice, 2}, {Bob, 2}, {Carol, 2}};
    QCOMPARE(dump(store.groupMessagesAfter(Group, atSix, 30, 1000)), dump(all.mid(6, 1)));
    // Page by page to the end: each message once, in order.
    QHash<QString, qint64> heads;
    QList<GroupMessageRecord> paged;
    for (int pages = 0; pages < 30; ++pages) {
        const auto page = store.groupMessagesAfter(Group, heads, 4, 350);
        if (page.isEmpty())
            break;
        QVERIFY(page.size() <= 4);
        for (const GroupMessageRecord &r : page)
            heads[r.author] = r.seq;
        paged += page;
    }
    QCOMPARE(dump(paged), dump(all));
}

void tst_GroupTable::afterOfTenThousandIsFast()
{
    // A catch-up of 10,000 messages from 3 authors, pages of 512: every message once, in
    // (lc, author, seq) order. The time is logged (a figure for the bench table), not asserted.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    const QStringList authors{Alice, Bob, Carol};
    QHash<QString, qint64> seqs;
    constexpr int Total = 10'000;
    for (int i = 0; i < Total; ++i) {
        // Authors interleaved unevenly, two at times on one lc.
        const QString &author = authors.at((i * 7 / 5) % 3);
        GroupMessageRecord r = record(author, ++seqs[author], 1 + i - (i % 11 == 5 ? 1 : 0));
        r.body += QByteArray(120, 'x');
        store.saveGroupMessage(r);
    }
    QVERIFY(store.flush());
    QHash<QString, qint64> heads;
    QList<GroupMessageRecord> all;
    int pages = 0;
    QElapsedTimer clock;
    clock.start();
    qint64 slowestNs = 0;
    for (;;) {
        QElapsedTimer one;
        one.start();
        const auto page = store.groupMessagesAfter(Group, heads, 512, 768 * 1024);
        slowestNs = qMax(slowestNs, one.nsecsElapsed());
        if (page.isEmpty())
            break;
        ++pages;
        for (const GroupMessageRecord &r : page)
            heads[r.author] = r.seq;
        all += page;
    }
    const qint64 ns = clock.nsecsElapsed();
    qInfo("groupMessagesAfter: %d messages from 3 authors in %d pages of 512: %.1f ms in all,"
          " %.2f ms the slowest page, %.0f messages/s",
          int(all.size()),
          pages,
          ns / 1e6,
          slowestNs / 1e6,
          all.size() / (ns / 1e9));
    QCOMPARE(all.size(), Total);
    QCOMPARE(pages, (Total + 511) / 512);
    QVERIFY(std::is_sorted(all.cbegin(),
                           all.cend(),
                           [](const GroupMessageRecord &a, const GroupMessageRecord &b) {
                               return std::tie(a.lc, a.author, a.seq)
                                      < std::tie(b.lc, b.author, b.seq);
                           }));
    QCOMPARE(heads, seqs);
}

void tst_GroupTable::groupRowsAreNotPeers()
{
    // A group's conversation is not a peer's: not listed as someone talked to or written to
    // (the roster, the dialer), nothing waits for it in the 1:1 queue, queued or committed; its
    // unread messages are counted under its ID (the group's badge).
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    const ChatMessage ours = row(record(Alice, 1, 1), true, u"ours"_s);
    const ChatMessage theirs = row(record(Bob, 1, 2), false, u"theirs"_s);
    const ChatMessage toBob = oneToOne(Bob, u"1:1"_s, true);
    store.saveGroupMessage(record(Alice, 1, 1));
    store.addOutgoing(ours);
    store.saveGroupMessage(record(Bob, 1, 2));
    QVERIFY(store.addReceived(theirs));
    store.addOutgoing(toBob);
    QVERIFY(!store.hasUndelivered(Group)); // queued
    QVERIFY(store.hasUndelivered(Bob));
    QVERIFY(store.flush());
    QCOMPARE(store.conversationPeers(), QStringList{Bob});
    QCOMPARE(store.peersWrittenTo(), QStringList{Bob});
    QVERIFY(!store.hasUndelivered(Group));
    QVERIFY(store.undelivered(Group).isEmpty());
    QCOMPARE(texts(store.undelivered(Bob)), QStringList{u"1:1"_s});
    QCOMPARE(store.unreadCounts().value(Group), 1);
    QCOMPARE(texts(store.unread(Group)), QStringList{u"theirs"_s});
    QCOMPARE(texts(store.conversation(Group)), (QStringList{u"ours"_s, u"theirs"_s}));
    QCOMPARE(store.conversation(Group).first().author, Alice);
    QVERIFY(store.conversation(Bob).first().author.isEmpty());
    store.setState(theirs, MessageState::Read);
    QVERIFY(store.flush());
    QVERIFY(!store.unreadCounts().contains(Group));
}

void tst_GroupTable::failedGroupWriteFailsAlone()
{
    // The disk fills while a group message too big for the room left is written in one batch
    // with other writes: it fails with its conversation row and is reported; the 1:1 messages
    // and the receipt beside it are stored, and the group's log reads as it was on disk.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    store.saveGroupMessage(record(Alice, 1, 1, 1));
    // Room in the file for small writes: a long message written, then taken back.
    const ChatMessage roomy = oneToOne(Bob, QString(20000, u'x'), true);
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
    const ChatMessage before = oneToOne(Bob, u"before"_s, false);
    const ChatMessage after = oneToOne(Bob, u"after"_s, true);
    const GroupMessageRecord big = record(Bob, 1, 2, 0, Group, QByteArray(256 * 1024, 'b'));
    const ChatMessage bigRow = row(big, false, u"big"_s);
    const GroupReceiptRecord seen = receipt(Carol, Alice, 1, 0);
    QVERIFY(store.addReceived(before));
    store.saveGroupMessage(big);
    QVERIFY(store.addReceived(bigRow));
    store.saveGroupReceipt(seen);
    store.addOutgoing(after);
    QVERIFY(!store.flush());
    QCOMPARE(failed.size(), 1);
    const QString warning = failed.first().first().toString();
    QVERIFY2(warning.contains(u"the disk is full"_s), qPrintable(warning));
    QCOMPARE(notSaved.size(), 1);
    QCOMPARE(texts(notSaved.first().first().value<QList<ChatMessage>>()), QStringList{u"big"_s});
    QCOMPARE(texts(reported), (QStringList{u"before"_s, u"after"_s}));
    QCOMPARE(texts(store.conversation(Bob)), (QStringList{u"before"_s, u"after"_s}));
    QVERIFY(store.conversation(Group).isEmpty());
    QVERIFY(!store.groupMessage(Group, Bob, 1));
    QCOMPARE(store.groupHeads(Group).keys(), QStringList{Alice});
    QCOMPARE(dump(store.groupReceipts(Group)), QStringList{dump(seen)});

    // Room again: the same message goes in (pulled again from a member).
    store.setGrowthLimited(false);
    store.saveGroupMessage(big);
    QVERIFY(store.addReceived(bigRow));
    QVERIFY(store.flush());
    QCOMPARE(store.groupHeads(Group).value(Bob).seq, 1);
    QCOMPARE(texts(store.conversation(Group)), QStringList{u"big"_s});
}

void tst_GroupTable::groupMessageAndRowNeverSplit()
{
    // A group message and its conversation row queued where a batch is cut (MaxWritesPerCommit)
    // go in the same batch: on a full disk both fail, never the log alone or the row alone.
    QTemporaryDir dir;
    MessageStore store;
    QString error;
    QVERIFY2(store.open(dir.filePath(u"h.sqlite"_s), &error), qPrintable(error));
    store.setGrowthLimited(true);
    QSignalSpy notSaved(&store, &MessageStore::notSaved);
    // Writes that touch nothing (states of messages never stored) up to the cut.
    for (int i = 0; i < MessageStore::MaxWritesPerCommit - 1; ++i)
        store.setState(oneToOne(Carol, u"none"_s, true), MessageState::Delivered);
    const GroupMessageRecord big = record(Bob, 1, 2, 0, Group, QByteArray(256 * 1024, 'b'));
    store.saveGroupMessage(big);
    QVERIFY(store.addReceived(row(big, false, u"big"_s)));
    QVERIFY(!store.flush());
    QCOMPARE(notSaved.size(), 1);
    QVERIFY(store.conversation(Group).isEmpty());
    QVERIFY(!store.groupMessage(Group, Bob, 1));
}

void tst_GroupTable::migratedFromSchema7()
{
    // A history of schema 7 (made by the migrations of then) is taken to 8 with its rows as
    // they were: no author (1:1), their kind, state and unread count; groups work at once.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"h.sqlite"_s);
    const ChatMessage waiting = oneToOne(Bob, u"waiting"_s, true);
    const ChatMessage unread = oneToOne(Bob, u"unread"_s, false);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v7"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QString error;
        QVERIFY2(MessageStore::migrate(db, 7, &error), qPrintable(error));
        QCOMPARE(MessageStore::schemaVersion(db), 7);
        QSqlQuery q(db);
        QVERIFY(q.exec(u"INSERT INTO peer_keys (key, peer_id) VALUES (1, '%1')"_s.arg(Bob)));
        q.prepare(u"INSERT INTO messages (id, peer_key, outgoing, sent_at, received_at, text,"
                  u" state, kind) VALUES (?, 1, ?, ?, ?, ?, ?, 0)"_s);
        for (const ChatMessage &m : {waiting, unread}) {
            q.addBindValue(m.id.toRfc4122());
            q.addBindValue(m.outgoing);
            q.addBindValue(m.sentAt.toMSecsSinceEpoch());
            q.addBindValue(m.receivedAt.toMSecsSinceEpoch());
            q.addBindValue(m.text);
            q.addBindValue(int(m.state));
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        QVERIFY(q.exec(u"INSERT INTO unread_counts VALUES ('%1', 1)"_s.arg(Bob)));
        QVERIFY(q.exec(u"INSERT INTO conversations VALUES ('%1', 1, 1)"_s.arg(Bob)));
        QVERIFY(!q.exec(u"SELECT author FROM messages"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"v7"_s);

    MessageStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    QSqlDatabase db = store.database();
    QCOMPARE(MessageStore::schemaVersion(db), MessageStore::SchemaVersion); // 8 and later
    const QList<ChatMessage> all = store.conversation(Bob);
    QCOMPARE(texts(all), (QStringList{u"waiting"_s, u"unread"_s}));
    for (const ChatMessage &m : all) {
        QVERIFY(m.author.isEmpty());
        QCOMPARE(m.kind, MessageKind::Text);
    }
    QCOMPARE(texts(store.undelivered(Bob)), QStringList{u"waiting"_s});
    QCOMPARE(store.unreadCounts().value(Bob), 1);
    QCOMPARE(store.peersWrittenTo(), QStringList{Bob});
    QVERIFY(store.groupIds().isEmpty());

    const GroupMessageRecord create = record(Alice, 1, 1, 1);
    store.saveGroupMessage(create);
    store.addOutgoing(row(create, true, u"{}"_s));
    QVERIFY(store.flush());
    QCOMPARE(store.groupIds(), QStringList{Group});
    QCOMPARE(dump(store.groupMembership(Group)), QStringList{dump(create)});
    QCOMPARE(store.conversation(Group).value(0).author, Alice);
    QCOMPARE(store.peersWrittenTo(), QStringList{Bob});
}

QTEST_GUILESS_MAIN(tst_GroupTable)
#include "tst_grouptable.moc"
