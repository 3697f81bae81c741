// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 15 in the real window: "Bob is typing…" in the header, Reply from a message's menu (the
// strip above the box, the quote above the sent and received message, a click on the quote
// jumps to the original), Copy text, and Delete for me. Bob is a second peer in this process.
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
#include <QClipboard>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;

class tst_ReplyView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void typingShownInHeader();
    void typingInTheBoxReachesThePeer();
    void replyFromMenuShowsQuoteOnBothSides();
    void replyCancelledWithCross();
    void quoteOfUnknownMessageNotAvailable();
    void clickOnQuoteJumpsToOriginal();
    void clickOnQuoteFarBackRevealsIt();
    void copyTextFromMenu();
    void deleteForMeAsksThenRemoves();
    void draftStaysWithItsConversation();

private:
    void openWindow(QSize size = {900, 640});
    QUuid send(const QString &text, const QUuid &replyTo = {});
    // Opens the menu of the message at `r` with the menu key and picks `entry`; the entries
    // offered land in *offered.
    void choose(int r, const QString &entry, QStringList *offered = nullptr);
    ConversationPane *pane() const { return m_window->conversation(); }
    QListView *view() const { return pane()->messageView(); }
    MessageDelegate *delegate() const { return pane()->delegate(); }
    QModelIndex row(int r) const { return view()->model()->index(r, 0); }
    int rows() const { return view()->model()->rowCount(); }

    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
    std::unique_ptr<MainWindow> m_window;
};

void tst_ReplyView::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_ReplyView::init()
{
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
    QString error;
    m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(m_bob->id()) && m_bob->peers()->peer(m_alice->id()));
    QTRY_VERIFY(m_alice->peers()->peer(m_bob->id())->online);
}

void tst_ReplyView::cleanup()
{
    m_window.reset();
    m_bob.reset();
    m_alice.reset();
}

void tst_ReplyView::openWindow(QSize size)
{
    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(size);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->peerList()->selectPeer(m_bob->id());
    QCOMPARE(pane()->peerId(), m_bob->id());
}

QUuid tst_ReplyView::send(const QString &text, const QUuid &replyTo)
{
    QString error;
    const auto id = m_bob->sendMessage(m_alice->id(), text, &error, replyTo);
    if (!id)
        qWarning() << error;
    // On disk (a sequence number), not only queued: the window reads its first page from disk.
    [&] {
        QTRY_VERIFY(m_alice->history().message(*id).has_value()
                    && m_alice->history().message(*id)->seq != 0);
    }();
    return id.value_or(QUuid());
}

void tst_ReplyView::choose(int r, const QString &entry, QStringList *offered)
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
    if (offered)
        *offered = seen;
}

void tst_ReplyView::typingShownInHeader()
{
    openWindow();
    QLabel *header = pane()->headerLabel();
    QVERIFY(!header->text().contains(u"typing"_s));
    m_bob->setTyping(m_alice->id(), true);
    QTRY_COMPARE(header->text(), u"Bob is typing…"_s);
    // His message arrives: he is no longer typing it.
    send(u"here it is"_s);
    QTRY_VERIFY(!header->text().contains(u"typing"_s));
    QVERIFY(header->text().startsWith(u"Bob"_s));
    // Typing again, then it expires without a word from him.
    m_alice->setTypingIntervals(3000, 300);
    m_bob->setTyping(m_alice->id(), false);
    m_bob->setTypingIntervals(0, 3000);
    m_bob->setTyping(m_alice->id(), true);
    QTRY_COMPARE(header->text(), u"Bob is typing…"_s);
    QTRY_VERIFY(!header->text().contains(u"typing"_s));
}

