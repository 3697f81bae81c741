// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 15, typing and quoting: two real peers over loopback TLS (and a hand-driven one for what
// a hostile peer sends). "Alice is typing…", replies with a quote, delete for oneself.
#include "../common/rawpeer.h"
#include "../common/testpeer.h"
#include "chat/typingnotices.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/connectionregistry.h"
#include "protocol/framedecoder.h"
#include "storage/messagestore.h"

#include <QCborMap>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

bool isOnline(Messenger &m, const QString &peerId)
{
    const auto p = m.peers()->peer(peerId);
    return p && p->online;
}

// Alice and Bob, connected both ways.
struct Pair
{
    std::unique_ptr<Messenger> a, b;
};

bool connectPair(Messenger &a, Messenger &b)
{
    QString error;
    if (!a.connectToAddress(u"127.0.0.1:%1"_s.arg(b.port()), &error))
        return false;
    return QTest::qWaitFor([&] { return isOnline(a, b.id()) && isOnline(b, a.id()); }, 10000);
}

std::optional<ChatMessage> stored(const Messenger &m, const QUuid &id, const QString &peer, bool out)
{
    return m.history().message(MessageKey{id, peer, out});
}

} // namespace

class tst_TypingQuote : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typingSeenThenExpires();
    void typingRefreshedWhileTyping();
    void typingOffWhenInputEmptied();
    void typingOffWhenMessageSent();
    void typingNotSentWithReadReceiptsOff();
    void typingOffWhenPeerDisconnects();
    void typingFloodIsLimited();
    void replyRoundTrip();
    void replyToUnknownMessageRefused();
    void unknownQuoteShownNotAvailable();
    void malformedReClosesConnection_data();
    void malformedReClosesConnection();
    void deleteForMeIncomingAndOutgoing();
    void deleteWaitingMessageTakesItBack();
    void fileItemIsNotDeletedForMe();

private:
    Pair makePair()
    {
        Pair p{makePeer(u"Alice"_s), makePeer(u"Bob"_s)};
        if (!connectPair(*p.a, *p.b))
            qWarning() << "could not connect the pair";
        return p;
    }
};

void tst_TypingQuote::typingSeenThenExpires()
{
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    QVERIFY(isOnline(*a, b->id()));
    constexpr int ExpireMs = 400;
    b->setTypingIntervals(3000, ExpireMs);
    QSignalSpy typing(b.get(), &Messenger::peerTyping);
    a->setTyping(b->id(), true);
    QTRY_COMPARE(typing.size(), 1);
    QElapsedTimer since;
    since.start();
    QCOMPARE(typing.at(0).at(0).toString(), a->id());
    QCOMPARE(typing.at(0).at(1).toBool(), true);
    QVERIFY(b->isPeerTyping(a->id()));
    // No further word from Alice: Bob stops showing it once the interval is over, not before.
    QTRY_COMPARE(typing.size(), 2);
    QCOMPARE(typing.at(1).at(1).toBool(), false);
    QVERIFY(since.elapsed() >= ExpireMs - 50);
    QVERIFY(!b->isPeerTyping(a->id()));
}

void tst_TypingQuote::typingRefreshedWhileTyping()
{
    // Alice keeps typing: "on" goes again every sendEvery, so Bob never sees it expire.
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    a->setTypingIntervals(100, 6000);
    b->setTypingIntervals(3000, 400);
    QSignalSpy typing(b.get(), &Messenger::peerTyping);
    QTimer keys;
    connect(&keys, &QTimer::timeout, a.get(), [&] { a->setTyping(b->id(), true); });
    keys.start(20);
    QTRY_COMPARE(typing.size(), 1);
    QElapsedTimer typed;
    typed.start();
    // Three expiry intervals of typing: still typing.
    QVERIFY(QTest::qWaitFor([&] { return typing.size() > 1 || typed.elapsed() > 1200; }, 5000));
    QCOMPARE(typing.size(), 1);
    QVERIFY(b->isPeerTyping(a->id()));
    keys.stop();
    QTRY_COMPARE(typing.size(), 2); // stopped typing: expires
}

void tst_TypingQuote::typingOffWhenInputEmptied()
{
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    QSignalSpy typing(b.get(), &Messenger::peerTyping);
    a->setTyping(b->id(), true);
    QTRY_COMPARE(typing.size(), 1);
    a->setTyping(b->id(), false);
    QTRY_COMPARE(typing.size(), 2);
    QCOMPARE(typing.at(1).at(1).toBool(), false);
}

