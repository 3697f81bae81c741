// SPDX-License-Identifier: GPL-3.0-or-later
// Reply with a quote in a GROUP conversation in the real window (issue 15): Reply from a
// member's message's menu, the strip names that member, the quote above the sent reply names
// the quoted message's author on every side, a click on it jumps to the original, and a quote
// of a message this history no longer holds reads "Original message not available". Alice has
// the window; Bob and Carol are real Messengers in this process, on loopback.
#include "conversationpane.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/networksafety.h"
#include "peerlistview.h"
#include "replystrip.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QApplication>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

// `b` dials `a`; both know each other online once this returns true.
bool meet(Messenger &a, Messenger &b)
{
    QString error;
    if (!b.connectToAddress(u"127.0.0.1:%1"_s.arg(a.port()), &error))
        return false;
    return QTest::qWaitFor([&] {
        const auto ab = a.peers()->peer(b.id());
        const auto ba = b.peers()->peer(a.id());
        return ab && ab->online && ba && ba->online;
    });
}

} // namespace

class tst_GroupReplyView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void replyInGroupShowsQuoteForEveryMember();
    void quoteOfMessageNoLongerHeldNotAvailable();

private:
    // A text by `from` in the group, once Alice's window shows it; its row.
    int say(Messenger &from, const QString &text, const QUuid &replyTo = {});
    // Opens the menu of the row `r` with the menu key and picks `entry`; what it offered.
    QStringList choose(int r, const QString &entry);
    ConversationPane *pane() const { return m_window->conversation(); }
    QListView *view() const { return pane()->messageView(); }
    MessageDelegate *delegate() const { return pane()->delegate(); }
    QModelIndex row(int r) const { return view()->model()->index(r, 0); }
    int rows() const { return view()->model()->rowCount(); }

    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
    std::unique_ptr<Messenger> m_carol;
    std::unique_ptr<MainWindow> m_window;
    QString m_group;
};

void tst_GroupReplyView::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_GroupReplyView::init()
{
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
    m_carol = makePeer(u"Carol"_s);
    QVERIFY(meet(*m_alice, *m_bob));
    QVERIFY(meet(*m_alice, *m_carol));
    QVERIFY(meet(*m_bob, *m_carol));
    QString error;
    const auto group = m_bob->createGroup(u"Lunch"_s, {m_alice->id(), m_carol->id()}, &error);
    QVERIFY2(group, qPrintable(error));
    m_group = *group;
    QTRY_VERIFY(m_alice->peers()->rowOf(m_group) >= 0);
    QTRY_VERIFY(m_carol->group(m_group).has_value());
    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(900, 640);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->peerList()->selectPeer(m_group);
    QCOMPARE(pane()->peerId(), m_group);
    QTRY_COMPARE(rows(), 1); // Bob created the group (an event: no Reply)
    QVERIFY(!choose(0, QString()).contains(u"Reply"_s));
}

void tst_GroupReplyView::cleanup()
{
    m_window.reset();
    m_carol.reset();
    m_bob.reset();
    m_alice.reset();
}

int tst_GroupReplyView::say(Messenger &from, const QString &text, const QUuid &replyTo)
{
    const int before = rows();
    QString error;
    const auto id = from.sendGroupMessage(m_group, text, &error, replyTo);
    if (!id)
        qWarning() << error;
    [&] { QTRY_COMPARE(rows(), before + 1); }();
    return before;
}

QStringList tst_GroupReplyView::choose(int r, const QString &entry)
{
    view()->setFocus();
    view()->setCurrentIndex(row(r));
    QStringList seen;
    QTimer::singleShot(0, this, [&seen, entry] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        QAction *chosen = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->isSeparator())
                continue;
            seen.append(MainWindow::withoutMnemonic(action->text()));
            if (seen.constLast() == entry)
                chosen = action;
        }
        if (chosen) {
            menu->setActiveAction(chosen);
            QTest::keyClick(menu, Qt::Key_Return);
        } else {
            menu->close();
        }
    });
    QTest::keyClick(view(), Qt::Key_Menu);
    return seen;
}