void tst_ReplyView::typingInTheBoxReachesThePeer()
{
    openWindow();
    QSignalSpy typing(m_bob.get(), &Messenger::peerTyping);
    MessageInput *input = pane()->input();
    QTest::keyClicks(input, u"hel"_s);
    QTRY_COMPARE(typing.size(), 1);
    QCOMPARE(typing.at(0).at(1).toBool(), true);
    // The box emptied: Bob is told at once.
    input->clear();
    QTRY_COMPARE(typing.size(), 2);
    QCOMPARE(typing.at(1).at(1).toBool(), false);
    // Typed and sent: on, then off with the message.
    QTest::keyClicks(input, u"hello"_s);
    QTRY_COMPARE(typing.size(), 3);
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE(typing.size(), 4);
    QCOMPARE(typing.at(3).at(1).toBool(), false);
}

void tst_ReplyView::replyFromMenuShowsQuoteOnBothSides()
{
    openWindow();
    const QUuid lunch = send(u"lunch at noon?\nor later"_s);
    QTRY_COMPARE(rows(), 1);
    QStringList offered;
    choose(0, u"Reply"_s, &offered);
    QVERIFY2(offered.contains(u"Reply"_s) && offered.contains(u"Copy text"_s)
                 && offered.contains(u"Delete for me"_s),
             qPrintable(offered.join(u", "_s)));
    ReplyStrip *strip = pane()->replyStrip();
    QVERIFY(strip->isVisible());
    QCOMPARE(strip->replyTo(), lunch);
    QVERIFY2(strip->label()->text().contains(u"Bob"_s)
                 && strip->label()->text().contains(u"lunch at noon?"_s)
                 && !strip->label()->text().contains(u"or later"_s),
             qPrintable(strip->label()->text()));
    // The box is where the window's focus goes (the offscreen platform may not give the window
    // back its activation after the menu).
    QTRY_COMPARE(m_window->focusWidget(), static_cast<QWidget *>(pane()->input()));
    QTest::keyClicks(pane()->input(), u"yes"_s);
    QTest::keyClick(pane()->input(), Qt::Key_Return);
    QTRY_COMPARE(rows(), 2);
    QVERIFY(!strip->isVisible());
    QCOMPARE(row(1).data(ConversationModel::ReplyToRole).toUuid(), lunch);
    // Shown above the text: Bob's first line.
    const QRect quote = delegate()->quoteRect(row(1));
    QVERIFY(quote.isValid());
    QVERIFY(quote.bottom() < delegate()->textRect(row(1)).top());
    QVERIFY(delegate()->bubbleRect(row(1)).contains(quote));
    QCOMPARE(delegate()->quoteLines(row(1)), std::make_pair(u"Bob"_s, u"lunch at noon?"_s));
    QVERIFY(!delegate()->quoteRect(row(0)).isValid());
    // Bob's side has the quote too, naming Alice's message as his own ("You").
    const QUuid yes = row(1).data(ConversationModel::IdRole).toUuid();
    // On disk (a sequence number): the model below reads its page from disk.
    QTRY_VERIFY(m_bob->history().message(MessageKey{yes, m_alice->id(), false}).has_value()
                && m_bob->history().message(MessageKey{yes, m_alice->id(), false})->seq != 0);
    QCOMPARE(m_bob->history().message(MessageKey{yes, m_alice->id(), false})->replyTo, lunch);
    ConversationModel *bobs = m_bob->createConversationModel(m_bob.get());
    bobs->setPeer(m_alice->id());
    QCOMPARE(bobs->index(1, 0).data(ConversationModel::QuotedRole).value<ChatMessage>().id, lunch);
    QVERIFY(bobs->index(1, 0).data(ConversationModel::QuotedRole).value<ChatMessage>().outgoing);
}

