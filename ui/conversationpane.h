#pragma once

#include <QWidget>

class ConversationModel;
class MessageDelegate;
class Messenger;
class MessageInput;
class QLabel;
class QListView;
class QPushButton;

// The right side: who we talk to, what was said, and the box to say more. Older messages load
// as the person scrolls up; what is shown in the active window counts as read.
class ConversationPane final : public QWidget
{
    Q_OBJECT

public:
    ConversationPane(Messenger &messenger, QWidget *parent = nullptr);

    void showPeer(const QString &peerId);
    QString peerId() const { return m_peerId; }

    MessageInput *input() const { return m_input; }
    QListView *messageView() const { return m_view; }
    QLabel *errorLabel() const { return m_error; }
    ConversationModel *model() const { return m_model; }
    MessageDelegate *delegate() const { return m_delegate; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void send();
    void updateHeader();
    void updateVisibility();
    void onScrolled(int value);
    void showContextMenu(const QPoint &pos);
    void showWholeMessage(const QModelIndex &index);

    Messenger &m_messenger;
    ConversationModel *m_model;
    QString m_peerId;
    QLabel *m_header;
    QListView *m_view;
    MessageDelegate *m_delegate;
    MessageInput *m_input;
    QPushButton *m_sendButton;
    QLabel *m_error;
    bool m_loadingOlder = false;
};
