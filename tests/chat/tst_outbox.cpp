// SPDX-License-Identifier: GPL-3.0-or-later
// The outgoing queue without sockets: order, the send window, a restart, a connection that
// ends before the ack.
#include "chat/outbox.h"
#include "faketransport.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Bob = u"b0b0"_s.repeated(16);

class tst_Outbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void queueGoesOutInOrder();
    void ackAndReadChangeTheState();
    void sendWindowStopsAndContinuesOnWritable();
    void unacknowledgedGoAgainOnReconnect();
    void queueSurvivesRestart();
    void rejectsEmptyAndOversizeText();
    void deletedBeforeItsCommitNeverLeaves();
    void deletedAsThePeerConnectsNeverLeaves();
    void oneCommitForTwoPeersKeepsEachQueueInOrder();
    void fileItemIsNeverSent();

private:
    QStringList sentTexts() const;
    QUuid enqueue(const QString &text);
    bool open(const QString &path);

    QTemporaryDir m_dir;
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Outbox> m_outbox;
};

void tst_Outbox::init()
{
    QVERIFY(open(u":memory:"_s));
}

void tst_Outbox::cleanup()
{
    m_outbox.reset();
    m_store.reset();
    m_transport.reset();
}

bool tst_Outbox::open(const QString &path)
{
    m_outbox.reset();
    m_store.reset();
    m_transport = std::make_unique<FakeTransport>();
    m_store = std::make_unique<MessageStore>();
    QString error;
    if (!m_store->open(path, &error)) {
        qWarning() << error;
        return false;
    }
    m_outbox = std::make_unique<Outbox>(*m_transport, *m_store);
    return true;
}

QStringList tst_Outbox::sentTexts() const
{
    QStringList out;
    for (const Protocol::Chat &c : m_transport->sentOf<Protocol::Chat>(Bob))
        out.append(c.text);
    return out;
}

QUuid tst_Outbox::enqueue(const QString &text)
{
    QString error;
    const auto id = m_outbox->enqueue(Bob, text, &error);
    if (!id)
        qWarning() << error;
    return id.value_or(QUuid());
}

void tst_Outbox::queueGoesOutInOrder()
{
    QSignalSpy wanted(m_outbox.get(), &Outbox::peerWanted);
    for (const QString &text : {u"one"_s, u"two"_s, u"three"_s})
        enqueue(text);
    QTRY_COMPARE(m_store->undelivered(Bob).size(), 3);
    QVERIFY(!wanted.isEmpty()); // not connected: the peer should be dialled
    QVERIFY(m_transport->sent.isEmpty());

    m_transport->connectPeer(Bob);
    QCOMPARE(sentTexts(), (QStringList{u"one"_s, u"two"_s, u"three"_s}));
    // Caught up: what is typed now goes out as soon as it is on disk, after the rest.
    enqueue(u"four"_s);
    enqueue(u"five"_s);
    QTRY_COMPARE(sentTexts(), (QStringList{u"one"_s, u"two"_s, u"three"_s, u"four"_s, u"five"_s}));
}

void tst_Outbox::ackAndReadChangeTheState()
{
    m_transport->connectPeer(Bob);
    const QUuid first = enqueue(u"first"_s);
    const QUuid second = enqueue(u"second"_s);
    QTRY_COMPARE(sentTexts().size(), 2);
    m_outbox->onAck(Bob, Protocol::Ack{first});
    m_outbox->onRead(Bob, Protocol::Read{second});
    // Another peer cannot acknowledge a message that did not go to it.
    m_outbox->onAck(u"c0c0"_s.repeated(16), Protocol::Ack{second});
    QTRY_COMPARE(m_store->message(first)->state, MessageState::Delivered);
    QTRY_COMPARE(m_store->message(second)->state, MessageState::Read);
}

void tst_Outbox::sendWindowStopsAndContinuesOnWritable()
{
    constexpr int Count = 300;
    m_transport->countPendingBytes = true;
    const QString text(2'000, u'x'); // a page of these is more than the window
    for (int i = 0; i < Count; ++i)
        enqueue(text);
    QTRY_COMPARE(m_store->undelivered(Bob).size(), Count);

    m_transport->connectPeer(Bob);
    QCOMPARE(sentTexts().size(), Outbox::SendPageSize);
    QVERIFY(m_transport->pendingWriteBytes(Bob, StreamKind::Chat) >= Outbox::SendWindowBytes);
    // The next page is posted; with the window full it does not go.
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    QCOMPARE(sentTexts().size(), Outbox::SendPageSize);

    m_transport->drain(Bob); // the network took it: the next page
    QCoreApplication::processEvents();
    QCOMPARE(sentTexts().size(), 2 * Outbox::SendPageSize);
    m_transport->drain(Bob);
    QTRY_COMPARE(sentTexts().size(), Count);
}

void tst_Outbox::unacknowledgedGoAgainOnReconnect()
{
    m_transport->connectPeer(Bob);
    const QUuid acked = enqueue(u"acked"_s);
    enqueue(u"lost"_s);
    QTRY_COMPARE(sentTexts().size(), 2);
    m_outbox->onAck(Bob, Protocol::Ack{acked});
    QTRY_COMPARE(m_store->message(acked)->state, MessageState::Delivered);
    QVERIFY(m_store->flush()); // else the ack may still be on its way to the disk: sent again

    m_transport->disconnectPeer(Bob);
    m_transport->sent.clear();
    m_transport->connectPeer(Bob);
    QCOMPARE(sentTexts(), QStringList{u"lost"_s});
}

void tst_Outbox::queueSurvivesRestart()
{
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(u"history.sqlite"_s);
    QVERIFY(open(path));
    for (const QString &text : {u"a"_s, u"b"_s, u"c"_s})
        enqueue(text);
    QTRY_COMPARE(m_store->undelivered(Bob).size(), 3);

    // Quit and start again on the same profile: the queue goes out on the first connection.
    QVERIFY(open(path));
    QVERIFY(m_transport->sent.isEmpty());
    m_transport->connectPeer(Bob);
    QCOMPARE(sentTexts(), (QStringList{u"a"_s, u"b"_s, u"c"_s}));
}

void tst_Outbox::rejectsEmptyAndOversizeText()
{
    QString error;
    QVERIFY(!m_outbox->enqueue(Bob, u"  \n"_s, &error));
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!m_outbox->enqueue(Bob, QString(Protocol::MaxTextBytes + 1, u'x'), &error));
    QVERIFY(error.contains(u"KiB"_s));
}

