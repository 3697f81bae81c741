// SPDX-License-Identifier: GPL-3.0-or-later
// Received messages without sockets: acknowledged only once on disk, a copy acknowledged again
// and stored once, a peer far ahead of the disk not read until the disk catches up.
#include "chat/inbox.h"
#include "faketransport.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Bob = u"b0b0"_s.repeated(16);

class tst_Inbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void ackOnlyAfterCommit();
    void duplicateIsAcknowledgedAgain();
    void readingPausesAndResumes();
    void fileItemIsNotAcknowledged();

private:
    static Protocol::Chat chat(const QString &text)
    {
        return Protocol::Chat{QUuid::createUuid(),
                              QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(),
                                                             Qt::UTC),
                              text};
    }

    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Inbox> m_inbox;
};

void tst_Inbox::init()
{
    m_transport = std::make_unique<FakeTransport>();
    m_store = std::make_unique<MessageStore>();
    QString error;
    QVERIFY2(m_store->open(u":memory:"_s, &error), qPrintable(error));
    m_inbox = std::make_unique<Inbox>(*m_transport, *m_store);
    m_transport->connectPeer(Bob);
}

void tst_Inbox::cleanup()
{
    m_inbox.reset();
    m_store.reset();
    m_transport.reset();
}

void tst_Inbox::ackOnlyAfterCommit()
{
    // What the store holds at the moment each ack leaves.
    QList<bool> storedWhenAcked;
    m_transport->onSend = [this, &storedWhenAcked](const QString &peerId,
                                                   const Protocol::Message &message) {
        if (const auto *ack = std::get_if<Protocol::Ack>(&message)) {
            const auto m = m_store->message(MessageKey{ack->id, peerId, false});
            storedWhenAcked.append(m && m->seq != 0);
        }
    };
    QSignalSpy received(m_inbox.get(), &Inbox::received);
    const Protocol::Chat c = chat(u"hello"_s);
    m_inbox->onChat(Bob, c);
    QVERIFY(m_transport->sentOf<Protocol::Ack>(Bob).isEmpty()); // not on disk yet

    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 1);
    QCOMPARE(m_transport->sentOf<Protocol::Ack>(Bob).first().id, c.id);
    QCOMPARE(storedWhenAcked, QList<bool>{true});
    QCOMPARE(received.size(), 1);
    const auto messages = received.first().first().value<QList<ChatMessage>>();
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().text, u"hello"_s);
}

void tst_Inbox::duplicateIsAcknowledgedAgain()
{
    const Protocol::Chat c = chat(u"once"_s);
    m_inbox->onChat(Bob, c);
    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 1);

    // The first ack was lost: the sender tries again after a reconnect.
    QSignalSpy received(m_inbox.get(), &Inbox::received);
    m_inbox->onChat(Bob, c);
    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 2);
    QCOMPARE(m_transport->sentOf<Protocol::Ack>(Bob).last().id, c.id);
    QCOMPARE(m_store->count(Bob), 1);
    QCOMPARE(received.size(), 0); // not news to the person

    // A copy that comes while the first is still on its way to the disk: acked once stored.
    const Protocol::Chat d = chat(u"twice at once"_s);
    m_inbox->onChat(Bob, d);
    m_inbox->onChat(Bob, d);
    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 4);
    QCOMPARE(m_transport->sentOf<Protocol::Ack>(Bob).last().id, d.id);
    QCOMPARE(m_store->count(Bob), 2);
}

void tst_Inbox::readingPausesAndResumes()
{
    // A flood in one read: more than the backlog allowed before anything reaches the disk.
    for (int i = 0; i < Inbox::MaxReceivedBacklog; ++i)
        m_inbox->onChat(Bob, chat(QString::number(i)));
    QVERIFY(m_transport->isReadingPaused(Bob));

    // The disk catches up: reading resumes, and every message is stored and acknowledged.
    QTRY_VERIFY(!m_transport->isReadingPaused(Bob));
    QTRY_COMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), Inbox::MaxReceivedBacklog);
    QCOMPARE(m_store->count(Bob), Inbox::MaxReceivedBacklog);
}

void tst_Inbox::fileItemIsNotAcknowledged()
{
    // A file item is stored by the transfers' service when an offer comes: it is received like
    // a message (the person is shown it), but no ack goes out for it, nor when it is stored a
    // second time; the message beside it is acknowledged as ever.
    QSignalSpy received(m_inbox.get(), &Inbox::received);
    ChatMessage item;
    item.id = newMessageId();
    item.peerId = Bob;
    item.sentAt = item.receivedAt = QDateTime::currentDateTimeUtc();
    item.text = u"holiday.jpg"_s;
    item.state = MessageState::Delivered;
    item.kind = MessageKind::File;
    QVERIFY(m_store->addReceived(item));
    const Protocol::Chat c = chat(u"beside it"_s);
    m_inbox->onChat(Bob, c);
    QTRY_COMPARE(received.size(), 1);
    const auto messages = received.first().first().value<QList<ChatMessage>>();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).id, item.id);
    QCOMPARE(messages.at(0).kind, MessageKind::File);
    QCOMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 1);
    QCOMPARE(m_transport->sentOf<Protocol::Ack>(Bob).first().id, c.id);

    QVERIFY(m_store->addReceived(item)); // stored before: a duplicate
    QVERIFY(m_store->flush());
    QCOMPARE(m_transport->sentOf<Protocol::Ack>(Bob).size(), 1);
    QCOMPARE(m_store->count(Bob), 2);
}

QTEST_GUILESS_MAIN(tst_Inbox)
#include "tst_inbox.moc"
