// SPDX-License-Identifier: GPL-3.0-or-later
// Presence in the window (issue 15): the status selector in the status bar sets the status the
// peer sees, the status message dialog, the peer list's status and the conversation header;
// auto-away with a fake idle source; the tray menu's choices.
#include "autoaway.h"
#include "conversationpane.h"
#include "mainwindow.h"
#include "models/peerlistmodel.h"
#include "net/networksafety.h"
#include "peerlistview.h"
#include "statusselector.h"
#include "testpeer.h"

#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QStyle>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Status : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void selectorSetsWhatThePeerSees();
    void peerStatusInListAndHeader();
    void autoAwayGoesAndComesBack();
    void autoAwayLeavesAChosenStatus();
    void trayMenuHasTheChoices();
    void longStatusMessageKeepsTheWindowNarrow();
    void menuArrowBesideTheText();
};

void tst_Status::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

static void connectPeers(Messenger &a, Messenger &b)
{
    QString error;
    QVERIFY(b.connectToAddress(u"127.0.0.1:%1"_s.arg(a.port()), &error));
    QTRY_VERIFY(a.peer(b.id()).value_or(PeerInfo{}).online
                && b.peer(a.id()).value_or(PeerInfo{}).online);
}

void tst_Status::selectorSetsWhatThePeerSees()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    connectPeers(*alice, *bob);
    ProfileSettings settings;
    settings.autoAwayMinutes = 0;
    MainWindow window(*alice, settings);
    QSignalSpy saved(&window, &MainWindow::settingsChanged);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *selector = window.findChild<StatusSelector *>(u"statusSelector"_s);
    QVERIFY(selector);
    QVERIFY(selector->isVisible());
    QCOMPARE(selector->text(), u"Available"_s);

    QAction *busy = selector->menu()->findChild<QAction *>(u"status-busy"_s);
    QVERIFY(busy);
    busy->trigger();
    QCOMPARE(alice->status(), PeerInfo::Status::Busy);
    QCOMPARE(selector->text(), u"Busy"_s);
    QTRY_COMPARE(bob->peer(alice->id())->status, PeerInfo::Status::Busy);
    // Kept in the profile.
    QVERIFY(!saved.isEmpty());
    QCOMPARE(saved.last().at(0).value<ProfileSettings>().status, u"busy"_s);

    // "Set status message…": a dialog, typed, OK.
    selector->menu()->findChild<QAction *>(u"status-message"_s)->trigger();
    QInputDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<QInputDialog *>(u"statusMessageDialog"_s)));
    dialog->setTextValue(u"in a meeting until 15:00"_s);
    dialog->accept();
    QCOMPARE(alice->statusText(), u"in a meeting until 15:00"_s);
    QCOMPARE(selector->text(), u"Busy — in a meeting until 15:00"_s);
    QTRY_COMPARE(bob->peer(alice->id())->statusText, u"in a meeting until 15:00"_s);
    QCOMPARE(saved.last().at(0).value<ProfileSettings>().statusText, u"in a meeting until 15:00"_s);

    // Clear it; Available again.
    QAction *clear = selector->menu()->findChild<QAction *>(u"status-clear"_s);
    QVERIFY(clear->isEnabled());
    clear->trigger();
    QVERIFY(!clear->isEnabled());
    selector->menu()->findChild<QAction *>(u"status-available"_s)->trigger();
    QCOMPARE(selector->text(), u"Available"_s);
    QTRY_COMPARE(bob->peer(alice->id())->status, PeerInfo::Status::Available);
    QCOMPARE(bob->peer(alice->id())->statusText, QString());
}

