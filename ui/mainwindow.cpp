// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "autoaway.h"       // issue 15
#include "avatarsettings.h" // avatars (issue 15)
#include "connectdialog.h"
#include "contactemaildialog.h" // issue 16
#include "conversationpane.h"
#include "elidinglabel.h"
#include "findbar.h"
#include "inviteqrdialog.h"
#include "mailsettingsbox.h" // e-mail notices (issue 16)
#include "memberspanel.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "networkdialog.h"
#include "newgroupdialog.h"
#include "notifier.h"
#include "peerdelegate.h" // avatars (issue 15)
#include "peerlistview.h"
#include "relaytext.h" // issue 16
#include "sendmanydialog.h"
#include "settingsdialog.h"
#include "statusselector.h" // issue 15
#include "transferswindow.h"
#include "trayicon.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>

MainWindow::MainWindow(Messenger &messenger, const ProfileSettings &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_messenger(messenger)
    , m_peers(new PeerListView(messenger.peers(), this))
    , m_conversation(new ConversationPane(messenger, this))
    , m_connectAction(new QAction(tr("&Connect to peer…"), this))
    , m_networkAction(new QAction(tr("&Network…"), this))
    , m_settingsAction(new QAction(tr("S&ettings…"), this))
    , m_aboutAction(new QAction(tr("&About Shoal"), this))
    , m_transfersAction(new QAction(tr("&Transfers"), this))
    , m_newGroupAction(new QAction(tr("New &group…"), this))
    , m_sendManyAction(new QAction(tr("Send to se&veral…"), this))
    , m_copyInviteAction(new QAction(tr("Copy invite &link"), this))
    , m_inviteQrAction(new QAction(tr("Show invite QR co&de…"), this))
    , m_splitter(new QSplitter(this))
    , m_settings(settings)
    , m_status(new ElidingLabel(this))
{
    setWindowTitle(tr("Shoal"));

    m_connectAction->setShortcut(QKeySequence::New);
    m_connectAction->setToolTip(tr("Connect to a peer by address (Ctrl+N)"));
    connect(m_connectAction, &QAction::triggered, this, [this] { openConnectDialog(); });
    m_networkAction->setToolTip(tr("Addresses, ports and LAN discovery: why can't I see a peer?"));
    connect(m_networkAction, &QAction::triggered, this, &MainWindow::openNetworkDialog);
    // The platform's key (Ctrl+, on macOS and KDE) has none on most Linux desktops; Ctrl+, is
    // the one the README promises everywhere.
    QList<QKeySequence> preferences = QKeySequence::keyBindings(QKeySequence::Preferences);
    if (!preferences.contains(QKeySequence(Qt::CTRL | Qt::Key_Comma)))
        preferences.append(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_settingsAction->setShortcuts(preferences);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::openSettingsDialog);
    auto *copyIdAction = new QAction(tr("Copy my &ID"), this);
    connect(copyIdAction, &QAction::triggered, this, &MainWindow::copyId);
    m_copyInviteAction->setToolTip(
        tr("A link to send someone (mail, chat): pasted in their Shoal, it connects to you"));
    connect(m_copyInviteAction, &QAction::triggered, this, &MainWindow::copyInviteLink);
    connect(m_inviteQrAction, &QAction::triggered, this, [this] { openInviteQrDialog(); });
    auto *quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    connect(quitAction, &QAction::triggered, this, [this] { m_tray->quit(); });

    m_transfersAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    m_transfersAction->setToolTip(tr("Every file transfer, running ones first (Ctrl+Shift+T)"));
    connect(m_transfersAction, &QAction::triggered, this, &MainWindow::openTransfersWindow);
    m_newGroupAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_newGroupAction->setToolTip(tr("A group chat with peers you know (Ctrl+G)"));
    connect(m_newGroupAction, &QAction::triggered, this, &MainWindow::openNewGroupDialog);
    m_sendManyAction->setToolTip(
        tr("One message to each of several peers (select them with Ctrl+click or Shift+click)"));
    connect(m_sendManyAction, &QAction::triggered, this, &MainWindow::openSendManyDialog);
    QAction *sendFilesAction = m_conversation->sendFilesAction();
    QAction *sendFolderAction = m_conversation->sendFolderAction();

    QMenu *fileMenu = menuBar()->addMenu(tr("&Shoal"));
    fileMenu->addAction(m_connectAction);
    fileMenu->addAction(m_newGroupAction);
    fileMenu->addAction(m_sendManyAction);
    fileMenu->addAction(copyIdAction);
    fileMenu->addAction(m_copyInviteAction);
    fileMenu->addAction(m_inviteQrAction);
    fileMenu->addAction(m_networkAction);
    fileMenu->addAction(m_settingsAction);
    fileMenu->addSeparator();
    fileMenu->addAction(quitAction);
    QMenu *filesMenu = menuBar()->addMenu(tr("&Files"));
    filesMenu->addAction(sendFilesAction);
    filesMenu->addAction(sendFolderAction);
    filesMenu->addSeparator();
    filesMenu->addAction(m_transfersAction);
    // --- Searching in the window (issue 15) ---
    QMenu *findMenu = menuBar()->addMenu(tr("&Edit"));
    findMenu->addAction(m_conversation->findAction());
    findMenu->addAction(m_conversation->findAllAction());
    // --- end searching in the window ---
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::openAboutDialog);
    auto *aboutQtAction = new QAction(tr("About &Qt"), this);
    connect(aboutQtAction, &QAction::triggered, qApp, &QApplication::aboutQt);
    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(m_aboutAction);
    helpMenu->addAction(aboutQtAction);
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (QAction *action : {m_connectAction,
                            m_newGroupAction,
                            copyIdAction,
                            m_networkAction,
                            sendFilesAction,
                            sendFolderAction}) {
        action->setIconText(withoutMnemonic(action->text()));
        toolBar->addAction(action);
    }

    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_peers);
    m_splitter->addWidget(m_conversation);
    m_splitter->setStretchFactor(1, 1);
    // However long the conversation's header, the list keeps room for names.
    m_splitter->setCollapsible(0, false);
    // Room for the picture and the dot before the name (about 10 characters), and the name:
    // at 16 characters in all, a row showed its picture, its dot and no name at all.
    m_peers->setMinimumWidth(m_peers->fontMetrics().averageCharWidth() * 26);
    m_peers->setFindsPeersOnLan(m_messenger.discovery() != nullptr);
    m_splitter->setSizes({260, 640});
    setCentralWidget(m_splitter);

    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // --- Presence (issue 15): own status at the left; auto-away; the choice kept ---
    // Permanent: a warning shown in the status bar must not hide it.
    m_statusSelector = new StatusSelector(m_messenger, this);
    statusBar()->addPermanentWidget(m_statusSelector);
    m_autoAway = new AutoAway(m_messenger, AutoAway::desktopIdleSource(this), this);
    m_autoAway->setMinutes(m_settings.autoAwayMinutes);
    connect(&m_messenger, &Messenger::statusChanged, this, [this] {
        if (m_autoAway->isAway())
            return; // not the person's choice: not kept
        m_settings.status = PeerInfo::statusName(m_messenger.status());
        m_settings.statusText = m_messenger.statusText();
        Q_EMIT settingsChanged(m_settings);
    });
    // --- end presence ---
    statusBar()->addWidget(m_status, 1);
    updateStatus();
    // Once the window is up: a message shown before the status line's label is visible does
    // not hide it, and both would be drawn over each other.
    QMetaObject::invokeMethod(
        this,
        [this] {
            for (const QString &warning : m_messenger.warnings())
                statusBar()->showMessage(warning);
        },
        Qt::QueuedConnection);
    connect(&m_messenger, &Messenger::warningAdded, this, [this](const QString &warning) {
        statusBar()->showMessage(warning, 15'000); // then the status line comes back
    });
    connect(&m_messenger,
            &Messenger::identityMismatch,
            this,
            [this](const QString &peerId, const QString &warning) {
                // Once per peer and run: a forger that keeps answering must not bury the window.
                if (m_identityWarned.contains(peerId))
                    return;
                m_identityWarned.insert(peerId);
                const QString name = m_messenger.peers()->peer(peerId).value_or(PeerInfo{}).name;
                auto *box = new QMessageBox(
                    QMessageBox::Warning,
                    tr("Identity mismatch"),
                    tr("Another computer answered at %1's address. Nothing was sent to it.")
                        .arg(name.isEmpty() ? peerId.left(8) : name),
                    QMessageBox::Ok,
                    this);
                box->setInformativeText(warning);
                box->setObjectName(QStringLiteral("identityWarning"));
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->setTextInteractionFlags(Qt::TextSelectableByMouse);
                box->open();
            });

    // --- E-mail notices (issue 16): what went out, and what could not ---
    connect(&m_messenger, &Messenger::mailNoticeSent, this, [this](const QString &peerId, int count) {
        const QString name = m_conversation->nameOf(peerId);
        statusBar()->showMessage(
            count == 1
                ? tr("%1 was e-mailed that 1 message waits for them.").arg(name)
                : tr("%1 was e-mailed that %n messages wait for them.", nullptr, count).arg(name),
            10'000);
    });
    connect(&m_messenger,
            &Messenger::mailNoticeFailed,
            this,
            [this](const QString &peerId, const QString &error) {
                statusBar()->showMessage(tr("Could not e-mail %1 a notice: %2 Shoal tries again "
                                            "later; see Settings, E-mail notices.")
                                             .arg(m_conversation->nameOf(peerId), error),
                                         15'000);
            });
    // --- end e-mail notices ---
    connect(m_conversation, &ConversationPane::sendFilesRequested, this, &MainWindow::sendFiles);
    // A peer seen but unreachable: its banner leads to the Network panel.
    connect(m_conversation,
            &ConversationPane::networkPanelRequested,
            this,
            &MainWindow::openNetworkDialog);
    // A search result of another conversation: selected in the list as if clicked there.
    connect(m_conversation->findBar(), // Searching in the window (issue 15)
            &FindBar::conversationOpened,
            m_peers,
            &PeerListView::selectPeer);
    m_peers->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_peers, &QWidget::customContextMenuRequested, this, &MainWindow::showPeerMenu);

    connect(m_peers, &PeerListView::peerSelected, this, [this](const QString &peerId) {
        m_conversation->showPeer(peerId);
        // Ready to type, unless the person is going through the list with the arrow keys.
        if (!m_peers->isSelectingFromKeyboard() && m_conversation->input()->isEnabled())
            m_conversation->input()->setFocus(Qt::OtherFocusReason);
    });

    // --- Avatars (issue 15): pictures in the peer list, redrawn when one changes ---
    if (auto *delegate = qobject_cast<PeerDelegate *>(m_peers->itemDelegate())) {
        delegate->setAvatarSource(
            [this](const QString &peerId) { return m_messenger.avatar(peerId); });
    }
    connect(&m_messenger, &Messenger::avatarChanged, m_peers->viewport(), [this] {
        m_peers->viewport()->update();
    });
    // --- end avatars ---

    // Tray and notifications (ui/trayicon, ui/notifier).
    m_tray = new TrayIcon(messenger, this);
    connect(m_tray, &TrayIcon::quitRequested, this, &MainWindow::quitRequested);
    m_notifier = new Notifier(messenger, this);
    m_notifier->setTray(m_tray->icon());
    m_tray->setSettings(m_settings);
    m_notifier->setSettings(m_settings);
    connect(m_tray, &TrayIcon::closeNoteShown, this, [this] {
        m_settings.trayNoteShown = true;
        Q_EMIT settingsChanged(m_settings);
    });
    connect(m_notifier, &Notifier::conversationRequested, this, [this](const QString &peerId) {
        m_tray->showWindow();
        m_peers->selectPeer(peerId);
    });

    // A click on a peer (the open one too) leaves the keyboard in the message box; arrow keys
    // in the list select without taking the focus away from it.
    connect(m_peers, &QAbstractItemView::clicked, this, [this] {
        if (m_conversation->input()->isEnabled())
            m_conversation->input()->setFocus(Qt::MouseFocusReason);
    });
    connect(qApp, &QCoreApplication::aboutToQuit, this, &MainWindow::saveLayout);
    restoreLayout();
}

QString MainWindow::withoutMnemonic(const QString &text)
{
    // "(&C)" after a CJK label, then any other "&" ("&&" is a literal one), then the dots.
    static const QRegularExpression cjk(QStringLiteral(R"(\s*\(&[^&]\))"));
    QString out = text;
    out.remove(cjk);
    QString plain;
    for (qsizetype i = 0; i < out.size(); ++i) {
        if (out.at(i) == u'&' && i + 1 < out.size())
            ++i;
        plain += out.at(i);
    }
    if (plain.endsWith(QChar(0x2026)))
        plain.chop(1);
    else if (plain.endsWith(QStringLiteral("...")))
        plain.chop(3);
    return plain.trimmed();
}

void MainWindow::restoreLayout()
{
    if (m_settings.splitterState.isEmpty() || !m_splitter->restoreState(m_settings.splitterState))
        m_splitter->setSizes({260, 640});
    if (!m_settings.windowGeometry.isEmpty() && restoreGeometry(m_settings.windowGeometry)) {
        restoreState(m_settings.windowState);
        return;
    }
    // 900 × 600, or less on a small (or highly scaled: QT_SCALE_FACTOR=2) screen.
    QSize size(900, 600);
    if (const QScreen *screen = this->screen())
        size = size.boundedTo(screen->availableGeometry().size() * 9 / 10);
    resize(size);
}

ProfileSettings MainWindow::settingsWithLayout() const
{
    ProfileSettings settings = m_settings;
    settings.windowGeometry = saveGeometry();
    settings.windowState = saveState();
    settings.splitterState = m_splitter->saveState();
    return settings;
}

void MainWindow::saveLayout()
{
    const ProfileSettings now = settingsWithLayout();
    if (now.windowGeometry == m_settings.windowGeometry && now.windowState == m_settings.windowState
        && now.splitterState == m_settings.splitterState)
        return;
    m_settings = now;
    Q_EMIT settingsChanged(m_settings);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::openAboutDialog()
{
    if (auto *open = findChild<QMessageBox *>(QStringLiteral("aboutDialog"))) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("aboutDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Shoal"));
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setTextFormat(Qt::RichText);
    box->setText(tr("<h3>Shoal %1</h3><p>Chat on the local network, without a server.</p>")
                     .arg(QCoreApplication::applicationVersion().toHtmlEscaped()));
    box->setInformativeText(
        tr("<p>Licence: GNU General Public License, version 3 or later "
           "(GPL-3.0-or-later).</p><p>Built with Qt %1, running on Qt %2.</p>")
            .arg(QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion())));
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}

