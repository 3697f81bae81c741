#pragma once

#include "discovery/dialguard.h"
#include "discovery/discoveryservice.h"
#include "identity/identity.h"
#include "models/peerlistmodel.h"
#include "net/peerconnection.h"
#include "net/ports.h"
#include "net/throttledcount.h"
#include "storage/chatmessage.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>

class ConnectionRegistry;
class ConversationModel;
class MessageStore;

// What the Network panel and `shoal-cli`'s network command show.
struct NetworkStatus
{
    QString id;
    QString name;
    quint16 tcpPort = 0;
    QStringList listenAddresses;
    bool discoveryEnabled = false;
    DiscoveryStats discovery;
    QStringList warnings;
};

struct MessengerConfig
{
    QString profileDir; // history.sqlite lives here; empty: a history in memory only
    bool sendReadReceipts = true;
    QString name;
    QHostAddress listenAddress = QHostAddress::Any;
    quint16 port = DefaultPort;
    ConnectionLimits timeouts;
    // LAN discovery; off unless set. The app turns it on with the shipped defaults; tests set
    // loopback targets.
    std::optional<DiscoveryConfig> discovery;
};

// The one door between the user interfaces (window, shoal-cli) and the network: commands in,
// events out. Owns the connections, the peer list and the conversations.
class Messenger final : public QObject
{
    Q_OBJECT

public:
    Messenger(const Identity &identity, MessengerConfig config, QObject *parent = nullptr);
    ~Messenger() override;

    // Starts listening. On failure errorString() says what to do.
    bool start();
    QString errorString() const { return m_errorString; }

    QString id() const { return m_identity.id(); }
    QString name() const { return m_config.name; }
    void setName(const QString &name);
    quint16 port() const;
    // The addresses a peer could type to reach this one.
    QStringList listenAddresses() const;

    PeerListModel *peers() { return &m_peers; }
    const MessageStore &history() const { return *m_store; }
    // A model of one conversation at a time, paged from the history, for a view.
    ConversationModel *createConversationModel(QObject *parent);
    ConnectionRegistry &connections() { return *m_registry; }
    // Null when discovery is off.
    const DiscoveryService *discovery() const { return m_discovery; }
    // Problems that do not stop chatting (discovery could not start, ...), for the person.
    QStringList warnings() const { return m_warnings; }
    NetworkStatus networkStatus() const;

