// SPDX-License-Identifier: GPL-3.0-or-later
// Searching in the window (issue 15): Ctrl+F in a long conversation (typing highlights and
// counts, Enter and Shift+Enter walk the matches, a match far back is revealed without loading
// the history in between, Esc closes), Chinese too, and Ctrl+Shift+F across every conversation
// (a result opens its conversation at that message).
#include "conversationpane.h"
#include "findbar.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/networksafety.h"
#include "searchresults.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QApplication>
#include <QInputMethodEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocumentFragment>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace {

const QString Long = QString(64, u'a');  // a conversation of 3,000 messages
const QString Short = QString(64, u'b'); // one of a few
constexpr int Messages = 3000;
constexpr int Every = 100; // every 100th message of Long mentions lunch

ChatMessage received(const QString &peer, int i, const QString &text)
{
    ChatMessage m;
    m.id = QUuid::createUuid();
    m.peerId = peer;
    m.sentAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000 + i * 60'000LL, Qt::UTC);
    m.receivedAt = m.sentAt;
    m.text = text;
    m.state = MessageState::Read;
    return m;
}

} // namespace

class tst_FindBar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void typingHighlightsAndCounts();
    void olderAndNewerRevealMatchesFarBack();
    void chineseWithoutSpaces();
    void resultOpensTheConversationAtTheMessage();
    void historyInMemoryAndNewMessages();
    void longResultsAreCutAtTheListsWidth();

private:
    FindBar *bar() const { return m_window->conversation()->findBar(); }
    QListView *view() const { return m_window->conversation()->messageView(); }
    ConversationModel *model() const { return m_window->conversation()->model(); }
    // The view's current row: the message the find bar marked.
    QUuid currentId() const
    {
        return view()->currentIndex().data(ConversationModel::IdRole).toUuid();
    }
    bool onScreen(const QUuid &id) const;
    void openConversation(const QString &peer);

    QTemporaryDir m_profile;
    QList<ChatMessage> m_lunches; // Long's, oldest first
    ChatMessage m_shortLunch;
    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<MainWindow> m_window;
};

void tst_FindBar::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
    QVERIFY(m_profile.isValid());
    // A history written before the window opens (the index kept with it).
    MessageStore store;
    QString error;
    QVERIFY2(store.open(MessageStore::historyPath(m_profile.path()), &error), qPrintable(error));
    for (int i = 0; i < Messages; ++i) {
        const bool lunch = i % Every == 0;
        const ChatMessage m = received(Long,
                                       i,
                                       lunch ? u"Lunch at %1? 午饭一起吃吗？"_s.arg(i)
                                             : u"message number %1"_s.arg(i));
        QVERIFY(store.addReceived(m));
        if (lunch)
            m_lunches.append(m);
    }
    m_shortLunch = received(Short, Messages, u"no lunch for me today"_s);
    QVERIFY(store.addReceived(received(Short, Messages, u"hello"_s)));
    QVERIFY(store.addReceived(m_shortLunch));
    QVERIFY(store.flush());
}

