// SPDX-License-Identifier: GPL-3.0-or-later
// Carried delivery in the window (issue 16, docs/relay.md "In the window"): the peer list's
// menu turns "pass on" and "keep" on and off for a contact (and the messenger follows), and
// keeps its e-mail address; the conversation's header says "via Carol" while Carol relays; an
// own message kept by helpers says "held by Carol" and, on hover, "Held by Carol until Bob is
// back"; Settings' "E-mail notices" box is checked as the person types and kept. Real
// messengers on loopback (port 0, no discovery, no peer exchange), so relaying and holding are
// the messenger's own; nothing leaves this host.
#include "contactemaildialog.h"
#include "conversationpane.h"
#include "mailsettingsbox.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/networksafety.h"
#include "peerlistview.h"
#include "peerstatus.h"
#include "relaytext.h"
#include "settingsdialog.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

ProfileSettings named(const QString &name)
{
    ProfileSettings settings;
    settings.name = name; // Settings' OK waits for a name
    return settings;
}

MessengerConfig quietConfig(const QString &name)
{
    MessengerConfig config = testPeerConfig(name);
    config.peerExchange = false; // Alice must not learn Bob's address from Carol
    return config;
}

bool connectTo(Messenger &from, const Messenger &to)
{
    QString error;
    from.connectToAddress(u"127.0.0.1:%1"_s.arg(to.port()), &error);
    return error.isEmpty();
}

// What the peer list's menu offered, as the person saw it.
struct MenuSeen
{
    bool shown = false;
    QStringList texts; // without mnemonics
    QHash<QString, bool> checked;
    QHash<QString, QString> toolTips;
};

// Opens the peer list's menu on `peerId`'s row, notes what it shows, and picks the action
// named `pick` (its object name), or closes it.
MenuSeen usePeerMenu(MainWindow &window, const QString &peerId, const QString &pick = {})
{
    MenuSeen seen;
    QTimer::singleShot(0, &window, [&seen, pick] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        seen.shown = true;
        QAction *chosen = nullptr;
        for (QAction *a : menu->actions()) {
            if (a->isSeparator() || !a->isVisible())
                continue;
            seen.texts.append(MainWindow::withoutMnemonic(a->text()));
            if (!a->objectName().isEmpty()) {
                seen.checked.insert(a->objectName(), a->isChecked());
                seen.toolTips.insert(a->objectName(), a->toolTip());
            }
            if (!pick.isEmpty() && a->objectName() == pick)
                chosen = a;
        }
        if (chosen) {
            menu->setActiveAction(chosen);
            QTest::keyClick(menu, Qt::Key_Return);
        } else {
            menu->close();
        }
    });
    PeerListView *peers = window.peerList();
    QAbstractItemModel *rows = peers->model();
    for (int row = 0; row < rows->rowCount(); ++row) {
        const QModelIndex index = rows->index(row, 0);
        if (index.data(PeerListModel::IdRole).toString() == peerId) {
            Q_EMIT peers->customContextMenuRequested(peers->visualRect(index).center());
            break;
        }
    }
    return seen;
}

QModelIndex peerRow(MainWindow &window, const QString &peerId)
{
    QAbstractItemModel *rows = window.peerList()->model();
    for (int row = 0; row < rows->rowCount(); ++row) {
        if (rows->index(row, 0).data(PeerListModel::IdRole).toString() == peerId)
            return rows->index(row, 0);
    }
    return {};
}

QModelIndex rowOfMessage(ConversationPane *pane, const QUuid &id)
{
    QAbstractItemModel *rows = pane->messageView()->model();
    for (int row = 0; row < rows->rowCount(); ++row) {
        if (rows->index(row, 0).data(ConversationModel::IdRole).toUuid() == id)
            return rows->index(row, 0);
    }
    return {};
}

// Both switches on, both ways, between `a` and `b`.
bool allowBoth(Messenger &a, Messenger &b)
{
    QString error;
    return a.setAllowRelay(b.id(), true, &error) && a.setAllowHold(b.id(), true, &error)
           && b.setAllowRelay(a.id(), true, &error) && b.setAllowHold(a.id(), true, &error);
}

} // namespace

