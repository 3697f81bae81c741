// SPDX-License-Identifier: GPL-3.0-or-later
// The conversation the window shows: pages, late arrivals, and state changes that find their
// row however the rows have moved.
#include "models/conversationmodel.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Peer = QString(64, u'b');

ChatMessage outgoing(qint64 sentAtMs, const QString &text, const QString &peer = Peer)
{
    ChatMessage m;
    m.id = QUuid::createUuid();
    m.peerId = peer;
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
    void revealMessageLoadsOnlyThePageAroundIt();
    void revealedWindowGrowsToTheNewestEnd();
    void revealMessageNotInTheConversation();
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

// --- Revealing a message (issue 15) ---
namespace {

// The texts of the rows, in order.
QStringList texts(const ConversationModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.messageAt(row).text);
    return out;
}

QStringList numbers(int from, int to) // [from, to)
{
    QStringList out;
    for (int i = from; i < to; ++i)
        out.append(QString::number(i));
    return out;
}

} // namespace

void tst_ConversationModel::revealMessageLoadsOnlyThePageAroundIt()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    QList<ChatMessage> all;
    for (int i = 0; i < 2000; ++i) {
        all.append(outgoing(1000 + i, QString::number(i)));
        store.addOutgoing(all.constLast());
        // Another conversation's messages between them: seq is not a row number.
        store.addOutgoing(outgoing(1000 + i, u"other"_s, QString(64, u'c')));
    }
    QVERIFY(store.flush());
    ConversationModel model(store);
    model.setPeer(Peer);
    QVERIFY(!model.hasNewer());

    // Far back: the half page each side of it, not the 1,700 messages between.
    const int row = model.revealMessage(all.at(300).id);
    QCOMPARE(row, ConversationModel::PageSize / 2);
    QCOMPARE(model.messageAt(row).id, all.at(300).id);
    QCOMPARE(texts(model), numbers(250, 351));
    QVERIFY(model.hasOlder());
    QVERIFY(model.hasNewer());

    // One already among the rows: found where it is, nothing reloaded.
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QCOMPARE(model.revealMessage(all.at(340).id), ConversationModel::PageSize / 2 + 40);
    QCOMPARE(resets.count(), 0);

    // Scrolling up and down from there.
    QCOMPARE(model.loadOlder(), ConversationModel::PageSize);
    QCOMPARE(model.loadNewer(), ConversationModel::PageSize);
    QCOMPARE(texts(model), numbers(150, 451));

    // The very first message: nothing older.
    QCOMPARE(model.revealMessage(all.at(0).id), 0);
    QVERIFY(!model.hasOlder());
    QCOMPARE(texts(model), numbers(0, 51));

    // Back to the newest end, as the conversation opens.
    model.loadNewest();
    QVERIFY(!model.hasNewer());
    QCOMPARE(texts(model), numbers(1900, 2000));
}

void tst_ConversationModel::revealedWindowGrowsToTheNewestEnd()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    QList<ChatMessage> all;
    for (int i = 0; i < 400; ++i) {
        all.append(outgoing(1000 + i, QString::number(i)));
        store.addOutgoing(all.constLast());
    }
    QVERIFY(store.flush());
    ConversationModel model(store);
    model.setPeer(Peer);
    QVERIFY(model.revealMessage(all.at(100).id) >= 0);
    QVERIFY(model.hasNewer());

    // A message arriving while the window is far back is not stuck onto its end...
    store.addOutgoing(outgoing(5000, u"new"_s));
    QVERIFY(store.flush());
    QCOMPARE(texts(model), numbers(50, 151));
    // ...it is there, in its place, when the person scrolls down to it.
    while (model.hasNewer())
        QVERIFY(model.loadNewer() > 0);
    QCOMPARE(texts(model), numbers(50, 400) << u"new"_s);
    // At the newest end again: the next arrival is appended at once.
    store.addOutgoing(outgoing(6000, u"newer"_s));
    QVERIFY(store.flush());
    QCOMPARE(model.messageAt(model.rowCount() - 1).text, u"newer"_s);
    QCOMPARE(model.loadNewer(), 0);
}

void tst_ConversationModel::revealMessageNotInTheConversation()
{
    MessageStore store;
    QString error;
    QVERIFY(store.open(u":memory:"_s, &error));
    const ChatMessage mine = outgoing(1000, u"mine"_s);
    const ChatMessage elsewhere = outgoing(1001, u"elsewhere"_s, QString(64, u'c'));
    store.addOutgoing(mine);
    store.addOutgoing(elsewhere);
    QVERIFY(store.flush());
    ConversationModel model(store);
    QCOMPARE(model.revealMessage(mine.id), -1); // no conversation open
    model.setPeer(Peer);
    QCOMPARE(model.revealMessage(QUuid::createUuid()), -1);
    QCOMPARE(model.revealMessage(elsewhere.id), -1);
    QCOMPARE(model.revealMessage(mine.id), 0);
    QCOMPARE(texts(model), QStringList{u"mine"_s});
    QVERIFY(!model.hasNewer());
}
// --- end Revealing a message ---

QTEST_GUILESS_MAIN(tst_ConversationModel)
#include "tst_conversationmodel.moc"
