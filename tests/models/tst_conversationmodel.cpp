// SPDX-License-Identifier: GPL-3.0-or-later
// The conversation the window shows: pages, late arrivals, and state changes that find their
// row however the rows have moved.
#include "models/conversationmodel.h"
#include "storage/messagestore.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Peer = QString(64, u'b');

ChatMessage outgoing(qint64 sentAtMs, const QString &text)
{
    ChatMessage m;
    m.id = QUuid::createUuid();
    m.peerId = Peer;
    m.outgoing = true;
    m.sentAt = QDateTime::fromMSecsSinceEpoch(sentAtMs, Qt::UTC);
    m.receivedAt = m.sentAt;
    m.text = text;
    m.state = MessageState::Queued;
    return m;
}

} // namespace

class tst_ConversationModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stateChangesFindTheirRow();
};

void tst_ConversationModel::stateChangesFindTheirRow()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    QList<ChatMessage> all;
    for (int i = 0; i < 250; ++i) {
        all.append(outgoing(1000 + 10 * i, QString::number(i)));
        store.addOutgoing(all.constLast());
    }
    QVERIFY(store.flush());
    ConversationModel model(store);
    model.setPeer(Peer);
    QCOMPARE(model.rowCount(), ConversationModel::PageSize);
    auto stateOf = [&](const QString &text) {
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.messageAt(row).text == text)
                return MessageState(
                    model.data(model.index(row), ConversationModel::StateRole).toInt());
        }
        return MessageState::Failed; // not shown
    };
    auto deliver = [&](int i) {
        store.setState(all.at(i), MessageState::Delivered);
        QVERIFY(store.flush());
    };

    deliver(249); // the newest
    QCOMPARE(stateOf(u"249"_s), MessageState::Delivered);
    QCOMPARE(model.loadOlder(), ConversationModel::PageSize); // every row moves down by 100
    deliver(160);
    QCOMPARE(stateOf(u"160"_s), MessageState::Delivered);
    QCOMPARE(stateOf(u"159"_s), MessageState::Queued);

    // A message whose sender's clock says it is older goes where it arrived: at the end, not
    // among the rows its timestamp would put it (the sender's clock orders nothing).
    ChatMessage late = outgoing(1000 + 10 * 240 + 5, u"late"_s);
    store.addOutgoing(late);
    QVERIFY(store.flush());
    QCOMPARE(model.messageAt(model.rowCount() - 1).text, u"late"_s);
    deliver(245);
    QCOMPARE(stateOf(u"245"_s), MessageState::Delivered);

    // A removal moves the rows after it up.
    store.remove(all.at(200).id);
    QVERIFY(store.flush());
    QCOMPARE(stateOf(u"200"_s), MessageState::Failed); // gone from the view
    deliver(201);
    QCOMPARE(stateOf(u"201"_s), MessageState::Delivered);
    QCOMPARE(stateOf(u"202"_s), MessageState::Queued);
}

QTEST_GUILESS_MAIN(tst_ConversationModel)
#include "tst_conversationmodel.moc"