void tst_ReplyView::replyCancelledWithCross()
{
    openWindow();
    send(u"question"_s);
    QTRY_COMPARE(rows(), 1);
    choose(0, u"Reply"_s);
    ReplyStrip *strip = pane()->replyStrip();
    QVERIFY(strip->isVisible());
    QTest::mouseClick(strip->cancelButton(), Qt::LeftButton);
    QVERIFY(!strip->isVisible());
    QTest::keyClicks(pane()->input(), u"unrelated"_s);
    QTest::keyClick(pane()->input(), Qt::Key_Return);
    QTRY_COMPARE(rows(), 2);
    QVERIFY(row(1).data(ConversationModel::ReplyToRole).toUuid().isNull());
    QVERIFY(!delegate()->quoteRect(row(1)).isValid());
}

void tst_ReplyView::quoteOfUnknownMessageNotAvailable()
{
    openWindow();
    const QUuid first = send(u"soon deleted"_s);
    QTRY_COMPARE(rows(), 1);
    pane()->deleteForMe(row(0), false);
    QTRY_COMPARE(rows(), 0);
    // Bob still has it, and quotes it: Alice no longer holds the original.
    send(u"as I said"_s, first);
    QTRY_COMPARE(rows(), 1);
    QCOMPARE(row(0).data(ConversationModel::ReplyToRole).toUuid(), first);
    QCOMPARE(delegate()->quoteLines(row(0)).second, u"Original message not available"_s);
    QVERIFY(delegate()->quoteLines(row(0)).first.isEmpty());
    QVERIFY(!pane()->revealQuoted(row(0))); // nowhere to go
}

void tst_ReplyView::clickOnQuoteJumpsToOriginal()
{
    openWindow({700, 400});
    const QUuid original = send(u"the original"_s);
    for (int i = 0; i < 30; ++i)
        send(u"filler %1"_s.arg(i));
    send(u"about that"_s, original);
    QTRY_COMPARE(rows(), 32);
    view()->scrollToBottom();
    QTRY_VERIFY(view()->viewport()->rect().intersects(view()->visualRect(row(31))));
    QVERIFY(!view()->viewport()->rect().intersects(view()->visualRect(row(0))));
    const QRect quote = delegate()->quoteRect(row(31));
    QVERIFY(quote.isValid());
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, quote.center());
    QTRY_VERIFY(view()->viewport()->rect().intersects(view()->visualRect(row(0))));
    QCOMPARE(view()->currentIndex().row(), 0);
    QVERIFY(delegate()->isFlashed(row(0)));
    QTRY_VERIFY(!delegate()->isFlashed(row(0))); // the flash ends by itself
}

void tst_ReplyView::clickOnQuoteFarBackRevealsIt()
{
    // The original is older than the page the conversation opened with: its page is loaded.
    const QUuid original = send(u"long ago"_s);
    for (int i = 0; i < ConversationModel::PageSize + 20; ++i)
        send(u"filler %1"_s.arg(i));
    send(u"about that"_s, original);
    // Read already: the conversation opens at its newest page, not at a first unread far back.
    m_alice->markRead(m_bob->id());
    QTRY_COMPARE(m_alice->peers()->peer(m_bob->id())->unread, 0);
    openWindow({700, 400});
    QTRY_VERIFY(rows() > 0);
    const int last = rows() - 1;
    QVERIFY(pane()->model()->hasOlder()); // "long ago" is not loaded
    QCOMPARE(row(last).data(ConversationModel::ReplyToRole).toUuid(), original);
    view()->scrollToBottom();
    const QRect quote = delegate()->quoteRect(row(last));
    QVERIFY(quote.isValid());
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, quote.center());
    const QModelIndex current = view()->currentIndex();
    QVERIFY(current.isValid());
    QCOMPARE(current.data(ConversationModel::IdRole).toUuid(), original);
    QVERIFY(view()->viewport()->rect().intersects(view()->visualRect(current)));
    QVERIFY(delegate()->isFlashed(current));
}

void tst_ReplyView::copyTextFromMenu()
{
    openWindow();
    send(u"copy\nall of me"_s);
    QTRY_COMPARE(rows(), 1);
    QApplication::clipboard()->clear();
    choose(0, u"Copy text"_s);
    QCOMPARE(QApplication::clipboard()->text(), u"copy\nall of me"_s);
}

