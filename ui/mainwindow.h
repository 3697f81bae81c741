#pragma once

#include <QMainWindow>

class ConversationPane;
class Messenger;
class PeerListView;
class QAction;
class QLabel;

// Composes the per-feature widgets; the protocol is not its business.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(Messenger &messenger, QWidget *parent = nullptr);

    QAction *connectAction() const { return m_connectAction; }
    PeerListView *peerList() const { return m_peers; }
    ConversationPane *conversation() const { return m_conversation; }

    void openConnectDialog();
    void openNetworkDialog();
    QAction *networkAction() const { return m_networkAction; }

private:
    void updateStatus();
    void copyId();

    Messenger &m_messenger;
    PeerListView *m_peers;
    ConversationPane *m_conversation;
    QAction *m_connectAction;
    QAction *m_networkAction;
    QLabel *m_status;
};
