// SPDX-License-Identifier: GPL-3.0-or-later
// Texts that are costly to lay out (a 64 KiB word, a letter under 32,767 combining marks, 9,362
// emoji joined by ZWJ), sent by a second peer in this process, shown in the real window. What is
// checked is the work done, not the time it takes (that is bench/run.sh --layout).
#include "conversationpane.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messageviewer.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/networksafety.h"
#include "peerlistview.h"
#include "protocol/messages.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QClipboard>
#include <QContextMenuEvent>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

constexpr int Messages = 34;
// What one bubble may lay out: a few thousand units, never a whole 64 KiB text.
constexpr qsizetype MaxLaidOutPerBubble = 4096;

QString unbrokenWord()
{
    return QString(Protocol::MaxTextBytes, u'x');
}

QString combiningMarks()
{
    return u"a"_s + QString((Protocol::MaxTextBytes - 1) / 2, QChar(0x0301));
}

QString zwjEmoji()
{
    QString text;
    while ((text.size() / 3 + 1) * 7 <= Protocol::MaxTextBytes)
        text += u"\U0001F469\u200D"_s;
    text.chop(1);
    return text;
}

} // namespace

class tst_PathologicalText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void layoutWorkIsBounded();
    void paintingStaysInsideTheBubble();
    void wholeTextStaysAvailable();
    void peerNameStaysInItsRow();

private:
    QListView *view() const { return m_window->conversation()->messageView(); }
    MessageDelegate *delegate() const
    {
        return qobject_cast<MessageDelegate *>(view()->itemDelegate());
    }
    void repaint() { view()->viewport()->repaint(); }

    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
    std::unique_ptr<MainWindow> m_window;
    QStringList m_texts;
};

void tst_PathologicalText::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
    m_texts = {unbrokenWord(), combiningMarks(), zwjEmoji()};
    for (const QString &text : std::as_const(m_texts))
        QVERIFY(text.toUtf8().size() <= Protocol::MaxTextBytes);
}

void tst_PathologicalText::init()
{
    // Bob sends Alice 34 such messages; she opens his conversation with a click.
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
    QString error;
    m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(m_bob->id()) && m_bob->peers()->peer(m_alice->id()));
    for (int i = 0; i < Messages; ++i)
        QVERIFY(m_bob->sendMessage(m_alice->id(), m_texts.at(i % m_texts.size()), &error));
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->history().count(m_bob->id()), Messages, 30000);

    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(900, 700);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->peerList()->selectPeer(m_bob->id());
    QCOMPARE(view()->model()->rowCount(), Messages);
    QVERIFY(delegate());
    repaint();
}

void tst_PathologicalText::cleanup()
{
    m_window.reset();
    m_bob.reset();
    m_alice.reset();
}

void tst_PathologicalText::layoutWorkIsBounded()
{
    // Each bubble lays out a bounded part of its text...
    QVERIFY2(delegate()->longestLaidOutText() <= MaxLaidOutPerBubble,
             qPrintable(
                 u"%1 units laid out for one bubble"_s.arg(delegate()->longestLaidOutText())));
    // ... once: the list asks for every row's size, often, and paints some of them.
    const int opened = delegate()->textLayoutCount();
    QCOMPARE(opened, Messages);

    // Scrolling through and painting every bubble lays out nothing again.
    QScrollBar *bar = view()->verticalScrollBar();
    bar->setValue(bar->minimum());
    repaint();
    while (bar->value() < bar->maximum()) {
        bar->setValue(bar->value() + bar->pageStep());
        repaint();
    }
    QCOMPARE(delegate()->textLayoutCount(), opened);

    // A short message arriving lays out that message only, however often the list asks
    // for every row's size (a whole layout pass of the list here).
    QString error;
    m_bob->sendMessage(m_alice->id(), u"one more"_s, &error);
    QTRY_COMPARE(view()->model()->rowCount(), Messages + 1);
    QTRY_COMPARE(delegate()->textLayoutCount(), opened + 1);
    view()->doItemsLayout();
    repaint();
    QCOMPARE(delegate()->textLayoutCount(), opened + 1);

    // A narrower window lays each out once more, at its new width (the list lays itself out
    // a moment after the resize).
    const int before = delegate()->textLayoutCount();
    m_window->resize(700, 700);
    QTRY_COMPARE(delegate()->textLayoutCount(), before + Messages + 1);
    view()->doItemsLayout();
    repaint();
    QCOMPARE(delegate()->textLayoutCount(), before + Messages + 1);
    QVERIFY(delegate()->longestLaidOutText() <= MaxLaidOutPerBubble);
}