void tst_ReplyView::deleteForMeAsksThenRemoves()
{
    openWindow();
    const QUuid theirs = send(u"theirs"_s);
    QTest::keyClicks(pane()->input(), u"mine"_s);
    QTest::keyClick(pane()->input(), Qt::Key_Return);
    QTRY_COMPARE(rows(), 2);
    const QUuid mine = row(1).data(ConversationModel::IdRole).toUuid();
    QTRY_VERIFY(m_bob->history().message(MessageKey{mine, m_alice->id(), false}).has_value());
    QTRY_COMPARE(MessageState(row(1).data(ConversationModel::StateRole).toInt()),
                 MessageState::Delivered);

    // The question comes; "Cancel" keeps the message, "Delete" removes it.
    auto answer = [this](const QString &button) {
        auto *timer = new QTimer(this);
        connect(timer, &QTimer::timeout, this, [timer, button] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            for (QAbstractButton *b : box->buttons()) {
                if (MainWindow::withoutMnemonic(b->text()) == button) {
                    timer->deleteLater();
                    timer->stop();
                    b->click();
                    return;
                }
            }
        });
        timer->start(10);
    };
    answer(u"Cancel"_s);
    choose(1, u"Delete for me"_s);
    QCOMPARE(rows(), 2);
    answer(u"Delete"_s);
    choose(1, u"Delete for me"_s);
    QTRY_COMPARE(rows(), 1);
    // The Delete key asks the same for a message that is not waiting.
    answer(u"Delete"_s);
    view()->setCurrentIndex(row(0));
    QTest::keyClick(view(), Qt::Key_Delete);
    QTRY_COMPARE(rows(), 0);
    QCOMPARE(m_alice->history().count(m_bob->id()), 0);
    // Bob keeps both.
    QVERIFY(m_bob->history().message(MessageKey{theirs, m_alice->id(), true}).has_value());
    QVERIFY(m_bob->history().message(MessageKey{mine, m_alice->id(), false}).has_value());
}

void tst_ReplyView::draftStaysWithItsConversation()
{
    auto carol = makePeer(u"Carol"_s);
    QString error;
    carol->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(carol->id()) && m_alice->peers()->peer(carol->id())->online);
    openWindow();
    MessageInput *input = pane()->input();
    QTest::keyClicks(input, u"half a thought for Bob"_s);

    // Another conversation opens with an empty box; Enter there sends only what is typed there.
    m_window->peerList()->selectPeer(carol->id());
    QCOMPARE(pane()->peerId(), carol->id());
    QCOMPARE(input->toPlainText(), QString());
    QTest::keyClicks(input, u"hello Carol"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE(carol->history().conversation(m_alice->id()).size(), 1);
    QCOMPARE(carol->history().conversation(m_alice->id()).first().text, u"hello Carol"_s);
    QVERIFY(m_bob->history().conversation(m_alice->id()).isEmpty());

    // Back to Bob: the half-written message is there, to go on with.
    m_window->peerList()->selectPeer(m_bob->id());
    QCOMPARE(input->toPlainText(), u"half a thought for Bob"_s);
    QCOMPARE(input->textCursor().position(), input->toPlainText().size());
    QTest::keyClicks(input, u", finished"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE(m_bob->history().conversation(m_alice->id()).size(), 1);
    QCOMPARE(m_bob->history().conversation(m_alice->id()).first().text,
             u"half a thought for Bob, finished"_s);
    // Sent: nothing is kept for Carol or Bob any more.
    m_window->peerList()->selectPeer(carol->id());
    QCOMPARE(input->toPlainText(), QString());
    m_window->peerList()->selectPeer(m_bob->id());
    QCOMPARE(input->toPlainText(), QString());
    m_window.reset(); // before Carol goes
}

QTEST_MAIN(tst_ReplyView)
#include "tst_replyview.moc"