void tst_GroupReplyView::replyInGroupShowsQuoteForEveryMember()
{
    const int asked = say(*m_carol, u"lunch at noon?\nor later"_s);
    const QUuid lunch = row(asked).data(ConversationModel::IdRole).toUuid();
    const QStringList offered = choose(asked, u"Reply"_s);
    QVERIFY2(offered.contains(u"Reply"_s), qPrintable(offered.join(u", "_s)));
    ReplyStrip *strip = pane()->replyStrip();
    QVERIFY(strip->isVisible());
    QCOMPARE(strip->replyTo(), lunch);
    // The quoted message's author, not the group's name.
    QVERIFY2(strip->label()->text().contains(u"Carol"_s)
                 && strip->label()->text().contains(u"lunch at noon?"_s)
                 && !strip->label()->text().contains(u"Lunch"_s),
             qPrintable(strip->label()->text()));
    QTRY_COMPARE(m_window->focusWidget(), static_cast<QWidget *>(pane()->input()));
    QTest::keyClicks(pane()->input(), u"yes"_s);
    QTest::keyClick(pane()->input(), Qt::Key_Return);
    QTRY_COMPARE(rows(), asked + 2);
    QVERIFY(!strip->isVisible());
    const QModelIndex answer = row(asked + 1);
    QCOMPARE(answer.data(ConversationModel::ReplyToRole).toUuid(), lunch);
    const QRect quote = delegate()->quoteRect(answer);
    QVERIFY(quote.isValid());
    QVERIFY(quote.bottom() < delegate()->textRect(answer).top());
    QCOMPARE(delegate()->quoteLines(answer), std::make_pair(u"Carol"_s, u"lunch at noon?"_s));

    // Bob and Carol hold the reply with its quote: Bob sees Carol's message quoted, Carol her own.
    const QUuid yes = answer.data(ConversationModel::IdRole).toUuid();
    for (Messenger *m : {m_bob.get(), m_carol.get()}) {
        QTRY_VERIFY(m->history().message(MessageKey{yes, m_group, false}).has_value());
        QCOMPARE(m->history().message(MessageKey{yes, m_group, false})->replyTo, lunch);
        ConversationModel *model = m->createConversationModel(m);
        model->setPeer(m_group);
        const auto rowOf = [&] {
            for (int r = 0; r < model->rowCount(); ++r) {
                if (model->index(r, 0).data(ConversationModel::IdRole).toUuid() == yes)
                    return model->index(r, 0);
            }
            return QModelIndex();
        };
        QTRY_VERIFY(rowOf().isValid()); // once the store has written it
        const QModelIndex reply = rowOf();
        QCOMPARE(reply.data(ConversationModel::ReplyToRole).toUuid(), lunch);
        const auto q = reply.data(ConversationModel::QuotedRole).value<ChatMessage>();
        QCOMPARE(q.id, lunch);
        QCOMPARE(q.author, m_carol->id());
        QCOMPARE(q.outgoing, m == m_carol.get());
    }

    // Bob quotes Alice's reply: in her window the quote is hers ("You").
    const int back = say(*m_bob, u"see you there"_s, yes);
    QCOMPARE(delegate()->quoteLines(row(back)), std::make_pair(u"You"_s, u"yes"_s));
    // A click on the quote goes to the original.
    view()->setCurrentIndex(row(back));
    QTest::mouseClick(view()->viewport(),
                      Qt::LeftButton,
                      {},
                      delegate()->quoteRect(row(back)).center());
    QTRY_COMPARE(view()->currentIndex().row(), asked + 1);
    QVERIFY(delegate()->isFlashed(row(asked + 1)));
}

void tst_GroupReplyView::quoteOfMessageNoLongerHeldNotAvailable()
{
    const int first = say(*m_bob, u"soon deleted"_s);
    const QUuid original = row(first).data(ConversationModel::IdRole).toUuid();
    pane()->deleteForMe(row(first), false);
    QTRY_COMPARE(rows(), first);
    // Bob still has it, and quotes it.
    const int reply = say(*m_bob, u"as I said"_s, original);
    QCOMPARE(row(reply).data(ConversationModel::ReplyToRole).toUuid(), original);
    QCOMPARE(delegate()->quoteLines(row(reply)).second, u"Original message not available"_s);
    QVERIFY(delegate()->quoteLines(row(reply)).first.isEmpty());
    QVERIFY(!pane()->revealQuoted(row(reply)));
}

QTEST_MAIN(tst_GroupReplyView)
#include "tst_groupreplyview.moc"