void tst_TypingQuote::typingOffWhenMessageSent()
{
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    QSignalSpy typing(b.get(), &Messenger::peerTyping);
    QSignalSpy received(b.get(), &Messenger::messageReceived);
    a->setTyping(b->id(), true);
    QTRY_COMPARE(typing.size(), 1);
    QString error;
    QVERIFY(a->sendMessage(b->id(), u"done typing"_s, &error));
    QTRY_COMPARE(received.size(), 1);
    QTRY_COMPARE(typing.size(), 2);
    QCOMPARE(typing.at(1).at(1).toBool(), false);
    QVERIFY(!b->isPeerTyping(a->id()));
}

void tst_TypingQuote::typingNotSentWithReadReceiptsOff()
{
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    a->setSendReadReceipts(false);
    QSignalSpy typing(b.get(), &Messenger::peerTyping);
    QSignalSpy received(b.get(), &Messenger::messageReceived);
    a->setTyping(b->id(), true);
    // A message after it on the same ordered stream: when it is there, a typing notice sent
    // before it would be too.
    QString error;
    QVERIFY(a->sendMessage(b->id(), u"marker"_s, &error));
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(typing.size(), 0);
    // On again: typing goes out again.
    a->setSendReadReceipts(true);
    a->setTyping(b->id(), true);
    QTRY_COMPARE(typing.size(), 1);
    // Off while Bob sees Alice typing: he is told she stopped.
    a->setSendReadReceipts(false);
    QTRY_COMPARE(typing.size(), 2);
    QCOMPARE(typing.at(1).at(1).toBool(), false);
}

void tst_TypingQuote::typingOffWhenPeerDisconnects()
{
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    QSignalSpy typing(b.get(), &Messenger::peerTyping);
    a->setTyping(b->id(), true);
    QTRY_COMPARE(typing.size(), 1);
    a->shutdown();
    QTRY_COMPARE(typing.size(), 2);
    QCOMPARE(typing.at(1).at(1).toBool(), false);
}

