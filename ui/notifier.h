// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/transferinfo.h"
#include "storage/profilesettings.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>

class Messenger;
class QAbstractItemModel;
class QSystemTrayIcon;
class QWidget;
struct ChatMessage;

// Tells the person about a message (or an offer of files) that arrives while the window is away (no Shoal window
// active, hidden in the tray or minimized): a desktop notification and the window marked
// urgent. Keeps the unread count in the window title. Each can be turned off in Settings.
//
// Notifications go to org.freedesktop.Notifications on the session bus (what every Linux
// desktop and dunst serve; Qt's own tray balloon is not a notification on an XEmbed tray),
// or to the tray's balloon when no notification service answers.
class Notifier final : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxBodyLength = 120;  // of the message's first line
    static constexpr int MinIntervalMs = 1000; // between two notifications for one peer

    Notifier(Messenger &messenger, QWidget *window);

    void setSettings(const ProfileSettings &settings);
    // The fallback when no notification service answers; may be null.
    void setTray(QSystemTrayIcon *tray);

    int unread() const { return m_unread; }
    // The unread messages of every conversation in `peers` (a PeerListModel).
    static int totalUnread(const QAbstractItemModel &peers);
    // What a notification for `message` says: the sender's name, and the message's first
    // line, shortened. Plain text; the D-Bus path escapes it for servers that read markup.
    QString summaryFor(const ChatMessage &message) const;
    static QString bodyFor(const QString &text);
    // "Offers holiday.jpg (4.0 MiB)".
    static QString offerBodyFor(const TransferInfo &offer);

Q_SIGNALS:
    // Once a notification has been handed to the desktop (or the tray's balloon).
    void notified(const QString &peerId, const QString &summary, const QString &body);
    // The window was marked as needing attention (QApplication::alert).
    void alerted();
    // The person clicked a notification: show that conversation.
    void conversationRequested(const QString &peerId);
    // The peer's notification was taken back: its conversation has been read.
    void withdrawn(const QString &peerId);

private:
    void onMessageReceived(const ChatMessage &message);
    void onTransferOffered(const TransferInfo &offer);
    void updateUnread();
    void updateTitle();
    int unreadOf(const QString &peerId) const;
    void withdrawRead();
    void post(const QString &peerId, const QString &summary, const QString &body);
    void postToTray(const QString &summary, const QString &body);
    void queryCapabilities();
    // D-Bus signals can only be connected by name (QDBusConnection::connect).
    Q_SLOT void onActionInvoked(uint id, const QString &action);
    Q_SLOT void onNotificationClosed(uint id, uint reason);

    Messenger &m_messenger;
    QWidget *m_window;
    QPointer<QSystemTrayIcon> m_tray;
    ProfileSettings m_settings;
    QString m_baseTitle;
    int m_unread = 0;
    bool m_busConnected = false;
    bool m_askedCapabilities = false;
    bool m_markup = true;         // escape until the server says it shows plain text
    QHash<QString, uint> m_shown; // peer -> its notification, replaced by the next one
    QSet<QString> m_inFlight;     // peers with a Notify unanswered or answered < MinIntervalMs ago
    QHash<QString, std::pair<QString, QString>> m_waiting; // peer -> the newest to post next
};