class tst_RelayUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void texts();
    void menuSwitchesReachTheMessenger();
    void contactEmailDialog();
    void noSwitchesForIpmsgUsers();
    void headerSaysVia();
    void heldByHelpers();
    void mailSettingsRoundTrip();
    void mailPasswordError();
    void mailNoticesInTheStatusBar();
};

void tst_RelayUi::initTestCase()
{
    // Nothing here starts IP Messenger or sends beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
    // No desktop keyring can be reached: a developer's own is never written to, and the
    // keyring's refusal is what Settings shows (mailPasswordError).
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    qunsetenv("DISPLAY");
    qunsetenv("WAYLAND_DISPLAY");
}

void tst_RelayUi::texts()
{
    QCOMPARE(RelayText::heldBy({u"Carol"_s, u"Dave"_s}, u"Bob"_s),
             u"Held by Carol and Dave until Bob is back"_s);
    QCOMPARE(RelayText::heldBy({u"Carol"_s}, u"Bob"_s), u"Held by Carol until Bob is back"_s);
    QCOMPARE(RelayText::heldByState({u"Carol"_s, u"Dave"_s, u"Erin"_s}),
             u"held by Carol, Dave and Erin"_s);
    QCOMPARE(RelayText::viaHeader(u"Bob — online"_s, u"Carol"_s), u"Bob — online, via Carol"_s);
    QCOMPARE(RelayText::viaStatus(u"Carol"_s), u"online, via Carol"_s);
    // The menu's words say it goes both ways and that Carol cannot read them.
    for (const QString &tip :
         {RelayText::relayToolTip(u"Carol"_s), RelayText::holdToolTip(u"Carol"_s)}) {
        QVERIFY2(tip.contains(u"both ways"_s), qPrintable(tip));
        QVERIFY2(tip.contains(u"Carol can't read or change them"_s), qPrintable(tip));
    }
}

void tst_RelayUi::menuSwitchesReachTheMessenger()
{
    auto alice = startPeer(quietConfig(u"Alice"_s));
    auto carol = startPeer(quietConfig(u"Carol"_s));
    QVERIFY(connectTo(*carol, *alice));
    QTRY_VERIFY(alice->peers()->peer(carol->id()).has_value());
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY(peerRow(window, carol->id()).isValid());

    // Off until turned on, with what it means on hover.
    MenuSeen seen = usePeerMenu(window, carol->id());
    QVERIFY(seen.shown);
    QVERIFY2(seen.texts.contains(u"Let Carol pass on my messages when needed"_s),
             qPrintable(seen.texts.join(u" | "_s)));
    QVERIFY(seen.texts.contains(u"Let Carol keep my messages for people who are away"_s));
    QVERIFY(seen.texts.contains(u"E-mail address"_s));
    QCOMPARE(seen.checked.value(u"allowRelay"_s, true), false);
    QCOMPARE(seen.checked.value(u"allowHold"_s, true), false);
    QCOMPARE(seen.toolTips.value(u"allowRelay"_s), RelayText::relayToolTip(u"Carol"_s));
    QCOMPARE(seen.toolTips.value(u"allowHold"_s), RelayText::holdToolTip(u"Carol"_s));
    QVERIFY(!alice->allowsRelay(carol->id()));

    // Chosen: on in the messenger, checked the next time.
    usePeerMenu(window, carol->id(), u"allowRelay"_s);
    QTRY_VERIFY(alice->allowsRelay(carol->id()));
    QVERIFY(!alice->allowsHold(carol->id()));
    // The menu is gone: the status bar says what the choice did.
    QCOMPARE(window.statusBar()->currentMessage(),
             u"Carol may now pass on your messages, and you theirs."_s);
    seen = usePeerMenu(window, carol->id(), u"allowHold"_s);
    QCOMPARE(seen.checked.value(u"allowRelay"_s), true);
    QCOMPARE(seen.checked.value(u"allowHold"_s), false);
    QTRY_VERIFY(alice->allowsHold(carol->id()));
    QCOMPARE(window.statusBar()->currentMessage(),
             u"Carol may now keep your messages for people who are away, and you theirs."_s);
    seen = usePeerMenu(window, carol->id(), u"allowRelay"_s);
    QCOMPARE(seen.checked.value(u"allowHold"_s), true);
    QTRY_VERIFY(!alice->allowsRelay(carol->id()));
    QCOMPARE(window.statusBar()->currentMessage(),
             u"Carol no longer passes on your messages, nor you theirs."_s);
    QVERIFY(alice->allowsHold(carol->id()));

    // Turned on elsewhere (shoal-cli, another window): the menu shows the messenger's state.
    QString error;
    QVERIFY2(alice->setAllowRelay(carol->id(), true, &error), qPrintable(error));
    seen = usePeerMenu(window, carol->id());
    QCOMPARE(seen.checked.value(u"allowRelay"_s), true);
}