    // Parses `address` (host[:port], [v6]:port) and dials it. Returns an attempt number whose
    // outcome arrives as connectFinished(), or 0 with *error set when the input is bad.
    int connectToAddress(const QString &address, QString *error);
    // Queues a message; it goes out now if the peer is connected, else when it is next seen.
    std::optional<QUuid> sendMessage(const QString &peerId, const QString &text, QString *error);
    // The conversation the person is looking at, and whether they can see it (an active
    // window). What is shown there is read: read receipts go out if allowed.
    void setActiveConversation(const QString &peerId, bool visible = true);
    void markRead(const QString &peerId);
    void setSendReadReceipts(bool send) { m_config.sendReadReceipts = send; }
    // A waiting message: try to deliver it now, or take it back. A message not saved (state
    // Failed): try to save it again (it then goes out as if just typed), or drop it.
    bool retryMessage(const QUuid &id, QString *error);
    bool deleteMessage(const QUuid &id, QString *error);
    // Says bye to every peer.
    void shutdown();
    // Something the person should know about that does not stop chatting (also from outside
    // the messenger, such as a profile folder others can read): kept in warnings().
    void addWarning(const QString &warning);

Q_SIGNALS:
    void connectFinished(int attempt, const QString &peerId, const QString &error);
    // Something the person should know about; also kept in warnings().
    void warningAdded(const QString &warning);
    // A known peer's address answered with another key: refused, nothing sent there.
    // `warning` names both fingerprints.
    void identityMismatch(const QString &peerId, const QString &warning);
    void peerUpdated(const PeerInfo &peer);
    void messageReceived(const ChatMessage &message);
    // Also once when an outgoing message is on disk (Queued: nothing sent yet).
    void messageStateChanged(const ChatMessage &message);
    // An outgoing message could not be saved (`reason`: the database's error). It is shown as
    // not saved (Failed) and was not sent; retryMessage() tries again.
    void messageFailed(const ChatMessage &message, const QString &reason);
    void messageDeleted(const QUuid &id);

private:
    void onPeerConnected(const QString &peerId,
                         const Protocol::Hello &hello,
                         const QString &address,
                         const QSslCertificate &certificate);
    void onPeerDisconnected(const QString &peerId);
    void onMessage(const QString &peerId, const Protocol::Message &message);
    void flush(const QString &peerId);
    void pump(const QString &peerId);
    void redial();
    void scheduleRedial();
    void dial(const QString &peerId);
    void dialNext(const QString &peerId);
    // `answered`: the ID that answered instead, if a Shoal did (attemptFinished).
    void onDialFinished(const QString &peerId, PeerConnection::Error error, const QString &answered);
    bool mayDial(const PeerInfo &peer, const QString &address);
    void onPeerSeen(const QString &peerId, const QString &name, const QStringList &addresses);
    void onPeerGone(const QString &peerId);
    void dropIfOnlyHeard(const QString &peerId);
    void onCommitted(const QList<ChatMessage> &added,
                     const QList<ChatMessage> &changed,
                     const QList<QUuid> &removed,
                     const QList<ChatMessage> &duplicates);
    void onNotSaved(const QList<ChatMessage> &messages, const QString &error);
    void requestResend();
    void onResendAsked(const QString &peerId);
    void sendChat(const ChatMessage &message);
    void sendReceipts(const QString &peerId);
    void loadKnownPeers();
    void rememberPeer(const PeerInfo &peer, const QSslCertificate &certificate);
    void updatePeer(const PeerInfo &peer);
    void resumeReading();

    Identity m_identity;
    MessengerConfig m_config;
    ConnectionRegistry *m_registry;
    MessageStore *m_store;
    PeerListModel m_peers;
    QString m_errorString;
    QString m_activeConversation;
    bool m_activeVisible = false;
    QSet<MessageKey> m_ackAfterCommit; // duplicates of received messages not yet on disk
    // Per connected peer: the seq of the last queued message written to its connection.
    QHash<QString, qint64> m_sendCursor;
    QSet<QString> m_readingPaused; // peers far ahead of the disk
    QSet<QString> m_pumpScheduled; // peers whose next queue page is posted
    QSet<QString> m_sendCaughtUp;  // peers whose whole queue up to the cursor has gone out
    // Peers whose messages could not be stored (a full disk): asked to send them again
    // (Protocol::Resend) once a write succeeds, or when m_refetchTimer fires (with back-off).
    QSet<QString> m_refetch;
    QTimer m_refetchTimer;
    int m_refetchDelayMs = 0;
    // Per connected peer whose resend was served: when (m_clock), and whether a request that
    // came sooner waits for the second to be over. Forgotten when the connection ends.
    struct ResendServed
    {
        qint64 at = 0;
        bool deferred = false;
    };
    QHash<QString, ResendServed> m_resendServed;
    QTimer m_redialTimer; // runs only while a peer waits to be (re)dialled
    bool m_shutDown = false;
    struct Redial
    {
        qint64 notBefore = 0;
        int delayMs = 0;
    };
    QHash<QString, Redial> m_redial;
    struct Dial
    {
        QStringList addresses;
        int next = 0;
        int attempt = 0;
        QString current;      // the address being dialled
        bool guarded = false; // only an announcement named it: m_dialGuard counts it
    };
    QHash<QString, Dial> m_dials;         // peer ID -> dial in progress
    QHash<int, QString> m_redialAttempts; // attempt -> peer ID
    DialGuard m_dialGuard;                // what announcements may make us dial
    QElapsedTimer m_clock;                // monotonic: the dial guard's and the resend limit's time
    ThrottledCount m_dialsHeldBack{1000};
    DiscoveryService *m_discovery = nullptr;
    QStringList m_warnings;
};
