// SPDX-License-Identifier: GPL-3.0-or-later
// The conversation as a person sees it in the real window: line breaks, bubble heights and
// scrolling, where a conversation opens, selecting text, links, the keyboard, screen readers
// and a dark palette. Bob is a second peer in this process.
#include "conversationpane.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/networksafety.h"
#include "peerlistview.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QAccessible>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QListView>
#include <QMenu>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

// Receives the links the window opens, instead of a browser.
class LinkCatcher : public QObject
{
    Q_OBJECT

public:
    QList<QUrl> opened;

public Q_SLOTS:
    void open(const QUrl &url) { opened.append(url); }
};

class tst_ConversationView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void lineBreaksShownOnBothSides();
    void bubblesNeverOverlapAfterResize();
    void bottomOfLongMessageScrollsIntoView();
    void opensAtNewest();
    void opensAtFirstUnread();
    void textSelectableAndCopied();
    void linkOpensOnClick();
    void retryAndDeleteFromKeyboard();
    void messagesHaveAccessibleText();
    void darkPaletteGivesDarkBubbles();

private:
    void openWindow(QSize size = {900, 640});
    void send(const QString &text);
    QListView *view() const { return m_window->conversation()->messageView(); }
    MessageDelegate *delegate() const { return m_window->conversation()->delegate(); }
    QModelIndex row(int r) const { return view()->model()->index(r, 0); }
    int rows() const { return view()->model()->rowCount(); }

    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
    std::unique_ptr<MainWindow> m_window;
};

void tst_ConversationView::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_ConversationView::init()
{
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
    QString error;
    m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(m_bob->id()) && m_bob->peers()->peer(m_alice->id()));
}

void tst_ConversationView::cleanup()
{
    m_window.reset();
    m_bob.reset();
    m_alice.reset();
    QApplication::setPalette(QPalette());
}

void tst_ConversationView::openWindow(QSize size)
{
    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(size);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->peerList()->selectPeer(m_bob->id());
    QCOMPARE(m_window->conversation()->peerId(), m_bob->id());
}

void tst_ConversationView::send(const QString &text)
{
    // Bob writes; Alice's history has it once it is delivered.
    QString error;
    const auto id = m_bob->sendMessage(m_alice->id(), text, &error);
    QVERIFY2(id, qPrintable(error));
    QTRY_VERIFY(m_alice->history().message(*id).has_value());
}

void tst_ConversationView::lineBreaksShownOnBothSides()
{
    openWindow();
    // Bob's three lines, and Alice's two typed with Shift+Enter, each on their own line.
    send(u"one\ntwo\nthree"_s);
    MessageInput *input = m_window->conversation()->input();
    QTest::keyClicks(input, u"first"_s);
    QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(input, u"second"_s);
    QTest::keyClick(input, Qt::Key_Return);
    send(u"one line"_s);
    QTRY_COMPARE(rows(), 3);

    const int line = view()->fontMetrics().lineSpacing();
    const QRect received = delegate()->textRect(row(0));
    const QRect sent = delegate()->textRect(row(1));
    const QRect single = delegate()->textRect(row(2));
    QVERIFY(row(1).data(ConversationModel::OutgoingRole).toBool());
    QVERIFY2(received.height() >= 3 * line, qPrintable(QString::number(received.height())));
    QVERIFY2(sent.height() >= 2 * line, qPrintable(QString::number(sent.height())));
    QVERIFY(single.height() < 2 * line);
    // Only as wide as the longest line, not the three side by side.
    QVERIFY(received.width() < view()->fontMetrics().horizontalAdvance(u"one two three"_s));
}

