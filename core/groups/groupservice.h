// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "groups/groupbody.h"
#include "groups/groupinfo.h"
#include "groups/groupstate.h"
#include "net/tokenbucket.h"
#include "protocol/messages.h"

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QObject>
#include <QSet>
#include <QSslCertificate>

#include <memory>
#include <optional>

class Identity;
class MessageStore;
struct PeerRecord;
class Signer;
class Transport;
class Verifier;

Q_DECLARE_LOGGING_CATEGORY(lcGroups)

// The groups service (docs/groups.md, docs/protocol.md "Groups"): signed group messages with
// a per-author chain, sent live to the members online and caught up from any member on the
// next chat stream; signed per-member receipts, relayed to authors who are away. Knows no
// other service; Messenger wires it.
class GroupService final : public QObject
{
    Q_OBJECT

public:
    GroupService(Transport &transport,
                 MessageStore &store,
                 const Identity &identity,
                 QObject *parent = nullptr);
    ~GroupService() override;

    // Takes up the groups in the history (after the store is open).
    void load();
    // The name this profile goes by in the groups it creates or is added to by itself.
    void setOwnName(const QString &name) { m_ownName = name; }
    void setSendReadReceipts(bool send) { m_sendRead = send; }

    // Commands. nullopt / false and *error (for the person) when refused.
    std::optional<QString> create(const QString &name, const QStringList &members, QString *error);
    bool add(const QString &group, const QStringList &members, QString *error);
    bool remove(const QString &group, const QString &member, QString *error);
    bool leave(const QString &group, QString *error);
    bool rename(const QString &group, const QString &name, QString *error);
    // `replyTo` (issue 15): the message of this group it quotes, or null.
    std::optional<QUuid> send(const QString &group,
                              const QString &text,
                              QString *error,
                              const QUuid &replyTo = {});
    // The person has seen everything held of the group: read receipts go out (if allowed).
    void markRead(const QString &group);

    // Groups this profile is or was a member of (a group pulled that never named it is not).
    QStringList groupIds() const;
    // Null when unknown.
    const GroupState *state(const QString &group) const;
    // Where one of this profile's group messages stands with each other current member.
    QList<GroupDelivery> deliveries(const QUuid &messageId) const;
    // Per author the highest seq held and committed (what gsync says).
    QHash<QString, qint64> heads(const QString &group) const;
    // A peer's certificate if one is known (it connected, or the history pins it).
    QByteArray certificateOf(const QString &peerId) const;

    // Chat stream messages (through the Dispatcher).
    void onMessage(const QString &peerId, const Protocol::GroupMessage &message);
    void onPage(const QString &peerId, const Protocol::GroupPage &page);
    void onSync(const QString &peerId, const Protocol::GroupSync &sync);
    void onPull(const QString &peerId, const Protocol::GroupPull &pull);
    void onReceipt(const QString &peerId, const Protocol::GroupReceipt &receipt);

    // Messages of a page checked and kept in one pass of the event loop: with one signature
    // check per author per slice, a few milliseconds.
    static constexpr qsizetype SliceMessages = 128;
    // Unknown groups pulled from one peer at once (gsync for a group we may have been added to).
    static constexpr qsizetype MaxUnknownPulls = 8;

    // The longest slice (or message) check so far, in microseconds: for tests and the bench.
    qint64 longestAcceptUs() const { return m_longestAcceptUs; }

Q_SIGNALS:
    // Its name, members or this profile's membership changed, or it is new here.
    void changed(const QString &group);
    void deliveryChanged(const QUuid &messageId,
                         const QString &group,
                         const GroupDelivery &delivery);
    // A member lacks messages of ours (dial it, as the 1:1 queue does), or no longer does.
    void peerWanted(const QString &peerId, bool wanted);

private:
    struct Head
    {
        qint64 seq = 0;
        qint64 lc = 0;
        QByteArray link;
    };
    struct Receipt
    {
        qint64 delivered = 0;
        qint64 read = 0;
        QByteArray body;
        QByteArray sig;
    };
    // What acceptance reads and changes: copied for a page's tentative checks.
    struct Log
    {
        GroupState state;
        QList<Groups::Body> membership;
        QHash<QString, Head> heads; // accepted: stored or queued
        qint64 maxLc = 0;
    };
    struct Group
    {
        Log log;
        QHash<QString, qint64> durable;  // committed heads
        QHash<QString, qint64> readUpTo; // per author: what this profile said it read
        QHash<QPair<QString, QString>, Receipt> receipts; // (member, author)
        int uncommitted = 0;
        bool joined = false; // this profile is or was a member
    };
    struct Pending
    {
        QString group;
        QString author;
        qint64 seq = 0;
        bool outgoing = false;
        Protocol::GroupMessage message;
        QStringList to;    // own: who gets it live (the members before and after it)
        QStringList added; // own add: they get a gsync, to pull the group
    };
    struct Accepted
    {
        Groups::Body body;
        QByteArray bytes;
        QByteArray sig;
        QByteArray link; // linkHash(bytes, sig)
    };
    // A page being taken a slice per event-loop pass: the window never waits for a whole one.
    struct PageWork
    {
        QString peer;
        QString group;
        QList<QPair<QByteArray, QByteArray>> messages;
        qsizetype next = 0;
        bool more = false;
        bool progressed = false;
    };
    enum class Verdict { Accept, Duplicate, Gap, Refuse };

