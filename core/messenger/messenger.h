// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "discovery/discoveryservice.h"
#include "files/offercheck.h"
#include "files/transferinfo.h"
#include "groups/groupinfo.h"
#include "identity/identity.h"
#include "ipmsg/ipmsgconfig.h" // issue 17
#include "mail/mailsettings.h" // e-mail notices (issue 16)
#include "models/peerlistmodel.h"
#include "net/connectionlimits.h"
#include "net/networkmonitor.h"
#include "net/ports.h"
#include "storage/chatmessage.h"
#include "storage/searchhit.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QRect>
#include <QSet>
#include <QTimer>

#include <memory>
#include <optional>

class AvatarService; // avatars (issue 15)
class ConnectionRegistry;
class CarryStore; // issue 16
class Courier;    // issue 16
class QImage;     // avatars (issue 15): Gui's, declared only (shoal-cli never sees a picture)
class ConversationModel;
class Dialer;
class FileTransfers;
class GroupService;
class Dispatcher;
class Inbox;
class IpmsgFiles;     // issue 17
class IpmsgTransport; // issue 17
class Keyring;        // e-mail notices (issue 16)
class MailNotices;    // e-mail notices (issue 16)
class MailProfile;    // e-mail notices (issue 16)
class SmtpSender;     // e-mail notices (issue 16)
class MessageStore;
class SearchWorker;
class Outbox;
class PeerExchange;
class Presence;
class Receipts;
class Roster;
class TransportMux;  // issue 17
class TransportSlot; // issue 17
class TypingNotices;

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
    // Issue 14 (r-netwatch): the last changes of this host's network, oldest first, and a hint
    // when discovery hears nobody ("no-peers-heard"), or empty.
    QList<NetworkChange> changes;
    QString hint;
    // --- IP Messenger (issue 17) ---
    bool ipmsgEnabled = false; // the setting (or shoal-cli's --no-ipmsg)
    bool ipmsgRunning = false; // its port is bound: IPMsg users can see this profile
    quint16 ipmsgPort = 0;
    QString ipmsgError; // why it is not running ("Port 2425 is in use ..."), for the panel
    // --- end IP Messenger ---
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
    // Files (docs/files.md): where accepted files go unless the person picks a folder; every
    // offer accepted at once into `acceptFilesInto` when it is set (shoal-cli --accept-files).
    QString downloadDir;
    QString acceptFilesInto;
    OfferLimits offerLimits;
    int maxPendingOffersPerPeer = 100; // offers from one peer waiting for a decision
    // Peer exchange (docs/protocol.md): tell peers where our other peers are, except these.
    bool peerExchange = true;
    QStringList notSharedWithOthers; // peer IDs whose address is never told
    // --- Presence (issue 15) ---
    // This profile's status and status text at start (the app keeps them in the profile).
    PeerInfo::Status status = PeerInfo::Status::Available;
    QString statusText;
    // --- end presence ---
    // --- IP Messenger (issue 17) ---
    // Off unless set; never started under SHOAL_LOOPBACK_ONLY. The app sets it from the
    // setting (on by default), shoal-cli unless --no-ipmsg.
    std::optional<IpmsgConfig> ipmsg;
    // False: `ipmsg` is kept for setIpmsgEnabled(true) but not started (--no-ipmsg, or the
    // window's setting is off).
    bool ipmsgStart = true;
    // --- end IP Messenger ---
};