void tst_RelayUi::contactEmailDialog()
{
    auto alice = startPeer(quietConfig(u"Alice"_s));
    auto bob = startPeer(quietConfig(u"Bob"_s));
    QVERIFY(connectTo(*bob, *alice));
    QTRY_VERIFY(alice->peers()->peer(bob->id()).has_value());
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY(peerRow(window, bob->id()).isValid());

    usePeerMenu(window, bob->id(), u"contactEmail"_s);
    ContactEmailDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<ContactEmailDialog *>()) && dialog->isVisible());
    QCOMPARE(dialog->peerId(), bob->id());
    QCOMPARE(dialog->windowTitle(), u"E-mail address of Bob"_s);
    QVERIFY(dialog->emailEdit()->text().isEmpty());
    auto *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);

    // A mistyped address: said at once, and OK waits.
    QTest::keyClicks(dialog->emailEdit(), u"bob at example"_s);
    QVERIFY(dialog->errorLabel()->isVisible());
    QVERIFY(dialog->errorLabel()->text().contains(u"does not look like an e-mail address"_s));
    QVERIFY(!ok->isEnabled());
    dialog->emailEdit()->clear();
    QTest::keyClicks(dialog->emailEdit(), u"bob@example.com"_s);
    QVERIFY(!dialog->errorLabel()->isVisible());
    QVERIFY(ok->isEnabled());
    QSignalSpy changed(alice.get(), &Messenger::contactEmailChanged);
    QTest::mouseClick(ok, Qt::LeftButton);
    QCOMPARE(alice->contactEmail(bob->id()), u"bob@example.com"_s);
    QVERIFY(!dialog->isVisible());

    // Shown the next time; emptied: removed.
    usePeerMenu(window, bob->id(), u"contactEmail"_s);
    QTRY_VERIFY((dialog = window.findChild<ContactEmailDialog *>()) && dialog->isVisible());
    QCOMPARE(dialog->emailEdit()->text(), u"bob@example.com"_s);
    dialog->emailEdit()->clear();
    dialog->accept();
    QCOMPARE(alice->contactEmail(bob->id()), QString());

    // What the messenger refuses (not ASCII) is said in the dialog, which stays open.
    usePeerMenu(window, bob->id(), u"contactEmail"_s);
    QTRY_VERIFY((dialog = window.findChild<ContactEmailDialog *>()) && dialog->isVisible());
    dialog->emailEdit()->setText(u"bób@exämple.com"_s);
    dialog->accept();
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->errorLabel()->isVisible());
    QVERIFY(!dialog->errorLabel()->text().isEmpty());
    QCOMPARE(alice->contactEmail(bob->id()), QString());
}

// As Ipmsg::peerIdFor (core/ipmsg/ipmsgpacket.h) makes it.
static QString ipmsgId(const QString &host, quint16 port)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(u"shoal-ipmsg:%1:%2"_s.arg(host).arg(port).toLatin1(),
                                 QCryptographicHash::Sha256)
            .toHex());
}

