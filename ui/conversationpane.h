// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPersistentModelIndex>
#include <QWidget>

class AccessibleRows;
class ConversationModel;
class MessageDelegate;
class Messenger;
class MessageInput;
class QLabel;
class QListView;
class QKeyEvent;
class QPushButton;

// The right side: who we talk to, what was said, and the box to say more. Older messages load
// as the person scrolls up; what is shown in the active window counts as read. Opening one shows
// the first unread message, or the newest. Text can be selected with the mouse and copied,
// links open on a click, and the message under the keyboard focus has its menu (Menu key or
// Shift+F10: copy, retry, delete) and Delete.
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
    QLabel *headerLabel() const { return m_header; }
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
    void showMenuFor(const QModelIndex &index, const QPoint &pos);
    void showWholeMessage(const QModelIndex &index);
    void scrollToFirstUnread(int unread);
    void relayoutIfWidthChanged();
    bool viewportEvent(QEvent *event);
    bool viewKeyEvent(QKeyEvent *event);
    void runAction(const QModelIndex &index, bool retry);
    void showError(const QString &error);
    QString peerName() const;

    Messenger &m_messenger;
    ConversationModel *m_model;
    AccessibleRows *m_rows; // m_model as the view sees it
    QString m_peerId;
    QLabel *m_header;
    QListView *m_view;
    MessageDelegate *m_delegate;
    MessageInput *m_input;
    QPushButton *m_sendButton;
    QLabel *m_error;
    bool m_loadingOlder = false;
    int m_laidOutWidth = -1;
    QPersistentModelIndex m_pressed; // where a mouse selection started
    int m_pressedAt = -1;
};