void tst_ConversationView::bubblesNeverOverlapAfterResize()
{
    openWindow();
    const QString longText
        = u"A long message that wraps over several lines of the bubble. "_s.repeated(6);
    for (int i = 0; i < 6; ++i)
        send(i % 2 ? longText : u"short %1"_s.arg(i));
    QTRY_COMPARE(rows(), 6);

    for (const int width : {900, 520, 1100, 640}) {
        m_window->resize(width, 640);
        QTRY_COMPARE(m_window->width(), width);
        QCoreApplication::processEvents();
        for (int r = 0; r < rows(); ++r) {
            const QRect bubble = delegate()->bubbleRect(row(r));
            // Inside its row, and its row does not reach into the next one.
            QVERIFY2(view()->visualRect(row(r)).contains(bubble),
                     qPrintable(u"width %1, row %2"_s.arg(width).arg(r)));
            if (r + 1 < rows())
                QVERIFY(bubble.bottom() < delegate()->bubbleRect(row(r + 1)).top());
            QVERIFY(bubble.right() < view()->viewport()->width());
        }
        QVERIFY(!view()->horizontalScrollBar()->isVisible());
    }
}

void tst_ConversationView::bottomOfLongMessageScrollsIntoView()
{
    openWindow({700, 360}); // shorter than the message
    QString text;
    for (int i = 0; i < 20; ++i)
        text += u"line %1\n"_s.arg(i);
    send(u"before"_s);
    send(text + u"the end"_s);
    QTRY_COMPARE(rows(), 2);
    const QModelIndex last = row(1);
    QVERIFY(delegate()->bubbleRect(last).height() > view()->viewport()->height());
    // Scrolled to the end, the time under the last line is on screen.
    QScrollBar *bar = view()->verticalScrollBar();
    bar->setValue(bar->maximum());
    const QRect footer = delegate()->footerRect(last);
    QVERIFY2(footer.bottom() < view()->viewport()->height() && footer.top() >= 0,
             qPrintable(u"footer %1..%2 in %3"_s.arg(footer.top())
                            .arg(footer.bottom())
                            .arg(view()->viewport()->height())));
    QVERIFY(!view()->horizontalScrollBar()->isVisible());
}

void tst_ConversationView::opensAtNewest()
{
    for (int i = 0; i < 30; ++i)
        send(u"message %1\nwith a second line"_s.arg(i));
    m_alice->markRead(m_bob->id());
    QTRY_COMPARE(m_alice->peers()->peer(m_bob->id())->unread, 0);
    openWindow({700, 400});
    const QRect newest = delegate()->bubbleRect(row(rows() - 1));
    QVERIFY(view()->verticalScrollBar()->maximum() > 0);
    QVERIFY2(newest.top() >= 0 && newest.bottom() < view()->viewport()->height(),
             qPrintable(u"%1..%2"_s.arg(newest.top()).arg(newest.bottom())));
}

void tst_ConversationView::opensAtFirstUnread()
{
    // 150 read, then 120 unread: more than one page.
    for (int i = 0; i < 150; ++i)
        send(u"old %1"_s.arg(i));
    // All 150 committed and counted before they are read (send() sees a message as soon as
    // Alice's store has it queued; one still being committed would count as unread later).
    QTRY_COMPARE(m_alice->peers()->peer(m_bob->id())->unread, 150);
    m_alice->markRead(m_bob->id());
    QTRY_COMPARE(m_alice->peers()->peer(m_bob->id())->unread, 0);
    for (int i = 0; i < 120; ++i)
        send(u"new %1"_s.arg(i));
    QTRY_COMPARE(m_alice->peers()->peer(m_bob->id())->unread, 120);

    openWindow({700, 400});
    int first = -1;
    for (int r = 0; r < rows() && first < 0; ++r) {
        if (row(r).data(ConversationModel::TextRole).toString() == u"new 0"_s)
            first = r;
    }
    QVERIFY2(first >= 0, "the first unread message was loaded");
    const QRect shown = view()->visualRect(row(first));
    QVERIFY2(shown.top() >= 0 && shown.top() < view()->viewport()->height() / 4,
             qPrintable(u"first unread at y=%1"_s.arg(shown.top())));
    // The one before it (read) is above the fold.
    QVERIFY(view()->visualRect(row(first - 1)).top() < 0);
}

