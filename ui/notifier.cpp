// SPDX-License-Identifier: GPL-3.0-or-later
#include "notifier.h"

#include "fileitem.h"
#include "messagetext.h"
#include "messenger/messenger.h"
#include "models/peerlistmodel.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QWidget>

using namespace Qt::StringLiterals;

namespace {

const QString Service = u"org.freedesktop.Notifications"_s;
const QString Path = u"/org/freedesktop/Notifications"_s;
const QString Interface = u"org.freedesktop.Notifications"_s;
constexpr int ExpireMs = 10'000;

bool isAway(const QWidget *window)
{
    // Present while any Shoal window is in front: Settings or Connect open over the main window
    // is not away.
    return !window->isVisible() || window->isMinimized() || QApplication::activeWindow() == nullptr;
}

} // namespace

Notifier::Notifier(Messenger &messenger, QWidget *window)
    : QObject(window)
    , m_messenger(messenger)
    , m_window(window)
    , m_baseTitle(window->windowTitle())
{
    connect(&m_messenger, &Messenger::messageReceived, this, &Notifier::onMessageReceived);
    connect(&m_messenger, &Messenger::transferOffered, this, &Notifier::onTransferOffered);
    QAbstractItemModel *peers = m_messenger.peers();
    connect(peers, &QAbstractItemModel::dataChanged, this, &Notifier::updateUnread);
    connect(peers, &QAbstractItemModel::rowsInserted, this, &Notifier::updateUnread);
    connect(peers, &QAbstractItemModel::rowsRemoved, this, &Notifier::updateUnread);
    connect(peers, &QAbstractItemModel::modelReset, this, &Notifier::updateUnread);
    m_unread = totalUnread(*peers);

    QDBusConnection bus = QDBusConnection::sessionBus();
    m_busConnected = bus.isConnected();
    if (m_busConnected) {
        bus.connect(Service,
                    Path,
                    Interface,
                    u"ActionInvoked"_s,
                    this,
                    SLOT(onActionInvoked(uint, QString)));
        bus.connect(Service,
                    Path,
                    Interface,
                    u"NotificationClosed"_s,
                    this,
                    SLOT(onNotificationClosed(uint, uint)));
    }
}

void Notifier::setSettings(const ProfileSettings &settings)
{
    m_settings = settings;
    if (!m_settings.notifications)
        m_waiting.clear(); // turned off: what waited is not posted either
    updateTitle();
}

void Notifier::setTray(QSystemTrayIcon *tray)
{
    m_tray = tray;
}

QString Notifier::summaryFor(const ChatMessage &message) const
{
    auto nameOf = [this](const QString &id) {
        const std::optional<PeerInfo> peer = m_messenger.peer(id);
        const QString name = peer ? peer->name.simplified() : QString();
        return MessageText::fromText(name.isEmpty() ? PeerListModel::shortId(id) : name, 64).shown;
    };
    if (const auto group = m_messenger.peers()->group(message.peerId)) {
        // "Alice in Lunch": who wrote, and where to answer.
        const QString where = MessageText::fromText(group->name.simplified(), 64).shown;
        return message.author.isEmpty()
                   ? where
                   : tr("%1 in %2", "author in group").arg(nameOf(message.author), where);
    }
    return nameOf(message.peerId);
}

QString Notifier::bodyFor(const QString &text)
{
    // The first line with something on it; a long one is cut, and so is a character under a
    // pile of combining marks, as in the window.
    const QStringList lines = text.split(u'\n');
    QString first;
    bool more = false;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        first = line;
        for (qsizetype j = i + 1; j < lines.size() && !more; ++j)
            more = !lines.at(j).trimmed().isEmpty();
        break;
    }
    const MessageText shown = MessageText::fromText(first, MaxBodyLength);
    QString body = shown.shown;
    if ((shown.truncated || more) && !body.endsWith(u'…'))
        body += u'…';
    return body;
}

void Notifier::onMessageReceived(const ChatMessage &message)
{
    // An offer's item: onTransferOffered() tells of it, with its size. A group's membership
    // change is not worth a notification.
    if (message.outgoing || message.kind == MessageKind::File
        || message.kind == MessageKind::GroupEvent || !isAway(m_window))
        return;
    if (m_settings.alertWindow) {
        QApplication::alert(m_window);
        Q_EMIT alerted();
    }
    // Issue 15: Busy is "do not disturb": no notification.
    if (m_settings.notifications && m_messenger.status() != PeerInfo::Status::Busy)
        post(message.peerId, summaryFor(message), bodyFor(message.text));
}

QString Notifier::offerBodyFor(const TransferInfo &offer)
{
    const QString name = MessageText::fromText(offer.name.simplified(), MaxBodyLength).shown;
    const QString size = FileItem::sizeText(offer.size);
    return offer.folder ? tr("Offers the folder %1 (%2)").arg(name, size)
           : offer.files > 1
               ? tr("Offers %1 (%Ln files, %2)", nullptr, int(qMin<qint64>(offer.files, 1 << 30)))
                     .arg(name, size)
               : tr("Offers %1 (%2)").arg(name, size);
}

void Notifier::onTransferOffered(const TransferInfo &offer)
{
    // Like a message: only while the window is away.
    if (offer.outgoing || !isAway(m_window))
        return;
    if (m_settings.alertWindow) {
        QApplication::alert(m_window);
        Q_EMIT alerted();
    }
    if (m_settings.notifications && m_messenger.status() != PeerInfo::Status::Busy) { // issue 15
        ChatMessage from;
        from.peerId = offer.peerId;
        post(offer.peerId, summaryFor(from), offerBodyFor(offer));
    }
}