void tst_Status::peerStatusInListAndHeader()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    connectPeers(*alice, *bob);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    PeerListView *list = window.peerList();
    QTRY_COMPARE(list->model()->rowCount(), 1);
    list->selectPeer(bob->id());
    ConversationPane *pane = window.conversation();
    QTRY_COMPARE(pane->headerLabel()->text(), u"Bob — online"_s);

    bob->setStatus(PeerInfo::Status::Away, u"at lunch until 13:00"_s);
    const QModelIndex row = list->model()->index(0, 0);
    QTRY_COMPARE(PeerInfo::Status(row.data(PeerListModel::StatusRole).toInt()),
                 PeerInfo::Status::Away);
    QCOMPARE(row.data(PeerListModel::StatusTextRole).toString(), u"at lunch until 13:00"_s);
    QTRY_COMPARE(pane->headerLabel()->text(), u"Bob — Away — at lunch until 13:00"_s);
    // The row is drawn with it: grab the list and find the amber dot's colour.
    list->viewport()->update();
    // The dot is left of the name, after the picture (generated: no amber in its palette).
    QTRY_VERIFY([&] {
        const QImage image = list->viewport()->grab(list->visualRect(row)).toImage();
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < qMin(image.width(), 100); ++x) {
                const QColor c = image.pixelColor(x, y);
                if (qAbs(c.red() - 0xe0) < 12 && qAbs(c.green() - 0x9b) < 12
                    && qAbs(c.blue() - 0x1a) < 12)
                    return true;
            }
        }
        return false;
    }());

    bob->setName(u"Robert"_s);
    QTRY_COMPARE(pane->headerLabel()->text(), u"Robert — Away — at lunch until 13:00"_s);
    QCOMPARE(row.data(PeerListModel::NameRole).toString(), u"Robert"_s);
}

void tst_Status::autoAwayGoesAndComesBack()
{
    auto alice = makePeer(u"Alice"_s);
    qint64 idleMs = 0;
    AutoAway autoAway(*alice, [&idleMs] { return std::optional<qint64>(idleMs); });
    autoAway.setMinutes(2);
    idleMs = 119'000;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Available);
    idleMs = 120'000;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Away);
    QVERIFY(autoAway.isAway());
    idleMs = 500'000;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Away);
    // Input: back.
    idleMs = 300;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Available);
    QVERIFY(!autoAway.isAway());
    // The status text stays through it.
    alice->setStatus(PeerInfo::Status::Available, u"around"_s);
    idleMs = 200'000;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Away);
    QCOMPARE(alice->statusText(), u"around"_s);
    // Turned off while away: back to Available.
    autoAway.setMinutes(0);
    QCOMPARE(alice->status(), PeerInfo::Status::Available);
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Available);
    // An idle source that cannot tell changes nothing.
    AutoAway blind(*alice, [] { return std::optional<qint64>(); });
    blind.setMinutes(1);
    blind.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Available);
}

void tst_Status::autoAwayLeavesAChosenStatus()
{
    auto alice = makePeer(u"Alice"_s);
    qint64 idleMs = 0;
    AutoAway autoAway(*alice, [&idleMs] { return std::optional<qint64>(idleMs); });
    autoAway.setMinutes(1);
    // Busy by choice: not made Away, not made Available.
    alice->setStatus(PeerInfo::Status::Busy, {});
    idleMs = 600'000;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Busy);
    idleMs = 0;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Busy);
    // Away by choice: input does not make it Available.
    alice->setStatus(PeerInfo::Status::Away, u"on holiday"_s);
    idleMs = 600'000;
    autoAway.check();
    idleMs = 0;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Away);
    // Made Away by idling, then the person chooses Busy: input leaves Busy alone.
    alice->setStatus(PeerInfo::Status::Available, {});
    idleMs = 600'000;
    autoAway.check();
    QVERIFY(autoAway.isAway());
    alice->setStatus(PeerInfo::Status::Busy, {});
    QVERIFY(!autoAway.isAway());
    idleMs = 0;
    autoAway.check();
    QCOMPARE(alice->status(), PeerInfo::Status::Busy);
}

void tst_Status::trayMenuHasTheChoices()
{
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    QMenu *tray = window.findChild<QMenu *>(u"trayMenu"_s);
    QVERIFY(tray);
    QAction *away = tray->findChild<QAction *>(u"status-away"_s);
    QVERIFY(away);
    away->trigger();
    QCOMPARE(alice->status(), PeerInfo::Status::Away);
    // Both menus show the one status checked.
    QVERIFY(away->isChecked());
    auto *selector = window.findChild<StatusSelector *>(u"statusSelector"_s);
    QVERIFY(selector->menu()->findChild<QAction *>(u"status-away"_s)->isChecked());
    QVERIFY(!selector->menu()->findChild<QAction *>(u"status-available"_s)->isChecked());
}

