// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/profilesettings.h"

#include <QMainWindow>
#include <QSet>

#include <optional>

class ConnectDialog;
class ContactEmailDialog; // issue 16
class ConversationPane;
class InviteQrDialog;
class Messenger;
class NewGroupDialog;
class Notifier;
class SendManyDialog;
class PeerListView;
class QAction;
class QLabel;
class TrayIcon;
class TransfersWindow;
class QSplitter;

// Composes the per-feature widgets; the protocol is not its business.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(Messenger &messenger, const ProfileSettings &settings, QWidget *parent = nullptr);

    QAction *connectAction() const { return m_connectAction; }
    PeerListView *peerList() const { return m_peers; }
    ConversationPane *conversation() const { return m_conversation; }

    // With `text` (an invite link clicked on the desktop, an address): connects to it at once.
    ConnectDialog *openConnectDialog(const QString &text = {});
    // Invite links (issue 14): "Copy invite link" and "Show invite QR code…".
    QAction *copyInviteAction() const { return m_copyInviteAction; }
    QAction *inviteQrAction() const { return m_inviteQrAction; }
    InviteQrDialog *openInviteQrDialog();
    // "New group…" (Ctrl+G): the created group opens.
    NewGroupDialog *openNewGroupDialog();
    // "Send to several…": the peers selected in the list are checked.
    SendManyDialog *openSendManyDialog();
    QAction *newGroupAction() const { return m_newGroupAction; }
    QAction *sendManyAction() const { return m_sendManyAction; }
    void openNetworkDialog();
    void openSettingsDialog();
    QAction *settingsAction() const { return m_settingsAction; }
    QAction *networkAction() const { return m_networkAction; }
    TrayIcon *trayIcon() const { return m_tray; }
    Notifier *notifier() const { return m_notifier; }
    QAction *aboutAction() const { return m_aboutAction; }
    QSplitter *splitter() const { return m_splitter; }
    void openAboutDialog();
    // Shows the Transfers window (Ctrl+Shift+T), made on first use.
    TransfersWindow *openTransfersWindow();
    QAction *transfersAction() const { return m_transfersAction; }
    // "Always accept files from this peer" (the peer list's menu): kept in the settings.
    void setAcceptFilesFrom(const QString &peerId, bool accept);
    // Whether this contact's address is told to other contacts (peer exchange).
    void setSharedWithOthers(const QString &peerId, bool shared);
    ProfileSettings settings() const { return m_settings; }
    // --- Carried delivery (issue 16): the peer list's menu ---
    // "Let Carol pass on / keep my messages" (Messenger::setAllowRelay, setAllowHold); an
    // error is shown in the status bar. False if the messenger refused.
    bool setAllowRelay(const QString &peerId, bool allow);
    bool setAllowHold(const QString &peerId, bool allow);
    // "E-mail address…": the contact card's address, for e-mail notices.
    ContactEmailDialog *openContactEmailDialog(const QString &peerId);
    // --- end carried delivery ---
    // --- IP Messenger (issue 17) ---
    // --no-ipmsg: Settings shows IP Messenger off for this run, and nothing turns it on.
    void setIpmsgOffForThisRun(bool off) { m_ipmsgOffForThisRun = off; }
    // --- end IP Messenger ---
    class AutoAway *autoAway() const { return m_autoAway; } // issue 15, for tests
    // The status bar's line: name, ID, where this run listens.
    class ElidingLabel *statusLine() const { return m_status; }
    // --port / --discovery-port: what this run uses where the command line differs from the
    // saved settings (the port as bound: --port 0 picks one). Settings says so beside the
    // fields and saves what they say.
    void setPortsForThisRun(std::optional<quint16> port, std::optional<quint16> discoveryPort)
    {
        m_portForThisRun = port;
        m_discoveryPortForThisRun = discoveryPort;
    }
    // The settings with where the window is now (size, state, splitter), as they are saved.
    ProfileSettings settingsWithLayout() const;

    // "&Connect to peer…" or "连接到用户(&C)…" as a tool button shows it: "Connect to peer",
    // "连接到用户" (a tool button has no mnemonic; Qt would show "(C)").
    static QString withoutMnemonic(const QString &text);

Q_SIGNALS:
    // The person changed Settings, or the window was closed (its size and layout changed);
    // the app keeps them in the profile.
    void settingsChanged(const ProfileSettings &settings);
    // Quit (menu, Ctrl+Q, the tray), or the window closed where no tray keeps Shoal: the app
    // ends the program gracefully (QApplication's quit-on-last-window-closed must be off).
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void restoreLayout();
    void saveLayout();
    void updateStatus();
    void copyId();
    void copyInviteLink();
    void sendFiles(const QString &peerId, const QStringList &paths, bool asFolder);
    void showPeerMenu(const QPoint &pos);

    Messenger &m_messenger;
    PeerListView *m_peers;
    ConversationPane *m_conversation;
    QAction *m_connectAction;
    QAction *m_networkAction;
    QAction *m_settingsAction;
    QAction *m_aboutAction;
    QAction *m_transfersAction;
    QAction *m_newGroupAction;
    QAction *m_sendManyAction;
    QAction *m_copyInviteAction;
    QAction *m_inviteQrAction;
    QSplitter *m_splitter;
    ProfileSettings m_settings;
    bool m_ipmsgOffForThisRun = false; // issue 17
    std::optional<quint16> m_portForThisRun;
    std::optional<quint16> m_discoveryPortForThisRun;
    // Presence (issue 15).
    class StatusSelector *m_statusSelector = nullptr;
    class AutoAway *m_autoAway = nullptr;
    class ElidingLabel *m_status;
    QSet<QString> m_identityWarned; // peers already warned about this run
    TrayIcon *m_tray = nullptr;
    Notifier *m_notifier = nullptr;
    TransfersWindow *m_transfers = nullptr;
};