// The one door between the user interfaces (window, shoal-cli) and the network: commands in,
// events out. Owns the transport (the connections), the store (the conversations) and the
// services on them (core/chat, core/peers), and wires the services' signals: they never
// include each other.
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

    PeerListModel *peers() { return m_peerList; }
    std::optional<PeerInfo> peer(const QString &peerId) const;
    // A model of one conversation at a time, paged from the history, for a view.
    ConversationModel *createConversationModel(QObject *parent);
    // Up to `count` messages of the conversation with `peerId`, oldest first, ending before
    // the message `before` (ours or theirs in that conversation) or with the newest. Empty
    // and *error set when `before` is not in it.
    QList<ChatMessage> historyPage(const QString &peerId,
                                   int count,
                                   const std::optional<QUuid> &before,
                                   QString *error) const;
    // After shutdown(): true until every connection has finished saying bye (or given up).
    bool hasOpenConnections() const;
    // For tests and the bench only; the user interfaces go through the methods above.
    const MessageStore &history() const { return *m_store; }
    ConnectionRegistry &connections() { return *m_registry; }
    const Dispatcher &dispatcher() const;
    // Null when discovery is off.
    const DiscoveryService *discovery() const { return m_discovery; }
    // Problems that do not stop chatting (discovery could not start, ...), for the person.
    QStringList warnings() const { return m_warnings; }
    NetworkStatus networkStatus() const;
    // --- IP Messenger (issue 17) ---
    // Turns IP Messenger / FeiQ / iptux on (with the config given at construction, or the
    // defaults) or off (BR_EXIT to them; their rows go offline). Reported by
    // ipmsgStatusChanged() and networkStatus().
    void setIpmsgEnabled(bool enabled);
    // --- end IP Messenger ---

    // Parses `address` (host[:port], [v6]:port) and dials it. Returns an attempt number whose
    // outcome arrives as connectFinished(), or 0 with *error set when the input is bad.
    int connectToAddress(const QString &address, QString *error);
    // Queues a message; it goes out now if the peer is connected, else when it is next seen.
    // `replyTo` (issue 15): a message of this conversation (either direction) it quotes.
    std::optional<QUuid> sendMessage(const QString &peerId,
                                     const QString &text,
                                     QString *error,
                                     const QUuid &replyTo = {});
    // The conversation the person is looking at, and whether they can see it (an active
    // window). What is shown there is read: read receipts go out if allowed.
    void setActiveConversation(const QString &peerId, bool visible = true);
    void markRead(const QString &peerId);
    void setSendReadReceipts(bool send);
    // A waiting message: try to deliver it now, or take it back. A message not saved (state
    // Failed): try to save it again (it then goes out as if just typed), or drop it.
    bool retryMessage(const QUuid &id, QString *error);
    // A waiting message (Queued, Failed) is taken back; any other (on the wire, delivered,
    // read, incoming) is deleted from this profile's history only ("delete for me", issue 15):
    // nothing is sent, the peer keeps its copy. messageDeleted() follows.
    bool deleteMessage(const QUuid &id, QString *error);
    // --- Typing and quoting (issue 15) ---
    // The person types (on) or stopped (off: the input emptied) in the 1:1 conversation with
    // `peerId`. Goes out at most every few seconds; never while read receipts are off.
    void setTyping(const QString &peerId, bool on);
    bool isPeerTyping(const QString &peerId) const;
    // For tests: how often "on" goes out, and how long a peer's "on" lasts without a refresh.
    void setTypingIntervals(int sendEveryMs, int expireAfterMs);
    // --- end typing and quoting ---
    // --- Files (docs/files.md) ---
    // Offers `paths` (files and folders, or with `asFolder` one folder) to the peer: it waits
    // like a message while the peer is away. Returns the transfer's ID at once; the folder is
    // read in the background and the offer appears through transferChanged() (or fails there).
    // nullopt and *error when the input is wrong (no such peer, no paths).
    std::optional<QUuid> sendFiles(const QString &peerId,
                                   const QStringList &paths,
                                   bool asFolder,
                                   QString *error);
    // An offer to us: accept into `directory` (empty: the download folder), or decline.
    bool acceptTransfer(const QUuid &id, const QString &directory, QString *error);
    bool declineTransfer(const QUuid &id, QString *error);
    // Either side may pause, resume or cancel a transfer that is not over.
    bool pauseTransfer(const QUuid &id, QString *error);
    bool resumeTransfer(const QUuid &id, QString *error);
    bool cancelTransfer(const QUuid &id, QString *error);
    // Every transfer remembered: running and waiting ones first, then the newest.
    QList<TransferInfo> transfers() const;
    std::optional<TransferInfo> transfer(const QUuid &id) const;
    QString downloadDir() const { return m_config.downloadDir; }
    void setDownloadDir(const QString &dir);
    // Offers from this peer are accepted into the download folder at once (off by default).
    bool acceptsFilesFrom(const QString &peerId) const;
    void setAcceptFilesFrom(const QString &peerId, bool accept);

    // --- Peer exchange (docs/protocol.md, "Peer exchange") ---
    // Whether peers are told where our other peers are (on by default). What peers tell us is
    // used either way: it is dialled only to the ID it names, within bounds.
    void setPeerExchange(bool enabled);
    bool peerExchange() const;
    // Whether this contact's address may be told to others (true unless the person said no).
    // False and *error for what is not a peer ID.
    bool setSharedWithOthers(const QString &peerId, bool shared, QString *error = nullptr);
    bool isSharedWithOthers(const QString &peerId) const;
    QStringList notSharedWithOthers() const;
    // For tests: the dialer's hints.
    const Dialer &dialer() const;

    // --- Groups (docs/groups.md) ---
    // Creates a group of this profile and `members` (known peers' IDs): its ID, or nullopt and
    // *error (no name, a name too long, an unknown peer, too many members or groups).
    std::optional<QString> createGroup(const QString &name,
                                       const QStringList &members,
                                       QString *error);
    bool addGroupMembers(const QString &groupId, const QStringList &members, QString *error);
    // Only the group's owner may remove others.
    bool removeGroupMember(const QString &groupId, const QString &member, QString *error);
    bool leaveGroup(const QString &groupId, QString *error);
    bool renameGroup(const QString &groupId, const QString &name, QString *error);
    // Signed, stored, sent to the members online; the others get it when they next meet any
    // member. Its ID, or nullopt and *error. `replyTo` (issue 15): a message of this group it
    // quotes (anyone's).
    std::optional<QUuid> sendGroupMessage(const QString &groupId,
                                          const QString &text,
                                          QString *error,
                                          const QUuid &replyTo = {});
    QList<GroupInfo> groups() const;
    std::optional<GroupInfo> group(const QString &groupId) const;
    // For one of this profile's group messages: where it stands with each other member.
    QList<GroupDelivery> groupDeliveries(const QUuid &messageId) const;
    // "Send to several": one 1:1 message to each peer, all or none (every ID checked first).
    // The IDs in the order of `peerIds`, or an empty list and *error.
    QList<QUuid> sendToMany(const QStringList &peerIds, const QString &text, QString *error);

    // --- Invite links (issue 14; docs/protocol.md, "Invite links") ---
    // This profile's link: its ID, name, port and the addresses another host could reach.
    QString inviteLink() const;
    // The peer of a link a person pasted or clicked: listed at once (the link's name, not
    // verified, "connecting…") and dialled with the link's ID expected until a verified
    // session comes up. False and *error (a sentence for the person) for a damaged link or
    // one's own. A wrong key at an address arrives as identityMismatch(). *peerId: the link's.
    bool connectInvite(const QString &link, QString *error, QString *peerId = nullptr);
    // --- end invite links ---
    // --- Presence (issue 15; docs/protocol.md, "Presence") ---
    // This profile's status and status text (one line, at most 80 UTF-16 units): told to every
    // connected peer at once (pres), and in hellos and LAN announcements from now on. So are a
    // new name (setName) and avatar hash. statusChanged() reports a change.
    void setStatus(PeerInfo::Status status, const QString &text);
    PeerInfo::Status status() const;
    QString statusText() const;
    // SHA-256 (32 bytes) of this profile's avatar PNG, or empty for none.
    void setAvatarHash(const QByteArray &sha256);
    QByteArray avatarHash() const;
    // --- end presence ---
    // --- Network changes (issue 14, r-netwatch) ---
    // The host woke up (logind's PrepareForSleep(false)): handled like a network change.
    void hostResumed();
    // Announcing for this long with no other Shoal heard: a firewall may block broadcasts.
    static constexpr qint64 NoPeersHeardHintMs = 10'000;
    // --- end network changes ---

    // --- Search (issue 15; docs/storage.md, "Search") ---
    // Messages (1:1 and groups; file names too) whose text holds `text`, newest first (order of
    // arrival), at most `limit`, in the conversation `conversation` (a peer's or a group's ID)
    // or, when it is empty, in all. Case-insensitive; Chinese and Japanese are found without
    // spaces; other words are whole words ("hel" does not find "Hello"). `text` is never query
    // syntax. Empty and *error set on bad input (empty text, limit < 1). While the index
    // of an older history is being built (searchIndexReady() false) only what is indexed so
    // far is found: the newest messages first.
    QList<SearchHit> search(const QString &text,
                            const QString &conversation,
                            int limit,
                            QString *error) const;
    bool searchIndexReady() const;
    // Up to `before` messages before the message `id` of `conversation`, the message itself,
    // and up to `after` after it, oldest first. Empty and *error set when it is not there.
    QList<ChatMessage> historyAround(
        const QString &conversation, const QUuid &id, int before, int after, QString *error) const;
    // --- end search ---
    // --- Searching in the window (issue 15) ---
    // search(), off this thread (on a reading connection of its own when the history is a
    // file; a history in memory is searched here, answered on the next event-loop pass). The
    // answer comes with searchFinished(ticket, ...); a request made before a newer one and
    // not started yet is dropped unanswered.
    quint64 startSearch(const QString &text, const QString &conversation, int limit);
    // --- end searching in the window ---
    // --- Avatars (issue 15; docs/protocol.md, "Avatars") ---
    // Our picture: `image` cut to a centred square (or `crop`), at most 128×128, a PNG of at
    // most 64 KiB, kept in the profile and announced to peers. False and *error (a sentence for
    // the person) when it cannot be made or saved.
    bool setAvatar(const QImage &image, QString *error, const QRect &crop = {});
    // The same from a picture file (shoal-cli's avatar command); an empty path removes ours.
    bool setAvatarFile(const QString &path, QString *error);
    void clearAvatar();
    // The picture of `peerId` (our own ID: ours), or a null image when there is none: the
    // interfaces then draw a generated one. A peer's is the one it last announced that we hold.
    QImage avatar(const QString &peerId) const;
    // The SHA-256 of the picture shown for `peerId` (our own ID: ours), empty when none.
    QByteArray avatarHashOf(const QString &peerId) const;
    // --- end avatars ---

    // --- Carried delivery (issue 16; docs/relay.md) ---
    // The person's switches for a contact, both off until turned on, mutual: "this contact may
    // relay (pass on at once) / hold (keep while the recipient is away) my messages, and I
    // do the same for it". Saved in the profile (relay.sqlite) and told to the contact at once.
    // False and *error for what is not a peer ID, or an IP Messenger user.
    bool setAllowRelay(const QString &peerId, bool allow, QString *error);
    bool setAllowHold(const QString &peerId, bool allow, QString *error);
    bool allowsRelay(const QString &peerId) const;
    bool allowsHold(const QString &peerId) const;
    // The peer that carries the conversation with `peerId` now ("via Carol"), or empty.
    QString via(const QString &peerId) const;
    // The helpers that keep one of our waiting messages for its offline recipient.
    QStringList heldBy(const QUuid &messageId) const;
    // What this profile keeps for others: sizes and times, never contents.
    struct HeldItem
    {
        QString recipient;
        QString author; // the peer that handed it over
        qint64 size = 0;
        QDateTime receivedAt;
        QDateTime expiresAt;
    };
    QList<HeldItem> held() const;
    // --- end carried delivery ---
    // --- E-mail notices (issue 16; docs/relay.md, "E-mail notices"): messengermail.cpp ---
    // A contact's e-mail address (its contact card, relay.sqlite), or empty. An empty `email`
    // removes it. False and *error (a sentence for the person) when it is not an address
    // (local@domain, ASCII, no spaces), `peerId` is not a Shoal peer, or it cannot be saved.
    bool setContactEmail(const QString &peerId, const QString &email, QString *error);
    QString contactEmail(const QString &peerId) const;
    // Where and when notices go (kept in the profile: mail.ini). setMailSettings() checks them
    // (MailSettings::validate), saves them and applies them at once; false and *error if not.
    MailSettings mailSettings() const;
    bool setMailSettings(const MailSettings &settings, QString *error);
    // The SMTP password, kept only in the desktop keyring (service "Shoal", one key per
    // profile), never on disk by Shoal nor in a log. Empty: removed from the keyring. The
    // answer comes as mailPasswordSaved().
    void setMailPassword(const QString &password);
    // --- end e-mail notices ---
    // Says bye to every peer.
    void shutdown();
    // Something the person should know about that does not stop chatting (also from outside
    // the messenger, such as a profile folder others can read): kept in warnings().
    void addWarning(const QString &warning);