void tst_Status::longStatusMessageKeepsTheWindowNarrow()
{
    auto alice = makePeer(u"Alice"_s);
    ProfileSettings settings;
    settings.autoAwayMinutes = 0;
    MainWindow window(*alice, settings);
    window.resize(640, 480);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *selector = window.findChild<StatusSelector *>(u"statusSelector"_s);
    QVERIFY(selector);
    const int narrowest = window.minimumSizeHint().width();

    // The dialog has room for a sentence and takes no more than the peers are told.
    selector->menu()->findChild<QAction *>(u"status-message"_s)->trigger();
    QInputDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<QInputDialog *>(u"statusMessageDialog"_s)));
    QTRY_VERIFY(dialog->isVisible());
    auto *field = dialog->findChild<QLineEdit *>();
    QVERIFY(field);
    QCOMPARE(field->maxLength(), 80);
    QVERIFY(field->width() >= field->fontMetrics().averageCharWidth() * 70);
    // The longest message there is, in wide characters.
    const QString longest(80, u'会');
    field->selectAll();
    field->insert(longest + u"extra"_s); // as typed (keyClicks knows no Chinese) or pasted
    QCOMPARE(field->text(), longest);
    dialog->accept();
    QCOMPARE(alice->statusText(), longest);

    // Shown cut with "…", whole in the tool tip; neither the status bar nor the window grew.
    QVERIFY(selector->text().endsWith(u'…'));
    QVERIFY(selector->toolTip().contains(longest));
    QVERIFY(selector->sizeHint().width() < selector->fontMetrics().horizontalAdvance(longest) / 2);
    QTRY_VERIFY(window.minimumSizeHint().width()
                <= narrowest + selector->fontMetrics().averageCharWidth() * 40);
    QVERIFY(selector->geometry().right() <= window.width());

    // A short one is shown whole, "&" as itself.
    alice->setStatus(PeerInfo::Status::Busy, u"R&D review"_s);
    QCOMPARE(selector->text(), u"Busy — R&&D review"_s); // "&&" is drawn as "&"
    QVERIFY(!selector->toolTip().contains(u"R&D review"_s));
}

void tst_Status::menuArrowBesideTheText()
{
    // The menu's arrow was drawn small in the button's bottom right corner, nearly on the
    // window's edge: now it follows the text, centred on it, in room of its own.
    auto alice = makePeer(u"Alice"_s);
    ProfileSettings settings;
    settings.autoAwayMinutes = 0;
    MainWindow window(*alice, settings);
    window.resize(640, 480);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *selector = window.findChild<StatusSelector *>(u"statusSelector"_s);
    QVERIFY(selector);
    const int room = selector->style()->pixelMetric(QStyle::PM_MenuButtonIndicator);
    QVERIFY(selector->width() >= selector->fontMetrics().horizontalAdvance(selector->text())
                                     + selector->iconSize().width() + room);
    // The arrow's ink, in the room at the right.
    const QImage image = selector->grab().toImage();
    const qreal ratio = image.devicePixelRatio();
    int top = image.height(), bottom = -1;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = int((selector->width() - room - 2) * ratio); x < image.width(); ++x) {
            if (image.pixelColor(x, y).lightness() < 128) {
                top = qMin(top, y);
                bottom = qMax(bottom, y);
            }
        }
    }
    QVERIFY2(bottom >= 0, "no arrow drawn at the right");
    const qreal middle = (top + bottom) / 2.0 / ratio;
    QVERIFY2(qAbs(middle - selector->height() / 2.0) <= 2,
             qPrintable(u"arrow at %1 of %2"_s.arg(middle).arg(selector->height())));
}

QTEST_MAIN(tst_Status)
#include "tst_status.moc"
