// SPDX-License-Identifier: GPL-3.0-or-later
// Read receipts without sockets: what arrives in the conversation the person is looking at is
// read, and the peer is told when allowed; elsewhere it counts as unread.
#include "chat/inbox.h"
#include "chat/receipts.h"
#include "faketransport.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Bob = u"b0b0"_s.repeated(16);

class tst_Receipts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void activeConversationIsRead();
    void elsewhereCountsAsUnread();
    void noReceiptsWhenNotAllowed();
    void missedReceiptsGoOnReconnect();
    void fileItemIsReadWithoutAReceipt();

private:
    QUuid receive(const QString &text);

    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Inbox> m_inbox;
    std::unique_ptr<Receipts> m_receipts;
};

void tst_Receipts::init()
{
    m_transport = std::make_unique<FakeTransport>();
    m_store = std::make_unique<MessageStore>();
    QString error;
    QVERIFY2(m_store->open(u":memory:"_s, &error), qPrintable(error));
    m_inbox = std::make_unique<Inbox>(*m_transport, *m_store);
    m_receipts = std::make_unique<Receipts>(*m_transport, *m_store, true);
    // As Messenger wires them.
    connect(m_inbox.get(), &Inbox::received, m_receipts.get(), &Receipts::onReceived);
    m_transport->connectPeer(Bob);
}

void tst_Receipts::cleanup()
{
    m_receipts.reset();
    m_inbox.reset();
    m_store.reset();
    m_transport.reset();
}

QUuid tst_Receipts::receive(const QString &text)
{
    const QUuid id = QUuid::createUuid();
    m_inbox->onChat(Bob,
                    Protocol::Chat{id,
                                   QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(),
                                                                  Qt::UTC),
                                   text});
    return id;
}

void tst_Receipts::activeConversationIsRead()
{
    m_receipts->setActiveConversation(Bob, true);
    QSignalSpy unread(m_receipts.get(), &Receipts::unreadAdded);
    const QUuid id = receive(u"seen at once"_s);
    QTRY_COMPARE(m_transport->sentOf<Protocol::Read>(Bob).size(), 1);
    QCOMPARE(m_transport->sentOf<Protocol::Read>(Bob).first().id, id);
    QCOMPARE(unread.size(), 0);
    QTRY_COMPARE(m_store->message(MessageKey{id, Bob, false})->state, MessageState::Read);
}

void tst_Receipts::elsewhereCountsAsUnread()
{
    m_receipts->setActiveConversation(Bob, false); // the window is not active
    QSignalSpy unread(m_receipts.get(), &Receipts::unreadAdded);
    QSignalSpy cleared(m_receipts.get(), &Receipts::unreadCleared);
    receive(u"one"_s);
    receive(u"two"_s);
    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 2);
    int total = 0;
    for (const auto &args : std::as_const(unread))
        total += args.at(1).toInt();
    QCOMPARE(total, 2);
    QVERIFY(m_transport->sentOf<Protocol::Read>(Bob).isEmpty());

    // The person comes back to the window: read, and Bob is told.
    m_receipts->setActiveConversation(Bob, true);
    QCOMPARE(cleared.size(), 1);
    QCOMPARE(m_transport->sentOf<Protocol::Read>(Bob).size(), 2);
}

void tst_Receipts::noReceiptsWhenNotAllowed()
{
    m_receipts->setSendReadReceipts(false);
    m_receipts->setActiveConversation(Bob, true);
    const QUuid id = receive(u"private"_s);
    QTRY_COMPARE(m_store->message(MessageKey{id, Bob, false})->state, MessageState::Read);
    QVERIFY(m_transport->sentOf<Protocol::Read>(Bob).isEmpty());
}

void tst_Receipts::missedReceiptsGoOnReconnect()
{
    receive(u"read while Bob is away"_s);
    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 1);
    m_transport->disconnectPeer(Bob);
    m_receipts->markRead(Bob);
    QVERIFY(m_transport->sentOf<Protocol::Read>(Bob).isEmpty());
    QVERIFY(m_store->flush());

    m_transport->connectPeer(Bob);
    QCOMPARE(m_transport->sentOf<Protocol::Read>(Bob).size(), 1);
}

void tst_Receipts::fileItemIsReadWithoutAReceipt()
{
    // A file item counts as unread and is marked read when shown, like a message; but Bob is
    // never told it was read, neither now nor on his next connection.
    m_receipts->setActiveConversation(Bob, false);
    QSignalSpy unread(m_receipts.get(), &Receipts::unreadAdded);
    ChatMessage item;
    item.id = newMessageId();
    item.peerId = Bob;
    item.sentAt = item.receivedAt = QDateTime::currentDateTimeUtc();
    item.text = u"holiday.jpg"_s;
    item.state = MessageState::Delivered;
    item.kind = MessageKind::File;
    QVERIFY(m_store->addReceived(item));
    const QUuid id = receive(u"and a message"_s);
    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 1);
    int total = 0;
    for (const auto &args : std::as_const(unread))
        total += args.at(1).toInt();
    QCOMPARE(total, 2);
    QCOMPARE(m_store->unreadCounts().value(Bob), 2);

    m_receipts->setActiveConversation(Bob, true);
    QCOMPARE(m_transport->sentOf<Protocol::Read>(Bob).size(), 1);
    QCOMPARE(m_transport->sentOf<Protocol::Read>(Bob).first().id, id);
    QVERIFY(m_store->flush());
    QCOMPARE(m_store->message(keyOf(item))->state, MessageState::Read);
    QCOMPARE(m_store->unreadCounts().value(Bob), 0);
    QVERIFY(m_store->pendingReceipts(Bob).isEmpty()); // nothing left to tell

    m_transport->disconnectPeer(Bob);
    m_transport->connectPeer(Bob);
    QCOMPARE(m_transport->sentOf<Protocol::Read>(Bob).size(), 1);
}

QTEST_GUILESS_MAIN(tst_Receipts)
#include "tst_receipts.moc"