    void onPeerConnected(const QString &peerId, const QSslCertificate &certificate);
    void onPeerDisconnected(const QString &peerId);
    void onCommitted(const QList<ChatMessage> &added, const QList<ChatMessage> &duplicates);
    void onNotSaved(const QList<ChatMessage> &messages);
    void committedOne(const ChatMessage &m,
                      QSet<QPair<QString, QString>> *advanced,
                      QSet<QString> *groups);

    Group *find(const QString &group);
    const Group *find(const QString &group) const;
    void loadGroup(const QString &id);
    // Rule 2 without the signature, against `log`; on Accept, `log` takes the message.
    Verdict check(Log &log,
                  const QString &group,
                  const Groups::Body &body,
                  const QByteArray &bytes,
                  const QByteArray &sig,
                  QString *why) const;
    // Checks and keeps a run of messages (a page, or one live message). Returns whether
    // something was missing (a gap) and what was accepted.
    bool acceptRun(const QString &peerId,
                   const QString &group,
                   const QList<QPair<QByteArray, QByteArray>> &run,
                   bool verifyEach,
                   const QSet<QString> &refused = {},
                   std::optional<Groups::Body> decoded = std::nullopt); // of a one-message run
    void keep(const QString &group,
              const Accepted &a,
              bool outgoing,
              const QStringList &to,
              const QDateTime &now);
    void takePages();
    void finishPage(const PageWork &work);
    std::optional<QUuid> author(const QString &group,
                                Groups::Body body,
                                const QStringList &alsoTo,
                                QString *error);
    bool memberFor(const QString &id,
                   const QHash<QString, PeerRecord> &known,
                   Groups::Member *out,
                   QString *error) const;
    QHash<QString, PeerRecord> knownPeers() const; // the history's, by ID (one read)
    Group *ownGroup(const QString &group, QString *error);
    void sendSync(const QString &peerId, const QString &group);
    void pull(const QString &peerId, const QString &group);
    void continuePulls(const QString &group);
    void sendReceipt(const QString &group, const QString &author);
    void takeReceipt(const QString &group,
                     const Groups::ReceiptBody &r,
                     const QByteArray &body,
                     const QByteArray &sig);
    void indexOwn(const QString &group, qint64 upTo);
    static QString eventText(const Groups::Body &body);

    Transport &m_transport;
    MessageStore &m_store;
    const QString m_self;
    const QByteArray m_selfCert;
    QString m_ownName;
    std::unique_ptr<Signer> m_signer;
    std::unique_ptr<Verifier> m_verifier;
    bool m_sendRead = true;
    QHash<QString, Group> m_groups;
    QHash<QUuid, Pending> m_pending;                  // kept, their conversation row not committed
    QHash<QString, QHash<QString, qint64>> m_pulling; // peer -> group -> when the pull went
    // Per group: peers whose message we refused as a stranger's (its author's add may be on
    // its way): pulled from again when the group's membership changes.
    QHash<QString, QSet<QString>> m_askAgain;
    void updateWanted(const QString &group);
    QHash<QString, QSet<QString>> m_wantedIn;  // per group: members lacking our messages
    QHash<QString, int> m_wantedCount;         // per member: in how many groups
    QSet<QPair<QString, QString>> m_pullAgain; // (peer, group): again once committed
    QList<PageWork> m_pages;                   // pages being taken, oldest first
    bool m_pagesScheduled = false;
    QHash<QString, TokenBucket> m_pullBudget;   // per peer: pulls it may ask of us
    QHash<QString, QByteArray> m_certs;         // peers connected this run: certificate DER
    QHash<QUuid, QPair<QString, qint64>> m_own; // this profile's messages: (group, seq)
    // peer -> group -> the heads its next pull has when it goes on from the page we served
    QHash<QString, QHash<QString, QHash<QString, qint64>>> m_continuations;
    QElapsedTimer m_clock;
    qint64 m_longestAcceptUs = 0;
};