Q_SIGNALS:
    // --- Carried delivery (issue 16) ---
    // `peerId` is now reached through `carrier` ("via Carol"), or directly again (empty).
    void viaChanged(const QString &peerId, const QString &carrier);
    // The helpers keeping one of our messages changed (messageStateChanged() follows with
    // ChatMessage::heldBy filled).
    void heldByChanged(const QUuid &messageId, const QString &peerId, const QStringList &helpers);
    // What this profile holds for others changed.
    void heldChanged();
    // --- end carried delivery ---
    // --- E-mail notices (issue 16) ---
    // setMailPassword()'s outcome: ok, or why not (no keyring: "No keyring is available ...").
    void mailPasswordSaved(bool ok, const QString &error);
    // A notice went to `peerId`'s address: `count` of our messages had waited too long.
    void mailNoticeSent(const QString &peerId, int count);
    // A notice to `peerId` could not be sent (`error` for the person); it is tried again later.
    void mailNoticeFailed(const QString &peerId, const QString &error);
    void contactEmailChanged(const QString &peerId, const QString &email);
    void mailSettingsChanged(const MailSettings &settings);
    // --- end e-mail notices ---
    // --- IP Messenger (issue 17) --- networkStatus()'s ipmsg fields changed.
    void ipmsgStatusChanged();
    // This host's network changed; already acted on (announced, dead connections closed,
    // peers re-dialled).
    void networkChanged(const NetworkChange &change);
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
    // Issue 15: the peer is typing to this profile (shown until `typing` is false).
    void peerTyping(const QString &peerId, bool typing);
    // A transfer is new, changed state, or made progress (at most 4 times a second each).
    void transferChanged(const TransferInfo &transfer);
    // A peer offers files: the person may accept, save elsewhere, or decline.
    void transferOffered(const TransferInfo &transfer);
    // A group is new here, or its name, members or unread count changed, or this profile left
    // it or was removed.
    void groupChanged(const GroupInfo &group);
    // One of this profile's group messages reached a member, or was read by one.
    void groupDeliveryChanged(const QUuid &messageId,
                              const QString &groupId,
                              const GroupDelivery &delivery);
    // --- Avatars (issue 15) ---
    // The picture shown for `peerId` changed (our own ID: ours).
    void avatarChanged(const QString &peerId);
    // --- end avatars ---
    // --- Presence (issue 15) ---
    // This profile's own status or status text changed (setStatus).
    void statusChanged(PeerInfo::Status status, const QString &text);
    // --- end presence ---

    // --- Search (issue 15) ---
    // The index of an older history is being built in the background: `indexed` of `total`
    // messages so far (indexed == total once it is ready).
    void searchIndexProgress(qint64 indexed, qint64 total);
    // --- end search ---
    // Searching in the window (issue 15): the answer to startSearch().
    void searchFinished(quint64 ticket, const QList<SearchHit> &hits, const QString &error);

