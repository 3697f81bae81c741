#pragma once

#include "storage/profilesettings.h"

#include <QMainWindow>
#include <QSet>

class ConversationPane;
class Messenger;
class Notifier;
class PeerListView;
class QAction;
class QLabel;
class TrayIcon;

// Composes the per-feature widgets; the protocol is not its business.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(Messenger &messenger, const ProfileSettings &settings, QWidget *parent = nullptr);

    QAction *connectAction() const { return m_connectAction; }
    PeerListView *peerList() const { return m_peers; }
    ConversationPane *conversation() const { return m_conversation; }

    void openConnectDialog();
    void openNetworkDialog();
    void openSettingsDialog();
    QAction *settingsAction() const { return m_settingsAction; }
    QAction *networkAction() const { return m_networkAction; }
    TrayIcon *trayIcon() const { return m_tray; }
    Notifier *notifier() const { return m_notifier; }

Q_SIGNALS:
    // The person changed Settings; the app keeps them in the profile.
    void settingsChanged(const ProfileSettings &settings);

private:
    void updateStatus();
    void copyId();

    Messenger &m_messenger;
    PeerListView *m_peers;
    ConversationPane *m_conversation;
    QAction *m_connectAction;
    QAction *m_networkAction;
    QAction *m_settingsAction;
    ProfileSettings m_settings;
    QLabel *m_status;
    QSet<QString> m_identityWarned; // peers already warned about this run
    TrayIcon *m_tray = nullptr;
    Notifier *m_notifier = nullptr;
};