ConnectDialog *MainWindow::openConnectDialog(const QString &text)
{
    auto *dialog = new ConnectDialog(m_messenger, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectDialog::peerConnected, m_peers, &PeerListView::selectPeer);
    dialog->open();
    if (!text.isEmpty())
        dialog->connectTo(text);
    return dialog;
}

InviteQrDialog *MainWindow::openInviteQrDialog()
{
    auto *dialog = new InviteQrDialog(m_messenger.inviteLink(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

void MainWindow::copyInviteLink()
{
    QApplication::clipboard()->setText(m_messenger.inviteLink());
    statusBar()->showMessage(tr("Your invite link is on the clipboard: send it to someone to "
                                "connect."),
                             5000);
}

NewGroupDialog *MainWindow::openNewGroupDialog()
{
    auto *dialog = new NewGroupDialog(m_messenger, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &NewGroupDialog::groupCreated, this, [this](const QString &groupId) {
        // The messenger may report the new group's row a moment later: select it then.
        m_peers->selectPeer(groupId);
        if (m_peers->currentPeerId() != groupId) {
            auto *once = new QObject(this);
            connect(m_messenger.peers(),
                    &QAbstractItemModel::rowsInserted,
                    once,
                    [this, once, groupId] {
                        if (m_messenger.peers()->rowOf(groupId) < 0)
                            return;
                        m_peers->selectPeer(groupId);
                        once->deleteLater();
                    });
        }
    });
    dialog->open();
    return dialog;
}

SendManyDialog *MainWindow::openSendManyDialog()
{
    auto *dialog = new SendManyDialog(m_messenger, m_peers->selectedPeerIds(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SendManyDialog::sent, this, [this](const QStringList &peerIds) {
        statusBar()->showMessage(peerIds.size() == 1
                                     ? tr("Sent to 1 peer.")
                                     : tr("Sent to %n peers.", nullptr, int(peerIds.size())),
                                 5000);
    });
    dialog->open();
    return dialog;
}

void MainWindow::openNetworkDialog()
{
    if (auto *open = findChild<NetworkDialog *>()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new NetworkDialog(m_messenger, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::openSettingsDialog()
{
    auto *dialog = new SettingsDialog(m_settings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->addPictureRow(new AvatarSettings(m_messenger, m_settings.name, dialog)); // issue 15
    dialog->setIpmsgOffForThisRun(m_ipmsgOffForThisRun);                             // issue 17
    dialog->setPortsForThisRun(m_portForThisRun, m_discoveryPortForThisRun);
    dialog->addMailBox(new MailSettingsBox(m_messenger, dialog)); // e-mail notices (issue 16)
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        ProfileSettings edited = dialog->settings();
        if (edited == m_settings)
            return;
        edited.windowGeometry = m_settings.windowGeometry;
        edited.windowState = m_settings.windowState;
        edited.splitterState = m_settings.splitterState;
        // Issue 17: at once (BR_ENTRY or BR_EXIT to IP Messenger users), as read receipts.
        const bool ipmsgChanged = edited.ipmsgEnabled != m_settings.ipmsgEnabled;
        m_settings = edited;
        if (ipmsgChanged && !m_ipmsgOffForThisRun)
            m_messenger.setIpmsgEnabled(edited.ipmsgEnabled);
        m_messenger.setName(edited.name);
        m_messenger.setSendReadReceipts(edited.readReceipts);
        m_messenger.setPeerExchange(edited.peerExchange);
        m_messenger.setDownloadDir(edited.effectiveDownloadDir());
        m_tray->setSettings(edited);
        m_notifier->setSettings(edited);
        m_autoAway->setMinutes(edited.autoAwayMinutes); // issue 15
        updateStatus();
        Q_EMIT settingsChanged(edited);
    });
    dialog->open();
}

void MainWindow::updateStatus()
{
    m_status->setFullText(tr("%1 · ID %2 · listening on %3")
                              .arg(m_messenger.name(),
                                   PeerListModel::shortId(m_messenger.id()),
                                   m_messenger.listenAddresses().join(QStringLiteral(", "))));
}

void MainWindow::copyId()
{
    QApplication::clipboard()->setText(m_messenger.id());
    statusBar()->showMessage(tr("Your ID is on the clipboard."), 3000);
}

void MainWindow::sendFiles(const QString &peerId, const QStringList &paths, bool asFolder)
{
    QString error;
    if (!m_messenger.sendFiles(peerId, paths, asFolder, &error))
        m_conversation->showError(error);
}

TransfersWindow *MainWindow::openTransfersWindow()
{
    if (!m_transfers)
        m_transfers = new TransfersWindow(m_messenger, this);
    m_transfers->show();
    m_transfers->raise();
    m_transfers->activateWindow();
    return m_transfers;
}

void MainWindow::setAcceptFilesFrom(const QString &peerId, bool accept)
{
    if (accept == m_settings.acceptFilesFrom.contains(peerId))
        return;
    if (accept)
        m_settings.acceptFilesFrom.append(peerId);
    else
        m_settings.acceptFilesFrom.removeAll(peerId);
    m_messenger.setAcceptFilesFrom(peerId, accept);
    Q_EMIT settingsChanged(m_settings);
}

void MainWindow::setSharedWithOthers(const QString &peerId, bool shared)
{
    if (shared == !m_settings.notSharedWithOthers.contains(peerId))
        return;
    if (!m_messenger.setSharedWithOthers(peerId, shared))
        return;
    m_settings.notSharedWithOthers = m_messenger.notSharedWithOthers();
    Q_EMIT settingsChanged(m_settings);
}

void MainWindow::showPeerMenu(const QPoint &pos)
{
    const QModelIndex index = m_peers->indexAt(pos);
    if (!index.isValid())
        return;
    const QString peerId = index.data(PeerListModel::IdRole).toString();
    QMenu menu(this);
    if (m_peers->selectedPeerIds().size() > 1) {
        menu.addAction(m_sendManyAction);
        menu.addSeparator();
    }
    if (index.data(PeerListModel::IsGroupRole).toBool()) {
        // The members panel has the rest (add, remove, rename).
        QAction *leave = menu.addAction(tr("&Leave group…"));
        const auto group = m_messenger.peers()->group(peerId);
        leave->setEnabled(group && group->isMember);
        if (menu.exec(m_peers->viewport()->mapToGlobal(pos)) == leave) {
            m_peers->selectPeer(peerId);
            m_conversation->membersPanel()->confirmLeave();
        }
        return;
    }
    QAction *accept = menu.addAction(tr("&Always accept files from this peer"));
    accept->setCheckable(true);
    accept->setChecked(m_settings.acceptFilesFrom.contains(peerId));
    accept->setToolTip(tr("Their files are saved in the download folder without asking"));
    QAction *hide = menu.addAction(tr("&Don't share this contact's address"));
    hide->setCheckable(true);
    hide->setChecked(!m_messenger.isSharedWithOthers(peerId));
    hide->setToolTip(tr("Peer exchange never tells your other contacts where this one is"));
    // Issue 17: nobody is ever told where an IP Messenger user is.
    const bool ipmsg = index.data(PeerListModel::IpmsgRole).toBool();
    hide->setVisible(!ipmsg);
    // --- Carried delivery (issue 16): who may carry my messages (both ways), an e-mail ---
    // An IP Messenger user can neither carry nor open a sealed envelope.
    QAction *relay = nullptr;
    QAction *hold = nullptr;
    QAction *email = nullptr;
    if (!ipmsg) {
        const QString name = index.data(PeerListModel::NameRole).toString().isEmpty()
                                 ? PeerListModel::shortId(peerId)
                                 : index.data(PeerListModel::NameRole).toString();
        menu.addSeparator();
        relay = menu.addAction(RelayText::relayAction(name));
        relay->setObjectName(QStringLiteral("allowRelay"));
        relay->setCheckable(true);
        relay->setChecked(m_messenger.allowsRelay(peerId));
        relay->setToolTip(RelayText::relayToolTip(name));
        hold = menu.addAction(RelayText::holdAction(name));
        hold->setObjectName(QStringLiteral("allowHold"));
        hold->setCheckable(true);
        hold->setChecked(m_messenger.allowsHold(peerId));
        hold->setToolTip(RelayText::holdToolTip(name));
        email = menu.addAction(RelayText::emailAction());
        email->setObjectName(QStringLiteral("contactEmail"));
        email->setToolTip(tr("Where Shoal sends %1 a notice when your messages wait too long "
                             "(Settings, E-mail notices)")
                              .arg(name));
        menu.setToolTipsVisible(true);
    }
    // --- end carried delivery ---
    QAction *chosen = menu.exec(m_peers->viewport()->mapToGlobal(pos));
    if (chosen == accept)
        setAcceptFilesFrom(peerId, accept->isChecked());
    else if (chosen == hide)
        setSharedWithOthers(peerId, !hide->isChecked());
    // --- Carried delivery (issue 16) ---
    else if (chosen && chosen == relay)
        setAllowRelay(peerId, relay->isChecked());
    else if (chosen && chosen == hold)
        setAllowHold(peerId, hold->isChecked());
    else if (chosen && chosen == email)
        openContactEmailDialog(peerId);
    // --- end carried delivery ---
}

// --- Carried delivery (issue 16) ---
bool MainWindow::setAllowRelay(const QString &peerId, bool allow)
{
    QString error;
    if (m_messenger.setAllowRelay(peerId, allow, &error)) {
        // The menu closed on the choice: say what it did.
        const QString name = m_conversation->nameOf(peerId);
        statusBar()->showMessage(
            allow ? tr("%1 may now pass on your messages, and you theirs.").arg(name)
                  : tr("%1 no longer passes on your messages, nor you theirs.").arg(name),
            10'000);
        return true;
    }
    statusBar()->showMessage(tr("Could not change who passes on your messages: %1").arg(error),
                             15'000);
    return false;
}

bool MainWindow::setAllowHold(const QString &peerId, bool allow)
{
    QString error;
    if (m_messenger.setAllowHold(peerId, allow, &error)) {
        const QString name = m_conversation->nameOf(peerId);
        statusBar()->showMessage(
            allow ? tr("%1 may now keep your messages for people who are away, and you theirs.")
                        .arg(name)
                  : tr("%1 no longer keeps your messages, nor you theirs.").arg(name),
            10'000);
        return true;
    }
    statusBar()->showMessage(tr("Could not change who keeps your messages: %1").arg(error), 15'000);
    return false;
}

ContactEmailDialog *MainWindow::openContactEmailDialog(const QString &peerId)
{
    auto *dialog = new ContactEmailDialog(m_messenger, peerId, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}
// --- end carried delivery ---
