// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fileitem.h"
#include "storage/chatmessage.h"

#include <QHash>
#include <QPersistentModelIndex>
#include <QWidget>

class AccessibleRows;
class FindBar;
class ConversationModel;
class MembersPanel;
class MessageDelegate;
class Messenger;
class MessageInput;
class QAction;
class QLabel;
class QMimeData;
class QListView;
class QKeyEvent;
class QPushButton;
class ReplyStrip;
class QToolButton; // avatars and emoji (issue 15)

// The right side: who we talk to, what was said, and the box to say more. Older messages load
// as the person scrolls up; what is shown in the active window counts as read. Opening one shows
// the first unread message, or the newest. Text can be selected with the mouse and copied,
// links open on a click, and the message under the keyboard focus has its menu (Menu key or
// Shift+F10: copy, retry, delete) and Delete.
//
// Files: "Send files…" and "Send folder…" (its actions, in the window's menu and tool bar and
// in the messages' menu), files and folders dropped on it, and a picture pasted into the box
// are asked for with sendFilesRequested(); the window sends them. A file transfer's item has
// buttons (accept, pause, open, ...) that act on a click.
//
// Groups: the members panel beside the messages; each message names its author, and an own
// message says where it stands ("delivered to 3 of 5", "read by 2"), the names on hover and on
// a click. Files go to peers only.
//
// A peer heard on the network that cannot be reached says so above the box, with the reason
// and a way to the Network panel; what is written to it waits.
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
    // Honest presence: shown while the peer is heard on the network but cannot be reached.
    QWidget *reachBanner() const { return m_reachBanner; }
    QLabel *reachLabel() const { return m_reachLabel; }
    QPushButton *networkButton() const { return m_networkButton; }
    ConversationModel *model() const { return m_model; }
    MessageDelegate *delegate() const { return m_delegate; }
    QAction *sendFilesAction() const { return m_sendFilesAction; }
    QAction *sendFolderAction() const { return m_sendFolderAction; }
    MembersPanel *membersPanel() const { return m_members; }
    bool isGroup() const;
    // Issue 17: the open conversation is with an IP Messenger / FeiQ / iptux user (no typing
    // notices, no quotes; not encrypted, not verified: the header says so).
    bool isIpmsgPeer() const;
    // The name of a peer or member as this window shows it.
    QString nameOf(const QString &peerId) const;
    // --- Typing and quoting (issue 15; conversationpanereply.cpp) ---
    ReplyStrip *replyStrip() const { return m_replyStrip; }
    // Reply to the message at `index`: the strip above the box shows it until sent or ✕.
    void startReply(const QModelIndex &index);
    // Deletes the message at `index` from this profile's history (after asking, if `confirm`).
    void deleteForMe(const QModelIndex &index, bool confirm = true);
    // Scrolls to the message the reply at `index` quotes and flashes it; false if it is not
    // in this history.
    bool revealQuoted(const QModelIndex &index);
    // --- end typing and quoting ---

    void chooseFiles();
    void chooseFolder();
    // Asks for `paths` to be sent to the open conversation's peer: one folder goes as a folder.
    void requestSend(const QStringList &paths);
    // Writes `image` as a PNG under the cache folder (in the background) and then asks for it
    // to be sent to the conversation it was pasted in.
    void sendImage(const QImage &image);
    void runFileAction(const QModelIndex &index, FileAction action);
    void showError(const QString &error);

    // The local files and folders in a drop or a paste (other URLs are not ours to send).
    static QStringList localFiles(const QMimeData *data);
    // The picture in a paste, if it carries a picture and no text (the check does not decode).
    static bool hasPastedImage(const QMimeData *data);
    static QImage pastedImage(const QMimeData *data);

    // --- Searching in the window (issue 15) ---
    // Ctrl+F (this conversation) and Ctrl+Shift+F (every conversation) open it.
    FindBar *findBar() const { return m_findBar; }
    QAction *findAction() const { return m_findAction; }
    QAction *findAllAction() const { return m_findAllAction; }
    // Shown while the messages stop before the newest (a search hit far back).
    QPushButton *newestButton() const { return m_newestButton; }
    // Back to the newest messages, scrolled to the end (after a search hit far back).
    void showNewest();
    // Brings the message `id` of the open conversation into view, in the middle, as the current
    // row (ConversationModel::revealMessage(): one far back loads only the messages around it).
    // False if the conversation has no such message. (A search hit; a quote's original.)
    bool showMessage(const QUuid &id);
    // --- end searching in the window ---

Q_SIGNALS:
    void sendFilesRequested(const QString &peerId, const QStringList &paths, bool asFolder);
    // "Network…" in the can't-connect banner: the window opens the Network panel.
    void networkPanelRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QString pickFrom() const; // where the file dialogs open
    void send();
    void updateHeader();
    void updateReachBanner();
    void updateInputState();
    void showDeliveries(const QModelIndex &index, const QPoint &pos);
    QString copyText(const QModelIndex &index) const;
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
    QString peerName() const;
    void onInputChanged(); // issue 15: typing notices
    bool canReplyTo(const ChatMessage &m) const;

    Messenger &m_messenger;
    ConversationModel *m_model;
    AccessibleRows *m_rows; // m_model as the view sees it
    QString m_peerId;
    QString m_pickedIn; // the folder of the last files or folder picked to send
    QLabel *m_header;
    QListView *m_view;
    MessageDelegate *m_delegate;
    MessageInput *m_input;
    QPushButton *m_sendButton;
    MembersPanel *m_members;
    QLabel *m_error;
    QWidget *m_reachBanner;
    QLabel *m_reachLabel;
    QPushButton *m_networkButton;
    QAction *m_sendFilesAction;
    QAction *m_sendFolderAction;
    // --- Searching in the window (issue 15) ---
    FindBar *m_findBar;
    QAction *m_findAction;
    QAction *m_findAllAction;
    QPushButton *m_newestButton;
    // --- end searching in the window ---
    bool m_loadingOlder = false;
    int m_laidOutWidth = -1;
    // --- Avatars and emoji (issue 15) ---
    static constexpr int HeaderAvatarSide = 32;
    void updateHeaderAvatar();
    QLabel *m_headerAvatar = nullptr;
    QToolButton *m_emojiButton = nullptr;

public:
    QLabel *headerAvatar() const { return m_headerAvatar; }
    QToolButton *emojiButton() const { return m_emojiButton; }
    // Where the emoji picker keeps the recently used: the profile's shoal.ini (the app sets
    // it); without it they are not kept.
    void setEmojiSettingsFile(const QString &file) { m_emojiSettings = file; }
    QString emojiSettingsFile() const { return m_emojiSettings; }

private:
    QString m_emojiSettings;

private:
    // --- end avatars and emoji ---
    QPersistentModelIndex m_pressed; // where a mouse selection started
    int m_pressedAt = -1;
    ReplyStrip *m_replyStrip; // issue 15
    // What was written and not sent, per conversation: it stays with its conversation.
    QHash<QString, QString> m_drafts;
    bool m_restoringDraft = false; // putting a draft back is not typing
};