int Notifier::totalUnread(const QAbstractItemModel &peers)
{
    int unread = 0;
    for (int row = 0; row < peers.rowCount(); ++row)
        unread += peers.index(row, 0).data(PeerListModel::UnreadRole).toInt();
    return unread;
}

void Notifier::updateUnread()
{
    withdrawRead();
    const int unread = totalUnread(*m_messenger.peers());
    if (unread == m_unread)
        return;
    m_unread = unread;
    updateTitle();
}

int Notifier::unreadOf(const QString &peerId) const
{
    const PeerListModel &peers = *m_messenger.peers();
    const int row = peers.rowOf(peerId);
    return row < 0 ? 0 : peers.index(row, 0).data(PeerListModel::UnreadRole).toInt();
}

void Notifier::withdrawRead()
{
    // A conversation read in the window needs no notification on the desktop any more.
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (unreadOf(it.key()) == 0)
            it = m_waiting.erase(it);
        else
            ++it;
    }
    for (auto it = m_shown.begin(); it != m_shown.end();) {
        if (unreadOf(it.key()) > 0) {
            ++it;
            continue;
        }
        if (m_busConnected) {
            QDBusMessage call
                = QDBusMessage::createMethodCall(Service, Path, Interface, u"CloseNotification"_s);
            call << it.value();
            QDBusConnection::sessionBus().asyncCall(call);
        }
        Q_EMIT withdrawn(it.key());
        it = m_shown.erase(it);
    }
}

void Notifier::updateTitle()
{
    m_window->setWindowTitle(m_settings.unreadInTitle && m_unread > 0
                                 ? tr("(%1) %2").arg(m_unread).arg(m_baseTitle)
                                 : m_baseTitle);
}

void Notifier::post(const QString &peerId, const QString &summary, const QString &body)
{
    if (!m_busConnected) {
        postToTray(summary, body);
        Q_EMIT notified(peerId, summary, body);
        return;
    }
    // A second message from the same peer replaces the first rather than piling up; one that
    // comes before the server has answered (or within MinIntervalMs) waits, only the newest.
    if (m_inFlight.contains(peerId)) {
        m_waiting.insert(peerId, {summary, body});
        return;
    }
    m_inFlight.insert(peerId);
    queryCapabilities();
    QDBusMessage call = QDBusMessage::createMethodCall(Service, Path, Interface, u"Notify"_s);
    const QString app = QGuiApplication::desktopFileName().isEmpty()
                            ? QCoreApplication::applicationName()
                            : QGuiApplication::desktopFileName();
    QVariantMap hints;
    hints.insert(u"desktop-entry"_s, app);
    hints.insert(u"category"_s, u"im.received"_s);
    call << QGuiApplication::applicationDisplayName() << m_shown.value(peerId) << app << summary
         << (m_markup ? body.toHtmlEscaped() : body)
         << QStringList{u"default"_s, tr("Open conversation")} << hints << ExpireMs;
    auto *watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher,
            &QDBusPendingCallWatcher::finished,
            this,
            [this, peerId, summary, body](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusPendingReply<uint> reply = *w;
                if (reply.isError())
                    postToTray(summary, body); // no notification service on this desktop
                else
                    m_shown.insert(peerId, reply.value());
                Q_EMIT notified(peerId, summary, body);
                // At most one a second per peer: a flood of messages is one notification kept
                // current, not a flood of notifications.
                QTimer::singleShot(MinIntervalMs, this, [this, peerId] {
                    m_inFlight.remove(peerId);
                    const auto next = m_waiting.constFind(peerId);
                    if (next == m_waiting.cend())
                        return;
                    const auto [nextSummary, nextBody] = *next;
                    m_waiting.erase(next);
                    // Things changed in that second: the window may be in front now, the
                    // conversation read, notifications turned off.
                    if (isAway(m_window) && m_settings.notifications && unreadOf(peerId) > 0)
                        post(peerId, nextSummary, nextBody);
                });
            });
}

void Notifier::postToTray(const QString &summary, const QString &body)
{
    if (m_tray && m_tray->isVisible())
        m_tray->showMessage(summary, body, QSystemTrayIcon::Information, ExpireMs);
}

void Notifier::queryCapabilities()
{
    if (m_askedCapabilities)
        return;
    m_askedCapabilities = true;
    const QDBusMessage call
        = QDBusMessage::createMethodCall(Service, Path, Interface, u"GetCapabilities"_s);
    // Asked once; until the answer comes the body is escaped, which a server that shows plain
    // text displays as entities at worst, never as markup.
    auto *watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<QStringList> reply = *w;
        if (!reply.isError())
            m_markup = reply.value().contains(u"body-markup"_s);
    });
}

void Notifier::onActionInvoked(uint id, const QString &action)
{
    if (action != u"default"_s)
        return;
    for (auto it = m_shown.cbegin(); it != m_shown.cend(); ++it) {
        if (it.value() == id) {
            Q_EMIT conversationRequested(it.key());
            return;
        }
    }
}

void Notifier::onNotificationClosed(uint id, uint reason)
{
    Q_UNUSED(reason);
    for (auto it = m_shown.begin(); it != m_shown.end(); ++it) {
        if (it.value() == id) {
            m_shown.erase(it);
            return;
        }
    }
}