void tst_PathologicalText::paintingStaysInsideTheBubble()
{
    // Each message painted alone on a blank page, as the view would paint it: nothing lands
    // outside its own row (stacked combining marks drew over the bubbles above).
    constexpr int Margin = 300;
    const QColor blank(Qt::white);
    for (int row = 0; row < m_texts.size(); ++row) {
        const QModelIndex index = view()->model()->index(row, 0);
        QStyleOptionViewItem option;
        option.initFrom(view());
        option.font = view()->font();
        const QSize size = delegate()->sizeHint(option, index);
        option.rect = QRect(QPoint(0, Margin), size);
        QImage page(size.width(), size.height() + 2 * Margin, QImage::Format_ARGB32);
        page.fill(blank);
        {
            QPainter painter(&page);
            delegate()->paint(&painter, option, index);
        }
        int outside = 0;
        for (int y = 0; y < page.height(); ++y) {
            if (y >= option.rect.top() && y <= option.rect.bottom())
                continue;
            for (int x = 0; x < page.width(); ++x)
                outside += page.pixelColor(x, y) != blank;
        }
        QVERIFY2(outside == 0,
                 qPrintable(u"message %1 (%2...) painted %3 pixels outside its row"_s.arg(row)
                                .arg(m_texts.at(row).left(2))
                                .arg(outside)));
    }
}

void tst_PathologicalText::wholeTextStaysAvailable()
{
    // Every one of them says it is shortened...
    for (int row = 0; row < Messages; ++row)
        QVERIFY(delegate()->isShortened(view()->model()->index(row, 0)));

    // ... a double-click opens the whole of it, and Copy gives the exact text.
    const QModelIndex word = view()->model()->index(0, 0);
    view()->scrollTo(word, QAbstractItemView::PositionAtTop);
    const QPoint center = view()->visualRect(word).center();
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, center); // a double-click's first
    QTest::mouseDClick(view()->viewport(), Qt::LeftButton, {}, center);
    MessageViewer *viewer = nullptr;
    QTRY_VERIFY((viewer = m_window->findChild<MessageViewer *>()) && viewer->isVisible());
    QCOMPARE(viewer->textView()->toPlainText(), unbrokenWord());
    QGuiApplication::clipboard()->clear();
    viewer->copyButton()->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), unbrokenWord());
    viewer->close();

    // The right-click menu copies any message exactly, including all 32,767 marks that the
    // bubble and the viewer show cut.
    const QModelIndex marks = view()->model()->index(1, 0);
    view()->scrollTo(marks, QAbstractItemView::PositionAtTop);
    const QPoint at = view()->visualRect(marks).center();
    QStringList offered;
    QTimer::singleShot(0, this, [&] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        for (QAction *action : menu->actions()) {
            offered.append(action->text());
            if (action->text() == ConversationPane::tr("Copy text"))
                menu->setActiveAction(action);
        }
        QTest::keyClick(menu, Qt::Key_Return);
    });
    QGuiApplication::clipboard()->clear();
    QContextMenuEvent click(QContextMenuEvent::Mouse, at, view()->viewport()->mapToGlobal(at));
    QApplication::sendEvent(view()->viewport(), &click);
    QVERIFY2(offered.contains(ConversationPane::tr("Show whole message…")),
             qPrintable(offered.join(u", "_s)));
    QCOMPARE(QGuiApplication::clipboard()->text(), combiningMarks());
}

void tst_PathologicalText::peerNameStaysInItsRow()
{
    // A name is at most 64 characters, all of which may be marks on one letter.
    auto carol = makePeer(u"C"_s + QString(Protocol::MaxNameLength - 1, QChar(0x0301)));
    QString error;
    carol->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(carol->id()));
    QListView *list = m_window->peerList();
    const QModelIndex index = list->model()->index(m_alice->peers()->rowOf(carol->id()), 0);
    QVERIFY(index.data(PeerListModel::NameRole).toString().size() > 32);

    constexpr int Margin = 300;
    const QColor blank(Qt::white);
    QStyleOptionViewItem option;
    option.initFrom(list);
    option.font = list->font();
    const QSize size = list->itemDelegate()->sizeHint(option, index);
    option.rect = QRect(QPoint(0, Margin), size);
    QImage page(size.width(), size.height() + 2 * Margin, QImage::Format_ARGB32);
    page.fill(blank);
    {
        QPainter painter(&page);
        list->itemDelegate()->paint(&painter, option, index);
    }
    int outside = 0;
    for (int y = 0; y < page.height(); ++y) {
        if (y >= option.rect.top() && y <= option.rect.bottom())
            continue;
        for (int x = 0; x < page.width(); ++x)
            outside += page.pixelColor(x, y) != blank;
    }
    QCOMPARE(outside, 0);
}

QTEST_MAIN(tst_PathologicalText)
#include "tst_pathologicaltext.moc"