private:
    void registerHandlers();
    // Search (issue 15): what the store found, as the interfaces see it.
    QList<SearchHit> searchHits(const QList<ChatMessage> &found) const;
    void wireAvatars(); // avatars (issue 15): messengeravatars.cpp
    void loadAvatars();
    void onDiscoveryGone(const QString &peerId);
    // Invite links (messengerinvite.cpp).
    void wireInvites();
    // Typing notices (messengertyping.cpp, issue 15).
    void wireTyping();
    QList<QHostAddress> inviteAddresses() const;
    void onNetworkChanged(const NetworkChange &change);
    void redialAfterChange();
    void dropIfOnlyHeard(const QString &peerId);
    void setWantedBy(QSet<QString> &by, const QString &peerId, bool wanted);
    // groupChanged() for one group, and for every group `peerId` is a member of.
    void reportGroup(const QString &groupId);
    void reportGroupsOf(const QString &peerId);
    // Presence (issue 15): this profile's presence to the hello, discovery and the peers.
    void publishPresence(bool initial = false);
    void onCommitted(const QList<ChatMessage> &added,
                     const QList<ChatMessage> &changed,
                     const QList<QUuid> &removed);
    // --- IP Messenger (issue 17): messengeripmsg.cpp ---
    void wireIpmsg();
    void startIpmsg();
    void stopIpmsg();
    void setIpmsgError(const QString &error, bool warn);
    // The group an IP Messenger user announced, to the roster.
    void updateIpmsgGroup(const QString &peerId);
    // Why `peerId` cannot be in a group (an IP Messenger user), or empty.
    QString ipmsgMemberError(const QString &peerId) const;
    // Files (messengeripmsgfiles.cpp)
    // The files service on a started IpmsgTransport (its TCP side); stopIpmsgFiles() before
    // the transport goes. setIpmsgEnabled() calls them.
    void startIpmsgFiles(IpmsgTransport &transport);
    void stopIpmsgFiles();
    bool isIpmsgTransfer(const QUuid &id) const;
    bool isIpmsgPeer(const QString &peerId) const;
    IpmsgFiles *m_ipmsgFiles = nullptr;
    QString m_ipmsgFilesError; // its TCP port could not be bound: networkStatus().ipmsgError
    // --- end IP Messenger ---

    // --- Carried delivery (issue 16): messengerrelay.cpp ---
    void wireRelay();         // before the mux: the store and the courier
    void wireRelayServices(); // after the services: their signals, both ways
    // Everything waiting for `peerId` (read from the history: rare events only) to the helpers.
    void depositWaiting(const QString &peerId);
    void onCommittedForRelay(const QList<ChatMessage> &added,
                             const QList<ChatMessage> &changed,
                             const QList<QUuid> &removed);
    // An outgoing message with `via` and `heldBy` filled, as messageStateChanged() reports it.
    ChatMessage withCarry(ChatMessage m) const;
    bool checkCarrier(const QString &peerId, QString *error) const;
    CarryStore *m_carryStore = nullptr; // owned (std::unique_ptr would need its header here)
    Courier *m_courier = nullptr;
    // --- end carried delivery ---
    // --- E-mail notices (issue 16): messengermail.cpp ---
    void wireMail();  // in the constructor
    void startMail(); // in start(), once the history is open
    void readMailPassword();
    MailProfile *m_mailProfile = nullptr; // owned
    SmtpSender *m_smtp = nullptr;
    Keyring *m_keyring = nullptr;
    MailNotices *m_mailNotices = nullptr;
    // The keyring answers in the order it was asked: the passwords being saved, oldest first,
    // and how many reads are out (those asked before a save would answer with the old one).
    QStringList m_passwordSaves;
    int m_passwordReads = 0;
    int m_stalePasswordReads = 0;
    // --- end e-mail notices ---
    Identity m_identity;
    MessengerConfig m_config;
    SearchWorker *m_searchWorker = nullptr; // Searching in the window (issue 15)
    quint64 m_searchTicket = 0;
    ConnectionRegistry *m_registry;
    // --- IP Messenger (issue 17) ---
    // What the services see: the registry (Shoal over TLS) and, through a slot that stays when
    // the setting turns it off and on, the IP Messenger transport.
    TransportSlot *m_ipmsgSlot;
    TransportMux *m_mux;
    IpmsgTransport *m_ipmsg = nullptr; // null while off
    bool m_ipmsgEnabled = false;
    bool m_started = false; // start() got as far as listening
    QString m_ipmsgError;
    // --- end IP Messenger ---
    MessageStore *m_store;
    // The services: each takes the transport and the store; none knows another.
    Roster *m_roster;
    PeerListModel *m_peerList;
    Outbox *m_outbox;
    Inbox *m_inbox;
    Receipts *m_receipts;
    Dialer *m_dialer;
    PeerExchange *m_pex;
    Presence *m_presence;    // issue 15
    QByteArray m_avatarHash; // issue 15
    FileTransfers *m_files = nullptr;
    GroupService *m_groups = nullptr;
    TypingNotices *m_typing = nullptr;       // issue 15
    AvatarService *m_avatars = nullptr;      // avatars (issue 15)
    QSet<QString> m_filesWant, m_groupsWant; // peers each service wants dialled
    QSet<QString> m_invitesWant;       // invited peers not verified yet: dialled until they are
    QHash<QString, int> m_groupUnread; // per group: messages not yet shown
    std::unique_ptr<Dispatcher> m_dispatcher;
    QString m_errorString;
    DiscoveryService *m_discovery = nullptr;
    NetworkMonitor *m_monitor = nullptr;
    static constexpr qint64 RedialAfterChangeMs = 1'000;
    QSet<QString> m_redialAfterChange; // online just before a change: dialled after it
    QElapsedTimer m_lastRedialAfterChange;
    QTimer m_redialAfterChangeTimer;
    QStringList m_warnings;
};