void tst_FindBar::init()
{
    MessengerConfig config = testPeerConfig(u"Alice"_s);
    config.profileDir = m_profile.path();
    m_alice = startPeer(config);
    QTRY_VERIFY(m_alice->searchIndexReady());
    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(900, 640);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void tst_FindBar::cleanup()
{
    m_window.reset();
    m_alice.reset();
}

bool tst_FindBar::onScreen(const QUuid &id) const
{
    for (int row = 0; row < model()->rowCount(); ++row) {
        if (model()->messageAt(row).id == id)
            return view()->viewport()->rect().intersects(
                view()->visualRect(view()->model()->index(row, 0)));
    }
    return false;
}

void tst_FindBar::openConversation(const QString &peer)
{
    m_window->conversation()->showPeer(peer);
    QCOMPARE(m_window->conversation()->peerId(), peer);
    QVERIFY(!model()->hasNewer());
}

void tst_FindBar::typingHighlightsAndCounts()
{
    openConversation(Long);
    QVERIFY(!bar()->isVisible());
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    QVERIFY(bar()->isVisible());
    QVERIFY(!bar()->isAllConversations());
    QTRY_VERIFY(bar()->field()->hasFocus());

    QTest::keyClicks(bar()->field(), u"LUNCH"_s); // case does not matter
    QTRY_COMPARE(bar()->countLabel()->text(), u"1 of 30"_s);
    // The count stands apart from the buttons on either side of it, not touching them.
    QTRY_VERIFY(bar()->countLabel()->geometry().left()
                > bar()->newerButton()->geometry().right() + 2);
    QVERIFY(bar()->allButton()->geometry().left() > bar()->countLabel()->geometry().right() + 2);
    // The newest match is marked and on screen, the word highlighted where it is.
    QCOMPARE(currentId(), m_lunches.last().id);
    QVERIFY(onScreen(m_lunches.last().id));
    QCOMPARE(m_window->conversation()->delegate()->findCurrent(), m_lunches.last().id);
    const QList<std::pair<int, int>> found = m_window->conversation()->delegate()->findMatches(
        view()->currentIndex());
    QCOMPARE(found, (QList<std::pair<int, int>>{{0, 5}}));
    // Another message has no highlight.
    const QModelIndex other = view()->model()->index(view()->currentIndex().row() + 1, 0);
    QVERIFY(m_window->conversation()->delegate()->findMatches(other).isEmpty());

    // A word that is nowhere.
    bar()->field()->selectAll();
    QTest::keyClicks(bar()->field(), u"dinner"_s);
    QTRY_COMPARE(bar()->countLabel()->text(), u"No matches"_s);
    QVERIFY(!bar()->olderButton()->isEnabled());

    // Esc closes and takes the highlight away.
    QTest::keyClick(bar()->field(), Qt::Key_Escape);
    QVERIFY(!bar()->isVisible());
    QVERIFY(m_window->conversation()->delegate()->findTerm().isEmpty());
}

void tst_FindBar::olderAndNewerRevealMatchesFarBack()
{
    openConversation(Long);
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    QTest::keyClicks(bar()->field(), u"lunch"_s);
    QTRY_COMPARE(bar()->countLabel()->text(), u"1 of 30"_s);

    QTest::keyClick(bar()->field(), Qt::Key_Return); // older
    QCOMPARE(bar()->countLabel()->text(), u"2 of 30"_s);
    QCOMPARE(currentId(), m_lunches.at(28).id);
    QVERIFY(onScreen(m_lunches.at(28).id));
    QTest::keyClick(bar()->field(), Qt::Key_Return, Qt::ShiftModifier); // newer
    QCOMPARE(bar()->countLabel()->text(), u"1 of 30"_s);
    QCOMPARE(currentId(), m_lunches.last().id);

    // ▼ from the newest wraps to the oldest, 3,000 messages back: the messages around it
    // are loaded, not the history in between.
    QTest::mouseClick(bar()->newerButton(), Qt::LeftButton);
    QCOMPARE(bar()->countLabel()->text(), u"30 of 30"_s);
    QCOMPARE(currentId(), m_lunches.first().id);
    QVERIFY(onScreen(m_lunches.first().id));
    QVERIFY(model()->hasNewer());
    QVERIFY(model()->rowCount() <= 2 * ConversationModel::PageSize);
    QVERIFY(m_window->conversation()->newestButton()->isVisible());
    // Scrolling down from there brings the next page.
    const int shown = model()->rowCount();
    view()->verticalScrollBar()->setValue(view()->verticalScrollBar()->maximum());
    QCOMPARE(model()->rowCount(), shown + ConversationModel::PageSize);
    QCOMPARE(model()->messageAt(shown).text, u"message number %1"_s.arg(shown));
    // ▲ from the oldest wraps to the newest.
    QTest::mouseClick(bar()->olderButton(), Qt::LeftButton);
    QCOMPARE(bar()->countLabel()->text(), u"1 of 30"_s);
    QCOMPARE(currentId(), m_lunches.last().id);

    // Closed far back: the conversation is at its newest again, where the person writes.
    QTest::mouseClick(bar()->newerButton(), Qt::LeftButton);
    QVERIFY(model()->hasNewer());
    QTest::mouseClick(bar()->closeButton(), Qt::LeftButton);
    QVERIFY(!bar()->isVisible());
    QVERIFY(!model()->hasNewer());
    QVERIFY(!m_window->conversation()->newestButton()->isVisible());
    QCOMPARE(model()->messageAt(model()->rowCount() - 1).text, u"message number 2999"_s);
}

void tst_FindBar::chineseWithoutSpaces()
{
    openConversation(Long);
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    // Typed through an input method, as Chinese is: the committed text.
    QInputMethodEvent typed;
    typed.setCommitString(u"午饭"_s);
    QApplication::sendEvent(bar()->field(), &typed);
    QTRY_COMPARE(bar()->countLabel()->text(), u"1 of 30"_s);
    const QString text = model()->messageAt(view()->currentIndex().row()).text;
    const int at = int(text.indexOf(u"午饭"_s));
    QCOMPARE(m_window->conversation()->delegate()->findMatches(view()->currentIndex()),
             (QList<std::pair<int, int>>{{at, 2}}));
}

void tst_FindBar::resultOpensTheConversationAtTheMessage()
{
    openConversation(Short);
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(bar()->isVisible());
    QVERIFY(bar()->isAllConversations());
    QVERIFY(bar()->results()->isVisible());
    QTest::keyClicks(bar()->field(), u"lunch"_s);
    QTRY_COMPARE(bar()->results()->count(), 31);
    QCOMPARE(bar()->countLabel()->text(), u"31 results"_s);
    // Newest first: Short's, then Long's from its newest back.
    QCOMPARE(bar()->results()->hits().first().id, m_shortLunch.id);
    QCOMPARE(bar()->results()->hits().last().id, m_lunches.first().id);
    QVERIFY(bar()
                ->results()
                ->item(0)
                ->data(Qt::AccessibleTextRole)
                .toString()
                .contains(u"no lunch for me today"_s));

    // Down to the last (the oldest, 3,000 messages back in another conversation), Enter.
    for (int i = 0; i < 30; ++i)
        QTest::keyClick(bar()->field(), Qt::Key_Down);
    QCOMPARE(bar()->results()->currentRow(), 30);
    QTest::keyClick(bar()->field(), Qt::Key_Return);
    QCOMPARE(m_window->conversation()->peerId(), Long);
    QCOMPARE(currentId(), m_lunches.first().id);
    QVERIFY(onScreen(m_lunches.first().id));
    QVERIFY(model()->rowCount() <= 2 * ConversationModel::PageSize);
    QCOMPARE(m_window->conversation()->delegate()->findCurrent(), m_lunches.first().id);
    // The list stays for another choice, the keyboard in the field.
    QVERIFY(bar()->results()->isVisible());
    QVERIFY(bar()->field()->hasFocus());

    // A click on the first result opens Short at it.
    const QRect first = bar()->results()->visualItemRect(bar()->results()->item(0));
    QTest::mouseClick(bar()->results()->viewport(), Qt::LeftButton, {}, first.center());
    QCOMPARE(m_window->conversation()->peerId(), Short);
    QCOMPARE(currentId(), m_shortLunch.id);

    QTest::keyClick(bar()->field(), Qt::Key_Escape);
    QVERIFY(!bar()->isVisible());
}

void tst_FindBar::historyInMemoryAndNewMessages()
{
    // A history in memory (one connection: searched on this thread), messages from a peer
    // that arrive while the window is open.
    m_window.reset();
    auto carol = makePeer(u"Carol"_s);
    auto dave = makePeer(u"Dave"_s);
    QString error;
    dave->connectToAddress(u"127.0.0.1:%1"_s.arg(carol->port()), &error);
    QTRY_VERIFY(carol->peers()->peer(dave->id()) && dave->peers()->peer(carol->id()));
    MainWindow window(*carol, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.conversation()->showPeer(dave->id());
    FindBar *find = window.conversation()->findBar();
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QTest::keyClicks(find->field(), u"coffee"_s);
    QTRY_COMPARE(find->countLabel()->text(), u"No matches"_s);
    for (const QString &text : {u"Coffee?"_s, u"tea"_s, u"coffee at 3"_s}) {
        const auto id = dave->sendMessage(carol->id(), text, &error);
        QVERIFY2(id, qPrintable(error));
        QTRY_VERIFY(carol->history().message(*id).has_value());
    }
    // Typed again: the new ones are found, the newest first.
    find->field()->selectAll();
    QTest::keyClicks(find->field(), u"coffee"_s);
    QTRY_COMPARE(find->countLabel()->text(), u"1 of 2"_s);
    QCOMPARE(window.conversation()->messageView()->currentIndex().data().toString(),
             u"coffee at 3"_s);
    QTest::keyClick(find->field(), Qt::Key_Return);
    QCOMPARE(find->countLabel()->text(), u"2 of 2"_s);
    QCOMPARE(window.conversation()->messageView()->currentIndex().data().toString(), u"Coffee?"_s);
}

// The lines of a result as the person reads them.
static QStringList shownLines(const SearchResults &results, int row)
{
    const auto *label = qobject_cast<QLabel *>(results.itemWidget(results.item(row)));
    if (!label)
        return {};
    QString plain = QTextDocumentFragment::fromHtml(label->text()).toPlainText();
    plain.replace(QChar::LineSeparator, u'\n');
    return plain.split(u'\n');
}

void tst_FindBar::longResultsAreCutAtTheListsWidth()
{
    // A long message and a long conversation name: both lines end in "…" where the list ends
    // (they ran past its right edge, cut mid-letter), and show more when the list is wider.
    SearchResults results;
    SearchHit hit;
    hit.conversation = u"peer"_s;
    hit.from = u"peer"_s;
    hit.sentAt = QDateTime::currentDateTime();
    hit.text = u"before "_s.repeated(20) + u"the lunch plan for today "_s.repeated(20);
    const auto name = [](const QString &) {
        return u"Someone with a long name "_s.repeated(4).trimmed();
    };
    results.resize(320, 200);
    results.setHits({hit}, u"lunch"_s, name, name);
    results.show();
    QVERIFY(QTest::qWaitForWindowExposed(&results));
    const auto *label = qobject_cast<QLabel *>(results.itemWidget(results.item(0)));
    QVERIFY(label);
    QFont bold = label->font();
    bold.setBold(true);
    auto check = [&] {
        const QStringList lines = shownLines(results, 0);
        if (lines.size() != 2)
            return false;
        const int room = label->contentsRect().width();
        return lines.at(0).endsWith(u"…"_s) && lines.at(1).endsWith(u"…"_s)
               && lines.at(1).startsWith(u"…"_s) && lines.at(1).contains(u"lunch"_s)
               && QFontMetrics(bold).horizontalAdvance(lines.at(0)) <= room
               && label->fontMetrics().horizontalAdvance(lines.at(1)) <= room;
    };
    QTRY_VERIFY2(check(), qPrintable(shownLines(results, 0).join(u" | "_s)));
    const QString narrow = shownLines(results, 0).at(1);
    results.resize(640, 200);
    QTRY_VERIFY(shownLines(results, 0).at(1).size() > narrow.size());
    QTRY_VERIFY2(check(), qPrintable(shownLines(results, 0).join(u" | "_s)));
    // Narrower than the context before the match: the match is still in sight.
    results.resize(120, 200);
    QTRY_VERIFY2(check(), qPrintable(shownLines(results, 0).join(u" | "_s)));
}

QTEST_MAIN(tst_FindBar)
#include "tst_findbar.moc"