void tst_Outbox::fileItemIsNeverSent()
{
    // A file item stands for a transfer in the conversation (its offer goes out on its own):
    // stored as delivered from the start, it never goes out as chat, neither when it is
    // committed nor with the queue on a new connection, and no one is dialled for it.
    QSignalSpy wanted(m_outbox.get(), &Outbox::peerWanted);
    const auto item = [](const QString &name) {
        ChatMessage m;
        m.id = newMessageId();
        m.peerId = Bob;
        m.outgoing = true;
        m.sentAt = m.receivedAt = QDateTime::currentDateTimeUtc();
        m.text = name;
        m.state = MessageState::Delivered;
        m.kind = MessageKind::File;
        return m;
    };
    const ChatMessage away = item(u"sent while away.jpg"_s);
    QVERIFY(m_store->add(away));
    QVERIFY(!m_store->hasUndelivered(Bob));
    QVERIFY(m_store->flush());
    QVERIFY(wanted.isEmpty());

    m_transport->connectPeer(Bob); // the queue from its start
    QVERIFY(m_store->add(item(u"sent now.jpg"_s)));
    enqueue(u"a message"_s); // in the same commit, out at once
    QTRY_COMPARE(sentTexts(), QStringList{u"a message"_s});
    QVERIFY(m_store->flush());
    m_transport->disconnectPeer(Bob);
    m_transport->connectPeer(Bob);
    QTRY_COMPARE(sentTexts(), (QStringList{u"a message"_s, u"a message"_s}));
    QCOMPARE(m_transport->sent.size(), 2);
    QCOMPARE(m_store->message(keyOf(away))->state, MessageState::Delivered);
    QCOMPARE(m_store->message(keyOf(away))->kind, MessageKind::File);
}

QTEST_GUILESS_MAIN(tst_Outbox)
void tst_Outbox::deletedBeforeItsCommitNeverLeaves()
{
    // Typed and taken back at once (one CLI read, a slow disk): the add and the removal commit
    // together, and what the person deleted must not reach the peer.
    m_transport->connectPeer(Bob);
    const QUuid gone = enqueue(u"gone"_s);
    QString error;
    QVERIFY2(m_outbox->remove(gone, &error), qPrintable(error));
    enqueue(u"kept"_s);
    QTRY_COMPARE(sentTexts(), QStringList{u"kept"_s});
    QVERIFY(!m_store->message(gone));
}

void tst_Outbox::deletedAsThePeerConnectsNeverLeaves()
{
    // Waiting on disk; the person deletes it just as the peer connects, before the removal is
    // committed: the queue that goes out must not hold it.
    const QUuid gone = enqueue(u"gone"_s);
    QTRY_COMPARE(m_store->undelivered(Bob).size(), 1);
    QString error;
    QVERIFY2(m_outbox->remove(gone, &error), qPrintable(error));
    m_transport->connectPeer(Bob);
    QTRY_VERIFY(!m_store->message(gone));
    enqueue(u"kept"_s);
    QTRY_COMPARE(sentTexts(), QStringList{u"kept"_s});
}

void tst_Outbox::oneCommitForTwoPeersKeepsEachQueueInOrder()
{
    // One commit holds messages to two peers, interleaved, and Bob's window fills in the middle
    // of his second run: each peer gets its own messages once each, in the order typed.
    const QString carol = u"c0c0"_s.repeated(16);
    m_transport->connectPeer(Bob);
    m_transport->connectPeer(carol); // both caught up: nothing waits
    m_transport->countPendingBytes = true;
    const QString big(60'000, u'x'); // three of these are more than the window
    QString error;
    auto to = [&](const QString &peer, const QString &text) {
        QVERIFY2(m_outbox->enqueue(peer, text, &error), qPrintable(error));
    };
    to(Bob, u"b1"_s);
    to(Bob, big + u'1');
    to(carol, u"c1"_s);
    to(Bob, big + u'2');
    to(Bob, big + u'3');
    to(carol, u"c2"_s);
    to(Bob, u"b5"_s);
    to(Bob, u"b6"_s);
    const QStringList bob{u"b1"_s, big + u'1', big + u'2', big + u'3', u"b5"_s, u"b6"_s};
    QTRY_COMPARE(sentTexts(), bob.first(4)); // the window is full after the third big one
    QStringList toCarol;
    for (const Protocol::Chat &c : m_transport->sentOf<Protocol::Chat>(carol))
        toCarol.append(c.text);
    QCOMPARE(toCarol, (QStringList{u"c1"_s, u"c2"_s}));
    m_transport->drain(Bob);
    QTRY_COMPARE(sentTexts(), bob);
    enqueue(u"b7"_s); // caught up again: out at once, after the rest
    QTRY_COMPARE(sentTexts(), bob + QStringList{u"b7"_s});
}

#include "tst_outbox.moc"
