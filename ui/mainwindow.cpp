#include "mainwindow.h"

#include "connectdialog.h"
#include "conversationpane.h"
#include "messenger/messenger.h"
#include "networkdialog.h"
#include "notifier.h"
#include "peerlistview.h"
#include "settingsdialog.h"
#include "trayicon.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
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
    , m_settings(settings)
    , m_status(new QLabel(this))
{
    setWindowTitle(tr("Shoal"));
    resize(900, 600);

    m_connectAction->setShortcut(QKeySequence::New);
    m_connectAction->setToolTip(tr("Connect to a peer by address (Ctrl+N)"));
    connect(m_connectAction, &QAction::triggered, this, &MainWindow::openConnectDialog);
    m_networkAction->setToolTip(tr("Addresses, ports and LAN discovery: why can't I see a peer?"));
    connect(m_networkAction, &QAction::triggered, this, &MainWindow::openNetworkDialog);
    m_settingsAction->setShortcut(QKeySequence::Preferences);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::openSettingsDialog);
    auto *copyIdAction = new QAction(tr("Copy my &ID"), this);
    connect(copyIdAction, &QAction::triggered, this, &MainWindow::copyId);
    auto *quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    connect(quitAction, &QAction::triggered, this, [this] { m_tray->quit(); });

    QMenu *fileMenu = menuBar()->addMenu(tr("&Shoal"));
    fileMenu->addAction(m_connectAction);
    fileMenu->addAction(copyIdAction);
    fileMenu->addAction(m_networkAction);
    fileMenu->addAction(m_settingsAction);
    fileMenu->addSeparator();
    fileMenu->addAction(quitAction);
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar->addAction(m_connectAction);
    toolBar->addAction(copyIdAction);
    toolBar->addAction(m_networkAction);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_peers);
    splitter->addWidget(m_conversation);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 640});
    setCentralWidget(splitter);

    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
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

    connect(m_peers, &PeerListView::peerSelected, m_conversation, &ConversationPane::showPeer);

    // Tray and notifications (ui/trayicon, ui/notifier).
    m_tray = new TrayIcon(messenger, this);
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
}

void MainWindow::openConnectDialog()
{
    auto *dialog = new ConnectDialog(m_messenger, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectDialog::peerConnected, m_peers, &PeerListView::selectPeer);
    dialog->open();
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
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const ProfileSettings edited = dialog->settings();
        if (edited == m_settings)
            return;
        m_settings = edited;
        m_messenger.setName(edited.name);
        m_messenger.setSendReadReceipts(edited.readReceipts);
        m_tray->setSettings(edited);
        m_notifier->setSettings(edited);
        updateStatus();
        Q_EMIT settingsChanged(edited);
    });
    dialog->open();
}

void MainWindow::updateStatus()
{
    m_status->setText(tr("%1 · ID %2 · listening on %3")
                          .arg(m_messenger.name(),
                               PeerListModel::shortId(m_messenger.id()),
                               m_messenger.listenAddresses().join(QStringLiteral(", "))));
}

void MainWindow::copyId()
{
    QApplication::clipboard()->setText(m_messenger.id());
    statusBar()->showMessage(tr("Your ID is on the clipboard."), 3000);
}