void tst_RelayUi::noSwitchesForIpmsgUsers()
{
    // An IP Messenger user met in an earlier run: it can neither carry nor open an envelope.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString liLei = ipmsgId(u"127.0.0.23"_s, 2425);
    {
        MessageStore store;
        QString error;
        QVERIFY2(store.openProfile(dir.path(), &error), qPrintable(error));
        store.savePeer(PeerRecord{liLei, u"Li Lei"_s, {}, {u"127.0.0.23:2425"_s}, {}, {}});
        QVERIFY(store.flush());
    }
    MessengerConfig config = quietConfig(u"Alice"_s);
    config.profileDir = dir.path();
    auto alice = startPeer(config);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY(peerRow(window, liLei).isValid());
    QVERIFY(peerRow(window, liLei).data(PeerListModel::IpmsgRole).toBool());
    const MenuSeen seen = usePeerMenu(window, liLei);
    QVERIFY(seen.shown);
    QVERIFY(seen.texts.contains(u"Always accept files from this peer"_s));
    QVERIFY(!seen.checked.contains(u"allowRelay"_s));
    QVERIFY(!seen.checked.contains(u"allowHold"_s));
    QVERIFY(!seen.checked.contains(u"contactEmail"_s));
}

void tst_RelayUi::headerSaysVia()
{
    // Alice and Bob both know Carol; neither knows where the other is.
    auto alice = startPeer(quietConfig(u"Alice"_s));
    auto bob = startPeer(quietConfig(u"Bob"_s));
    auto carol = startPeer(quietConfig(u"Carol"_s));
    QVERIFY(allowBoth(*alice, *carol));
    QVERIFY(allowBoth(*bob, *carol));
    MainWindow window(*alice, ProfileSettings{});
    window.resize(900, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(connectTo(*alice, *carol));
    QVERIFY(connectTo(*bob, *carol));
    QTRY_VERIFY_WITH_TIMEOUT(alice->via(bob->id()) == carol->id(), 10'000);
    QTRY_VERIFY(peerRow(window, bob->id()).isValid());
    window.peerList()->selectPeer(bob->id());
    ConversationPane *pane = window.conversation();
    QCOMPARE(pane->peerId(), bob->id());
    QTRY_COMPARE(pane->headerLabel()->text(), u"Bob — online, via Carol"_s);
    QVERIFY2(pane->headerLabel()->toolTip().contains(u"Carol can't read or change them"_s),
             qPrintable(pane->headerLabel()->toolTip()));
    QVERIFY(!pane->reachBanner()->isVisible());
    // The list says it too, and so does a screen reader.
    const QModelIndex row = peerRow(window, bob->id());
    QCOMPARE(PeerStatus::text(row), u"online, via Carol"_s);
    QCOMPARE(row.data(PeerListModel::ViaRole).toString(), carol->id());

    // What is written goes now, through Carol.
    QSignalSpy received(bob.get(), &Messenger::messageReceived);
    QTest::keyClicks(pane->input(), u"Hello through Carol"_s);
    QTest::keyClick(pane->input(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 10'000);
    QCOMPARE(received.first().first().value<ChatMessage>().text, u"Hello through Carol"_s);

    // Carol stops passing messages on for Alice: no route, no "via".
    QString error;
    QVERIFY2(carol->setAllowRelay(alice->id(), false, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(alice->via(bob->id()).isEmpty(), 10'000);
    QTRY_VERIFY(!pane->headerLabel()->text().contains(u"via"_s));
    QVERIFY(!PeerStatus::text(peerRow(window, bob->id())).contains(u"via"_s));
}

void tst_RelayUi::heldByHelpers()
{
    // Bob has been here, and allowed Carol to keep messages for him; then he went home.
    auto alice = startPeer(quietConfig(u"Alice"_s));
    auto carol = startPeer(quietConfig(u"Carol"_s));
    QString error;
    const auto bobIdentity = Identity::generate(&error);
    QVERIFY2(bobIdentity, qPrintable(error));
    // His profile on disk: what he allowed Carol is still allowed when he comes back.
    QTemporaryDir bobDir;
    QVERIFY(bobDir.isValid());
    MessengerConfig bobConfig = quietConfig(u"Bob"_s);
    bobConfig.profileDir = bobDir.path();
    auto bob = startPeer(bobConfig, &*bobIdentity);
    const QString bobId = bob->id();
    QVERIFY(allowBoth(*alice, *carol));
    QVERIFY(allowBoth(*bob, *carol));
    QVERIFY(connectTo(*alice, *carol));
    QVERIFY(connectTo(*bob, *carol));
    QVERIFY(connectTo(*bob, *alice));
    QTRY_VERIFY(alice->peers()->peer(bobId).value_or(PeerInfo{}).online);
    QTRY_VERIFY(carol->peers()->peer(bobId).value_or(PeerInfo{}).online);
    QTRY_VERIFY(alice->peers()->peer(carol->id()).value_or(PeerInfo{}).online);
    bob->shutdown();
    bob.reset();
    QTRY_VERIFY(!alice->peers()->peer(bobId).value_or(PeerInfo{}).online);
    QTRY_VERIFY(!carol->peers()->peer(bobId).value_or(PeerInfo{}).online);

    MainWindow window(*alice, ProfileSettings{});
    window.resize(900, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.peerList()->selectPeer(bobId);
    ConversationPane *pane = window.conversation();
    QCOMPARE(pane->peerId(), bobId);
    QTest::keyClicks(pane->input(), u"See you tomorrow"_s);
    QTest::keyClick(pane->input(), Qt::Key_Return);
    QTRY_COMPARE(pane->messageView()->model()->rowCount(), 1);
    const QUuid id
        = pane->messageView()->model()->index(0, 0).data(ConversationModel::IdRole).toUuid();

    // Carol keeps it: the message says so, and on hover, until when.
    QTRY_COMPARE_WITH_TIMEOUT(alice->heldBy(id), QStringList{carol->id()}, 10'000);
    const QModelIndex index = rowOfMessage(pane, id);
    QCOMPARE(index.data(ConversationModel::HeldByRole).toStringList(), QStringList{carol->id()});
    MessageDelegate *delegate = pane->delegate();
    QCOMPARE(delegate->heldByDetails(index, u"Bob"_s), u"Held by Carol until Bob is back"_s);
    QVERIFY(delegate->isOnHeldBy(index, delegate->footerRect(index).center()));
    // A screen reader hears the same.
    const QString said = index.data(Qt::AccessibleTextRole).toString();
    QVERIFY2(said.contains(u"Held by Carol until Bob is back"_s), qPrintable(said));
    // Not a group's delivery summary.
    QVERIFY(!delegate->isOnDeliveries(index, delegate->footerRect(index).center()));

    // Bob is back, at Carol's: he has it, and Alice sees it delivered; nobody holds it now.
    auto back = startPeer(bobConfig, &*bobIdentity);
    QVERIFY(back->allowsHold(carol->id()));
    QSignalSpy received(back.get(), &Messenger::messageReceived);
    QVERIFY(connectTo(*back, *carol));
    QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 10'000);
    QCOMPARE(received.first().first().value<ChatMessage>().text, u"See you tomorrow"_s);
    QTRY_VERIFY_WITH_TIMEOUT(MessageState(
                                 rowOfMessage(pane, id).data(ConversationModel::StateRole).toInt())
                                 == MessageState::Delivered,
                             10'000);
    QVERIFY(rowOfMessage(pane, id).data(ConversationModel::HeldByRole).toStringList().isEmpty());
    QVERIFY(delegate->heldByDetails(rowOfMessage(pane, id), u"Bob"_s).isEmpty());
}

void tst_RelayUi::mailSettingsRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MessengerConfig config = quietConfig(u"Alice"_s);
    config.profileDir = dir.path();
    auto alice = startPeer(config);
    MainWindow window(*alice, named(u"Alice"_s));
    window.show();
    window.settingsAction()->trigger();
    auto *dialog = window.findChild<SettingsDialog *>();
    QVERIFY(dialog);
    MailSettingsBox *box = dialog->mailBox();
    QVERIFY(box);
    auto *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);

    // Off by default; 4 hours, STARTTLS on 587, without the text.
    QVERIFY(box->isCheckable());
    QVERIFY(!box->isChecked());
    QCOMPARE(box->waitBox()->value(), 4);
    QCOMPARE(box->securityBox()->currentText(), u"STARTTLS"_s);
    QCOMPARE(box->portBox()->value(), 587);
    QVERIFY(!box->includeTextBox()->isChecked());
    QCOMPARE(box->securityBox()->count(), 3);
    QVERIFY(!box->errorLabel()->isVisible());
    QVERIFY(ok->isEnabled());

    // On, with nothing filled in: what is missing is said under the fields; OK waits.
    box->setChecked(true);
    QVERIFY(box->errorLabel()->isVisible());
    QVERIFY2(box->errorLabel()->text().contains(u"mail server"_s),
             qPrintable(box->errorLabel()->text()));
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(box->hostEdit(), u"smtp.example.com"_s);
    QVERIFY2(box->errorLabel()->text().contains(u"sent from"_s),
             qPrintable(box->errorLabel()->text()));
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(box->fromEdit(), u"alice@example.com"_s);
    QVERIFY(!box->errorLabel()->isVisible());
    QVERIFY(ok->isEnabled());
    // The usual port follows the security; no TLS with a login is refused for a remote server.
    box->securityBox()->setCurrentIndex(2);
    QCOMPARE(box->portBox()->value(), 465);
    QTest::keyClicks(box->userEdit(), u"alice"_s);
    box->securityBox()->setCurrentIndex(0);
    QCOMPARE(box->portBox()->value(), 25);
    QVERIFY(box->errorLabel()->isVisible());
    QVERIFY(!ok->isEnabled());
    box->securityBox()->setCurrentIndex(1);
    QCOMPARE(box->portBox()->value(), 587);
    QVERIFY(ok->isEnabled());
    box->portBox()->setValue(2525);
    box->waitBox()->setValue(2);
    box->includeTextBox()->setChecked(true);

    QSignalSpy applied(alice.get(), &Messenger::mailSettingsChanged);
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());
    const MailSettings kept = alice->mailSettings();
    QVERIFY(kept.enabled);
    QCOMPARE(kept.host, u"smtp.example.com"_s);
    QCOMPARE(kept.port, quint16(2525));
    QCOMPARE(kept.security, MailSettings::Security::StartTls);
    QCOMPARE(kept.user, u"alice"_s);
    QCOMPARE(kept.fromAddress, u"alice@example.com"_s);
    QCOMPARE(kept.waitSeconds, qint64(2 * 3600));
    QVERIFY(kept.includeText);
    QCOMPARE(applied.size(), 1);

    // Opened again: as kept.
    QTRY_VERIFY(!window.findChild<SettingsDialog *>()); // closed ones are deleted
    window.settingsAction()->trigger();
    dialog = window.findChild<SettingsDialog *>();
    QVERIFY(dialog);
    box = dialog->mailBox();
    QVERIFY(box->isChecked());
    QCOMPARE(box->hostEdit()->text(), u"smtp.example.com"_s);
    QCOMPARE(box->portBox()->value(), 2525);
    QCOMPARE(box->securityBox()->currentIndex(), 1);
    QCOMPARE(box->userEdit()->text(), u"alice"_s);
    QVERIFY(box->passwordEdit()->text().isEmpty()); // never shown
    QCOMPARE(box->fromEdit()->text(), u"alice@example.com"_s);
    QCOMPARE(box->waitBox()->value(), 2);
    QVERIFY(box->includeTextBox()->isChecked());
    QCOMPARE(box->settings(), kept);
    // Nothing changed, nothing applied; turned off: kept off, the rest remembered.
    box->setChecked(false);
    dialog->accept();
    QTRY_VERIFY(!dialog->isVisible());
    QVERIFY(!alice->mailSettings().enabled);
    QCOMPARE(alice->mailSettings().host, u"smtp.example.com"_s);

    // A user name made the messenger read the keyring, and Alice goes before it answers:
    // libsecret calls back into that job later (it does not cancel), which crashed while the
    // job was deleted with the messenger (core/mail/keyring.cpp: jobs outlive it now). The
    // tests after this one run the event loop that delivers that late answer.
}

void tst_RelayUi::mailPasswordError()
{
    // The password goes to the keyring through the messenger, only when typed; Settings waits
    // for the keyring's answer and says in place when it could not keep it. Here no keyring
    // can answer (initTestCase: no session bus, no display): the messenger's own refusal.
    auto alice = startPeer(quietConfig(u"Alice"_s));
    MainWindow window(*alice, named(u"Alice"_s));
    window.show();
    window.settingsAction()->trigger();
    auto *dialog = window.findChild<SettingsDialog *>();
    QVERIFY(dialog);
    MailSettingsBox *box = dialog->mailBox();
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    QVERIFY(box->passwordEdit()->echoMode() == QLineEdit::Password);
    // Off, the fields wait; on, with a server to log in to.
    QVERIFY(!box->passwordEdit()->isEnabled());
    box->setChecked(true);
    QTest::keyClicks(box->hostEdit(), u"smtp.example.com"_s);
    QTest::keyClicks(box->fromEdit(), u"alice@example.com"_s);
    QTest::keyClicks(box->userEdit(), u"alice"_s);
    QTest::keyClicks(box->passwordEdit(), u"s3cret"_s);
    QVERIFY(ok->isEnabled());
    QSignalSpy answered(alice.get(), &Messenger::mailPasswordSaved);
    dialog->accept();
    // The settings are kept at once; the password waits for the keyring.
    QCOMPARE(alice->mailSettings().host, u"smtp.example.com"_s);
    if (answered.isEmpty()) {
        QVERIFY(box->isSaving());
        QCOMPARE(box->errorLabel()->text(), u"Saving the password in the keyring…"_s);
        QVERIFY(!ok->isEnabled()); // not twice
        QVERIFY(buttons->button(QDialogButtonBox::Cancel)->isEnabled());
        QVERIFY(answered.wait(30'000));
    }
    QCOMPARE(answered.first().at(0).toBool(), false);
    const QString why = answered.first().at(1).toString();
    QVERIFY2(why.startsWith(u"No keyring is available"_s), qPrintable(why));
    // Said in place; Settings stays open to try again or cancel.
    QVERIFY(!box->isSaving());
    QVERIFY(dialog->isVisible());
    QVERIFY(box->errorLabel()->isVisible());
    QCOMPARE(box->errorLabel()->text(), u"The password was not saved: %1"_s.arg(why));
    QVERIFY(ok->isEnabled());

    // The password cleared (nothing to keep): the messenger removes it, which needs no keyring
    // entry; whatever the keyring says is shown the same way. Cancel closes.
    QTest::mouseClick(buttons->button(QDialogButtonBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());

    // Not typed: the keyring is not asked at all, and the dialog closes at once.
    window.settingsAction()->trigger();
    QTRY_VERIFY((dialog = window.findChild<SettingsDialog *>()) && dialog->isVisible());
    answered.clear();
    dialog->accept();
    QVERIFY(!dialog->mailBox()->isSaving());
    QVERIFY(!dialog->isVisible());
    QVERIFY(answered.isEmpty());
}

void tst_RelayUi::mailNoticesInTheStatusBar()
{
    auto alice = startPeer(quietConfig(u"Alice"_s));
    auto bob = startPeer(quietConfig(u"Bob"_s));
    QVERIFY(connectTo(*bob, *alice));
    QTRY_VERIFY(alice->peers()->peer(bob->id()).has_value());
    MainWindow window(*alice, named(u"Alice"_s));
    window.show();
    // As the messenger reports them (tst_mailcli sends real ones).
    Q_EMIT alice->mailNoticeSent(bob->id(), 3);
    QCOMPARE(window.statusBar()->currentMessage(),
             u"Bob was e-mailed that 3 messages wait for them."_s);
    Q_EMIT alice->mailNoticeFailed(bob->id(), u"The mail server refused the login."_s);
    QCOMPARE(window.statusBar()->currentMessage(),
             u"Could not e-mail Bob a notice: The mail server refused the login. Shoal tries again "
             u"later; see Settings, E-mail notices."_s);
}

QTEST_MAIN(tst_RelayUi)
#include "tst_relayui.moc"