void tst_ConversationView::textSelectableAndCopied()
{
    openWindow();
    send(u"select me please"_s);
    QTRY_COMPARE(rows(), 1);
    const QRect text = delegate()->textRect(row(0));
    const QFontMetrics fm(view()->font());
    QWidget *viewport = view()->viewport();
    const int y = text.top() + fm.height() / 2;
    // Press before the first letter, drag to the end of "select me", release.
    QTest::mousePress(viewport, Qt::LeftButton, {}, QPoint(text.left() + 1, y));
    QTest::mouseMove(viewport, QPoint(text.left() + fm.horizontalAdvance(u"select me"_s), y));
    QTest::mouseRelease(viewport,
                        Qt::LeftButton,
                        {},
                        QPoint(text.left() + fm.horizontalAdvance(u"select me"_s), y));
    QCOMPARE(delegate()->selectedText(), u"select me"_s);
    QVERIFY(delegate()->hasSelection(row(0)));
    view()->setFocus();
    QApplication::clipboard()->clear();
    QTest::keySequence(view(), QKeySequence::Copy);
    QCOMPARE(QApplication::clipboard()->text(), u"select me"_s);
    // A click elsewhere ends the selection.
    QTest::mouseClick(viewport, Qt::LeftButton, {}, QPoint(5, viewport->height() - 5));
    QVERIFY(!delegate()->hasSelection(row(0)));
}

void tst_ConversationView::linkOpensOnClick()
{
    LinkCatcher catcher;
    QDesktopServices::setUrlHandler(u"https"_s, &catcher, "open");
    openWindow();
    send(u"see https://example.org/page. Thanks"_s);
    QTRY_COMPARE(rows(), 1);
    const QRect text = delegate()->textRect(row(0));
    const QFontMetrics fm(view()->font());
    const QPoint onLink(text.left() + fm.horizontalAdvance(u"see https://exa"_s),
                        text.top() + fm.height() / 2);
    QCOMPARE(delegate()->linkAt(row(0), onLink), QUrl(u"https://example.org/page"_s));
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, onLink);
    QCOMPARE(catcher.opened, QList<QUrl>{QUrl(u"https://example.org/page"_s)});
    // Plain text is not a link.
    QTest::mouseClick(view()->viewport(),
                      Qt::LeftButton,
                      {},
                      QPoint(text.left() + 2, text.top() + fm.height() / 2));
    QCOMPARE(catcher.opened.size(), 1);
    QDesktopServices::unsetUrlHandler(u"https"_s);
}

void tst_ConversationView::retryAndDeleteFromKeyboard()
{
    openWindow();
    // Bob leaves: what Alice writes now waits.
    m_bob.reset();
    QTRY_VERIFY(!m_alice->peers()->peer(m_window->conversation()->peerId())->online);
    MessageInput *input = m_window->conversation()->input();
    for (const QString &text : {u"first"_s, u"second"_s}) {
        QTest::keyClicks(input, text);
        QTest::keyClick(input, Qt::Key_Return);
    }
    QTRY_COMPARE(rows(), 2);
    QTRY_COMPARE(MessageState(row(1).data(ConversationModel::StateRole).toInt()),
                 MessageState::Queued);

    // Shift+Tab from the box reaches the messages; Up picks the first.
    QTest::keyClick(input, Qt::Key_Backtab);
    QVERIFY2(view()->hasFocus(), QApplication::focusWidget()->metaObject()->className());
    view()->setCurrentIndex(row(1));
    QTest::keyClick(view(), Qt::Key_Up);
    QCOMPARE(view()->currentIndex().row(), 0);

    // The menu key opens the message's menu, with Retry and Delete; Delete is chosen.
    QStringList offered;
    QTimer::singleShot(0, this, [&offered] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        QAction *remove = nullptr;
        for (QAction *action : menu->actions()) {
            offered.append(MainWindow::withoutMnemonic(action->text()));
            if (offered.constLast() == u"Delete"_s)
                remove = action;
        }
        menu->setActiveAction(remove);
        QTest::keyClick(menu, Qt::Key_Return);
    });
    QTest::keyClick(view(), Qt::Key_Menu);
    QVERIFY2(offered.contains(u"Retry now"_s) && offered.contains(u"Delete"_s),
             qPrintable(offered.join(u", "_s)));
    QTRY_COMPARE(rows(), 1);
    QCOMPARE(row(0).data(ConversationModel::TextRole).toString(), u"second"_s);

    // The Delete key takes back the one under the focus.
    view()->setCurrentIndex(row(0));
    QTest::keyClick(view(), Qt::Key_Delete);
    QTRY_COMPARE(rows(), 0);
}