void tst_TypingQuote::typingFloodIsLimited()
{
    // A peer that says on, off, on, off... as fast as it can: what Bob shows changes a few
    // times a second at most, and the connection stays (typing is not an error).
    auto b = makePeer(u"Bob"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    QVERIFY(raw.connectAndWait(*b));
    raw.send(raw.hello(raw.m_identity.id()));
    QTRY_VERIFY(b->connections().isConnected(raw.m_identity.id()));
    QSignalSpy typing(b.get(), &Messenger::peerTyping);
    QElapsedTimer flood;
    flood.start();
    for (int i = 0; i < 200; ++i)
        raw.send(Protocol::Typing{i % 2 == 0});
    raw.send(Protocol::Ping{77});
    QTRY_VERIFY(std::any_of(raw.received.cbegin(), raw.received.cend(), [](const auto &m) {
        const auto *pong = std::get_if<Protocol::Pong>(&m);
        return pong && pong->seq == 77;
    }));
    // The burst, and what refilled while the flood was read.
    const double most = TypingNotices::MaxChangesPerSecond * (1 + double(flood.elapsed()) / 1000)
                        + 1;
    QVERIFY2(typing.size() <= most, qPrintable(u"%1 > %2"_s.arg(typing.size()).arg(most)));
    QVERIFY(typing.size() >= 1);
    QVERIFY(b->connections().isConnected(raw.m_identity.id()));
}

void tst_TypingQuote::replyRoundTrip()
{
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    QSignalSpy atB(b.get(), &Messenger::messageReceived);
    QSignalSpy atA(a.get(), &Messenger::messageReceived);
    QString error;
    const auto first = a->sendMessage(b->id(), u"lunch at noon?"_s, &error);
    QVERIFY2(first, qPrintable(error));
    QTRY_COMPARE(atB.size(), 1);
    // Bob quotes Alice's message (incoming to him).
    const auto answer = b->sendMessage(a->id(), u"yes!"_s, &error, *first);
    QVERIFY2(answer, qPrintable(error));
    QTRY_COMPARE(atA.size(), 1);
    QCOMPARE(atA.at(0).at(0).value<ChatMessage>().replyTo, *first);
    QTRY_VERIFY(stored(*b, *answer, a->id(), true));
    QCOMPARE(stored(*b, *answer, a->id(), true)->replyTo, *first);
    QCOMPARE(stored(*a, *answer, b->id(), false)->replyTo, *first);
    // Alice quotes her own message (outgoing to her).
    const auto again = a->sendMessage(b->id(), u"12:30 then"_s, &error, *first);
    QVERIFY2(again, qPrintable(error));
    QTRY_COMPARE(atB.size(), 2);
    QCOMPARE(atB.at(1).at(0).value<ChatMessage>().replyTo, *first);
    QCOMPARE(stored(*b, *again, a->id(), false)->replyTo, *first);
    // A message without a quote has none.
    QCOMPARE(stored(*a, *first, b->id(), true)->replyTo, QUuid());

    // Both sides' conversation views show the quoted message above the reply.
    ConversationModel *model = a->createConversationModel(a.get());
    model->setPeer(b->id());
    QCOMPARE(model->rowCount(), 3);
    const QModelIndex reply = model->index(1, 0);
    QCOMPARE(reply.data(ConversationModel::ReplyToRole).toUuid(), *first);
    QCOMPARE(reply.data(ConversationModel::QuotedRole).value<ChatMessage>().text,
             u"lunch at noon?"_s);
    QVERIFY(!model->index(0, 0).data(ConversationModel::QuotedRole).isValid());
}

void tst_TypingQuote::replyToUnknownMessageRefused()
{
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    QString error;
    QVERIFY(!a->sendMessage(b->id(), u"re: what?"_s, &error, QUuid::createUuid()));
    QVERIFY(!error.isEmpty());
    // A message of another conversation is not this one's to quote.
    auto c = makePeer(u"Carol"_s);
    QVERIFY(connectPair(*a, *c));
    const auto toCarol = a->sendMessage(c->id(), u"hi Carol"_s, &error);
    QVERIFY(toCarol);
    QTRY_VERIFY(stored(*a, *toCarol, c->id(), true));
    QVERIFY(!a->sendMessage(b->id(), u"quoting Carol's"_s, &error, *toCarol));
}

void tst_TypingQuote::unknownQuoteShownNotAvailable()
{
    // A peer quotes a message this history does not hold: stored as sent, shown "not
    // available" (no quoted message).
    auto b = makePeer(u"Bob"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    QVERIFY(raw.connectAndWait(*b));
    raw.send(raw.hello(raw.m_identity.id()));
    QTRY_VERIFY(b->connections().isConnected(raw.m_identity.id()));
    const QUuid unknown = QUuid::createUuid();
    const Protocol::Chat chat{QUuid::createUuid(),
                              QDateTime::currentDateTimeUtc(),
                              u"re"_s,
                              unknown};
    raw.send(chat);
    QTRY_VERIFY(raw.acked(chat.id));
    const auto m = stored(*b, chat.id, raw.m_identity.id(), false);
    QVERIFY(m);
    QCOMPARE(m->replyTo, unknown);
    ConversationModel *model = b->createConversationModel(b.get());
    model->setPeer(raw.m_identity.id());
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, 0).data(ConversationModel::ReplyToRole).toUuid(), unknown);
    QVERIFY(!model->index(0, 0).data(ConversationModel::QuotedRole).isValid());
}

void tst_TypingQuote::malformedReClosesConnection_data()
{
    QTest::addColumn<QCborValue>("re");
    QTest::newRow("not a UUID") << QCborValue(u"yesterday's"_s);
    QTest::newRow("the nil UUID") << QCborValue(u"00000000-0000-0000-0000-000000000000"_s);
    QTest::newRow("an integer") << QCborValue(42);
    QTest::newRow("bytes") << QCborValue(QByteArray(16, 'x'));
    QTest::newRow("null") << QCborValue(nullptr);
}

void tst_TypingQuote::malformedReClosesConnection()
{
    QFETCH(QCborValue, re);
    auto b = makePeer(u"Bob"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    QVERIFY(raw.connectAndWait(*b));
    raw.send(raw.hello(raw.m_identity.id()));
    QTRY_VERIFY(b->connections().isConnected(raw.m_identity.id()));
    QCborMap map
        = Protocol::Chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"x"_s}.toCbor();
    map.insert(u"re"_s, re);
    raw.sendRaw(FrameDecoder::encode(map.toCborValue().toCbor()));
    QTRY_VERIFY(!b->connections().isConnected(raw.m_identity.id()));
    QCOMPARE(b->history().count(raw.m_identity.id()), 0);
}

void tst_TypingQuote::deleteForMeIncomingAndOutgoing()
{
    QTemporaryDir dir;
    QString error;
    const auto aliceId = Identity::generate(&error);
    QVERIFY(aliceId);
    MessengerConfig config = testPeerConfig(u"Alice"_s);
    config.profileDir = dir.path();
    auto a = startPeer(config, &*aliceId);
    auto b = makePeer(u"Bob"_s);
    QVERIFY(connectPair(*a, *b));
    QSignalSpy atA(a.get(), &Messenger::messageReceived);
    const auto mine = a->sendMessage(b->id(), u"mine"_s, &error);
    const auto kept = a->sendMessage(b->id(), u"kept"_s, &error);
    const auto theirs = b->sendMessage(a->id(), u"theirs"_s, &error);
    QVERIFY(mine && kept && theirs);
    QTRY_COMPARE(atA.size(), 1);
    QTRY_COMPARE(stored(*a, *mine, b->id(), true)->state, MessageState::Delivered);
    QTRY_COMPARE(b->history().count(a->id()), 3);
    QCOMPARE(a->peers()->peer(b->id())->unread, 1);

    QSignalSpy deleted(a.get(), &Messenger::messageDeleted);
    QList<Protocol::Message> sentToB;
    connect(&b->connections(),
            &Transport::messageReceived,
            this,
            [&sentToB](const QString &, const Protocol::Message &m) { sentToB.append(m); });
    QVERIFY2(a->deleteMessage(*mine, &error), qPrintable(error));
    QVERIFY2(a->deleteMessage(*theirs, &error), qPrintable(error));
    QTRY_COMPARE(deleted.size(), 2);
    QCOMPARE(a->history().count(b->id()), 1);
    QVERIFY(!stored(*a, *mine, b->id(), true));
    QVERIFY(!stored(*a, *theirs, b->id(), false));
    // The unread one deleted: nothing unread is left on disk.
    QCOMPARE(a->history().unreadCounts().value(b->id()), 0);

    // Nothing was sent for it (the next thing Bob hears is the next message), and Bob keeps
    // all three.
    const auto next = a->sendMessage(b->id(), u"next"_s, &error);
    QTRY_COMPARE(b->history().count(a->id()), 4);
    QCOMPARE(sentToB.size(), 1);
    QCOMPARE(std::get<Protocol::Chat>(sentToB.at(0)).id, *next);

    // Gone after a restart too.
    a->shutdown();
    QTRY_VERIFY(!a->hasOpenConnections());
    a.reset();
    a = startPeer(config, &*aliceId);
    QCOMPARE(a->history().count(b->id()), 2);
    QCOMPARE(a->history().conversation(b->id()).at(0).id, *kept);
    QCOMPARE(a->history().unreadCounts().value(b->id()), 0);
    QString unknown;
    QVERIFY(!a->deleteMessage(*mine, &unknown)); // nothing left to delete
    QVERIFY(!unknown.isEmpty());
}

void tst_TypingQuote::deleteWaitingMessageTakesItBack()
{
    // A message still waiting for an absent peer keeps today's meaning: taken back, never sent.
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QVERIFY(connectPair(*a, *b));
    const QString bobId = b->id();
    b->shutdown();
    QTRY_VERIFY(!isOnline(*a, bobId));
    QString error;
    const auto waiting = a->sendMessage(bobId, u"never mind"_s, &error);
    QVERIFY(waiting);
    QTRY_VERIFY(stored(*a, *waiting, bobId, true));
    QSignalSpy deleted(a.get(), &Messenger::messageDeleted);
    QVERIFY2(a->deleteMessage(*waiting, &error), qPrintable(error));
    QTRY_COMPARE(deleted.size(), 1);
    QVERIFY(!a->history().hasUndelivered(bobId));
}

void tst_TypingQuote::fileItemIsNotDeletedForMe()
{
    // A transfer's place in the conversation stands for the transfer: cancelled, not deleted.
    Pair pair = makePair();
    auto &a = pair.a;
    auto &b = pair.b;
    QTemporaryDir dir;
    QFile file(dir.filePath(u"note.txt"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hello");
    file.close();
    QString error;
    const auto xid = a->sendFiles(b->id(), {file.fileName()}, false, &error);
    QVERIFY2(xid, qPrintable(error));
    QTRY_VERIFY(stored(*a, *xid, b->id(), true));
    QCOMPARE(stored(*a, *xid, b->id(), true)->kind, MessageKind::File);
    QVERIFY(!a->deleteMessage(*xid, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(stored(*a, *xid, b->id(), true));
}

QTEST_GUILESS_MAIN(tst_TypingQuote)
#include "tst_typingquote.moc"