void tst_ConversationView::messagesHaveAccessibleText()
{
    openWindow();
    send(u"hello there"_s);
    QTest::keyClicks(m_window->conversation()->input(), u"hi Bob"_s);
    QTest::keyClick(m_window->conversation()->input(), Qt::Key_Return);
    QTRY_COMPARE(rows(), 2);
    QTRY_COMPARE(MessageState(row(1).data(ConversationModel::StateRole).toInt()),
                 MessageState::Delivered);

    QAccessibleInterface *list = QAccessible::queryAccessibleInterface(view());
    QVERIFY(list);
    QCOMPARE(list->childCount(), 2);
    const QString received = list->child(0)->text(QAccessible::Name);
    const QString sent = list->child(1)->text(QAccessible::Name);
    const QString time
        = QLocale().toString(row(0).data(ConversationModel::SentAtRole).toDateTime().toLocalTime(),
                             QLocale::ShortFormat);
    for (const QString &part : {u"Bob"_s, time, u"hello there"_s})
        QVERIFY2(received.contains(part), qPrintable(received));
    for (const QString &part :
         {u"You"_s, MessageDelegate::stateText(int(MessageState::Delivered)), u"hi Bob"_s})
        QVERIFY2(sent.contains(part), qPrintable(sent));
}

void tst_ConversationView::darkPaletteGivesDarkBubbles()
{
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::Link, QColor(0x8a, 0xb4, 0xf8));
    QApplication::setPalette(dark);
    openWindow();
    send(u"from Bob,\nwith a link: https://example.org/menu"_s);
    QTest::keyClicks(m_window->conversation()->input(), u"from Alice"_s);
    QTest::keyClick(m_window->conversation()->input(), Qt::Key_Return);
    QTRY_COMPARE(rows(), 2);
    QTRY_COMPARE(MessageState(row(1).data(ConversationModel::StateRole).toInt()),
                 MessageState::Delivered);
    // For the README: the window as this test sees it.
    if (const QString dir = qEnvironmentVariable("SHOAL_SCREENSHOT_DIR"); !dir.isEmpty())
        QVERIFY(m_window->grab().save(dir + u"/screenshot-dark.png"_s));

    const QImage shot = view()->viewport()->grab().toImage();
    for (int r = 0; r < 2; ++r) {
        const QRect bubble = delegate()->bubbleRect(row(r));
        // Between the bubble's edge and its text: the bubble's own colour, dark.
        const QColor fill = shot.pixelColor(bubble.left() + 3, bubble.center().y());
        QVERIFY2(fill.lightnessF() < 0.35, qPrintable(fill.name()));
        // The text and the time on it are light: their lightest pixels are far from the fill.
        auto lightest = [&shot](const QRect &area) {
            qreal most = 0;
            for (int y = area.top(); y <= area.bottom(); ++y) {
                for (int x = area.left(); x <= area.right(); ++x)
                    most = qMax(most, shot.pixelColor(x, y).lightnessF());
            }
            return most;
        };
        const qreal text = lightest(delegate()->textRect(row(r)));
        const qreal time = lightest(delegate()->footerRect(row(r)));
        QVERIFY2(text > 0.75, qPrintable(QString::number(text)));
        QVERIFY2(time > 0.5, qPrintable(QString::number(time)));
    }
}

QTEST_MAIN(tst_ConversationView)
#include "tst_conversationview.moc"
