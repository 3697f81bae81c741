// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chatmessage.h"
#include "storage/grouprecord.h"
#include "storage/grouptable.h"
#include "storage/historytable.h"
#include "storage/outgoingqueue.h"
#include "storage/peertable.h"
#include "storage/searchtable.h"
#include "storage/storewriter.h"
#include "storage/transfertable.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QSqlDatabase>
#include <QThread>

#include <array>
#include <memory>
#include <optional>
#include <variant>

// History and the outgoing queue, in SQLite (WAL, synchronous=FULL) in the profile.
//
// Writes are grouped: they are queued, and at the end of the current event-loop pass handed in
// one batch to a writer thread (StoreWriter, its own SQLite connection) that commits them in
// one transaction; writes made meanwhile form the next batch. committed() then reports, on this
// thread, what became durable; only then does the messenger acknowledge, send, or show. So the
// disk never holds this thread, and a flood is committed in a few large transactions.
// flush() waits for everything queued to be committed.
//
// Reads run on this thread's own connection and see what committed() has reported, plus the
// queued writes where noted; a row committed but not yet reported is not shown.
//
// This class owns the database, its connections and the grouped commits; the tables' work is
// split by concern (StoreConcern): HistoryTable (messages), PeerTable (peers), OutgoingQueue
// (what we send: waiting, on the wire, not saved), TransferTable (file transfers), GroupTable
// (groups' signed logs and receipts). Its methods forward to them. A new concern registers its
// schema steps in schemaSteps() and itself in m_concerns (its reads prepared in open()); see
// docs/storage.md.
// bench/instructions.sh raises it at build time: under valgrind every commit is that slow, and
// the path it counts would not be the one that runs.
#ifndef SHOAL_INLINE_MAX_COMMIT_US
#define SHOAL_INLINE_MAX_COMMIT_US 4'000
#endif

class SearchFill;

class MessageStore final : public QObject
{
    Q_OBJECT

public:
    static constexpr int SchemaVersion = 11; // 11: avatars (issue 15)
    static constexpr qsizetype MaxWritesPerCommit = 1000;
    // A batch this small is committed on the calling thread when the writer thread is idle,
    // unless a recent one took longer than InlineMaxCommitUs.
    static constexpr qsizetype InlineMaxWrites = 8;
    static constexpr qint64 InlineMaxCommitUs = SHOAL_INLINE_MAX_COMMIT_US;
    static constexpr int InlineBackoffMs = 10'000;
    // quick_check's findings reported at most.
    static constexpr int MaxCheckFindings = 5;
    // Whether quick_check is running now (its connection open, its query not done): for tests.
    bool isChecking() const;

    explicit MessageStore(QObject *parent = nullptr);
    ~MessageStore() override;

    // Opens (creating and migrating) the database at `path`; ":memory:" for a throwaway one (a
    // SQLite in-memory database that the store's connections share).
    bool open(const QString &path, QString *error);
    // Opens `profileDir`/history.sqlite, its folder and files owner-only (created if missing),
    // or a throwaway history when `profileDir` is empty.
    bool openProfile(const QString &profileDir, QString *error);
    static QString historyPath(const QString &profileDir);
    // Migrates an open database up to `version` only (tests use it to build older schemas).
    static bool migrate(QSqlDatabase &db, int version, QString *error);
    static int schemaVersion(QSqlDatabase &db);
    // This thread's connection (reads; tests and the benchmark also write through it).
    QSqlDatabase database() const { return m_db; }

    // --- writes (grouped) ---
    // Returns false when the message (its ID, peer and direction) is already known (stored or
    // queued): nothing is added.
    bool add(const ChatMessage &message);
    // For a new outgoing message with a fresh random ID: no look-up.
    void addOutgoing(const ChatMessage &message);
    // For a message from the network: no look-up now; one already stored from that peer is
    // reported as a duplicate by committed(). Returns false if it is queued already (not yet on
    // disk).
    bool addReceived(const ChatMessage &message);
    // Changes only the message with this ID *and* this peer and direction (so a peer cannot
    // touch another's messages), without reading it first.
    void setState(const ChatMessage &message, MessageState state);
    void setReceiptSent(const ChatMessage &message); // incoming
    // "Sent" (written to a connection, no ack yet) is not worth a commit: after a restart such
    // a message is simply waiting. It is kept in memory, reported through sentStateChanged()
    // (never committed()), and undone by unsend() when the connection ends without an ack.
    void markSent(const ChatMessage &message);
    void unsend(const QString &peerId);
    // Whether a message to `peerId` is on the wire without an ack (markSent(), not yet
    // delivered or unsent): known here, no SQL.
    bool hasSent(const QString &peerId) const { return m_outgoing.hasSent(peerId); }
    void remove(const QUuid &id); // an outgoing message still waiting
    // Issue 15, delete for me: any one message, from this profile's history only (reported as
    // removed by committed()).
    void forget(const MessageKey &key);
    // Whether remove() was asked for this message and its commit is not reported yet: it must
    // not be sent meanwhile (a removal is on disk only once committed, "Sent" never is).
    bool isBeingRemoved(const QUuid &id) const
    {
        return m_removing.contains(id) || m_removingInFlight.contains(id);
    }
    // Outgoing messages whose add could not be written (notSaved()): kept here, in memory only,
    // as Failed, until the person retries (queued again, same ID) or discards them (reported
    // by unsavedDiscarded(), never as a commit). False if `id` is not such a message.
    bool retryUnsaved(const QUuid &id);
    bool discardUnsaved(const QUuid &id);
    QList<ChatMessage> unsaved(const QString &peerId) const;
    void savePeer(const PeerRecord &peer);
    // A file transfer's record and its manifest (files/'s encoding), each replacing the one
    // saved before with the same ID, peer and direction. Written with the messages' batches;
    // one that fails (a full disk) is reported by errorOccurred() and takes no other write with
    // it.
    void saveTransfer(const TransferRecord &transfer);
    void saveManifest(const QUuid &id, const QString &peerId, bool outgoing, const QByteArray &blob);
    // A group message (INSERT OR IGNORE: a replay of a held (group, author, seq) keeps the
    // first) and a member's receipt (kept per (group, member, author): the one with the higher
    // delivered, then read). Written with the messages' batches. Queue a message's conversation
    // row (addOutgoing()/addReceived(), peer = the group ID, stored Delivered if ours) right
    // after it (or right before): the two are then written together or not at all, and
    // committed() reports the row (or notSaved() both). A write that fails is reported by
    // errorOccurred() and takes no other write with it.
    void saveGroupMessage(const GroupMessageRecord &record);
    void saveGroupReceipt(const GroupReceiptRecord &receipt);
    // Commits everything queued and waits for it. Returns false on a database error (logged,
    // reported).
    bool flush();

    // --- reads ---
    // These include queued writes.
    bool contains(const MessageKey &key) const;
    std::optional<ChatMessage> message(const MessageKey &key) const;
    // Ours with this ID if there is one, else a peer's (for people and tests: a peer may reuse
    // an ID, so the network's code asks by key).
    std::optional<ChatMessage> message(const QUuid &id) const;
    bool contains(const QUuid &id) const { return message(id).has_value(); }
    // Up to `limit` messages that arrived before `before` (or the newest), in the order they
    // arrived here: typed here, or received (never the sender's clock).
    QList<ChatMessage> page(const QString &peerId,
                            int limit,
                            const std::optional<ChatMessage> &before = std::nullopt) const;
    // Up to `limit` messages that arrived after the one with seq `afterSeq`, in the order they
    // arrived (a window on a conversation that does not reach its newest message: a search hit
    // far back, then scrolling down).
    QList<ChatMessage> pageAfter(const QString &peerId, int limit, qint64 afterSeq) const;
    // The whole conversation in order of arrival (tests, small conversations).
    QList<ChatMessage> conversation(const QString &peerId) const;
    qint64 count(const QString &peerId) const;
    // Outgoing messages to `peerId` not yet delivered, in the order they were written: all,
    // or up to `limit` written after the one with seq `afterSeq`.
    QList<ChatMessage> undelivered(const QString &peerId, qint64 afterSeq = 0, int limit = -1) const;
    // Whether anything waits for `peerId` (one index probe; the redial tick asks every second).
    bool hasUndelivered(const QString &peerId) const;
    // Incoming messages shown to the person whose read receipt has not gone out yet.
    QList<ChatMessage> pendingReceipts(const QString &peerId) const;
    // Incoming messages not yet shown, per peer.
    QHash<QString, int> unreadCounts() const;
    QList<ChatMessage> unread(const QString &peerId) const;
    QList<PeerRecord> peers() const;
    // These include queued writes. Every transfer remembered, in the order they were made
    // (createdAt); the manifest saved for one (empty if none).
    QList<TransferRecord> transfers() const;
    QByteArray manifest(const QUuid &id, const QString &peerId, bool outgoing) const;
    // Groups. These include queued writes (a message saved and read back at once is found):
    // every group a message is held of; its membership messages (kind != text) in (lc, author,
    // seq) order; per author the newest message held; one message.
    QStringList groupIds() const;
    QList<GroupMessageRecord> groupMembership(const QString &group) const;
    QHash<QString, GroupHead> groupHeads(const QString &group) const;
    std::optional<GroupMessageRecord> groupMessage(const QString &group,
                                                   const QString &author,
                                                   qint64 seq) const;
    // What a member lacks: the messages after `heads` (per author the highest seq held; an
    // author absent from it from seq 1) in (lc, author, seq) order, at most `maxMessages` and
    // `maxBytes` of bodies (at least one message if there is one). What is on disk only: a
    // catch-up serves what is committed.
    QList<GroupMessageRecord> groupMessagesAfter(const QString &group,
                                                 const QHash<QString, qint64> &heads,
                                                 int maxMessages,
                                                 qint64 maxBytes) const;
    // Every receipt kept for the group, queued ones included (each the newest per member and
    // author).
    QList<GroupReceiptRecord> groupReceipts(const QString &group) const;
    // Received messages from `peerId` queued or being written: how far that peer is ahead of
    // the disk.
    int receivedBacklog(const QString &peerId) const { return m_receivedBacklog.value(peerId); }
    // Everyone there is a conversation with, known as a peer or not; never a group (its
    // conversation has the group's ID: groupIds()).
    QStringList conversationPeers() const;
    // Those of them the person has written to (an outgoing message in the history); never a
    // group.
    QStringList peersWrittenTo() const;
    // --- Search (issue 15; docs/storage.md, "Search") ---
    // Messages whose text holds `text` (SearchTable::search()), newest first, committed ones
    // (what committed() has reported). Empty and *error on bad input.
    QList<ChatMessage> search(const QString &text,
                              const QString &conversation,
                              int limit,
                              QString *error) const;
    // Whether every message is indexed: false while an older history is being indexed in the
    // background (searchIndexProgress()).
    bool searchIndexReady() const { return m_searchReady; }
    // Up to `before` messages before the message `id` of `conversation` (ours first, as
    // message() does: a peer may reuse an ID), it, and up to `after` after it, in order of
    // arrival: page() and pageAfter() around it. Empty when it is not on disk there.
    QList<ChatMessage> historyAround(const QString &conversation,
                                     const QUuid &id,
                                     int before,
                                     int after) const;
    // Tests: the background fill stops after `chunks` chunks, as a kill
    // would (0: never). Set before open().
    void setSearchFillLimit(int chunks) { m_searchFillLimit = chunks; }
    static constexpr int SearchFillRetryMs = 5'000;
    // --- end search ---
    QString lastError() const { return m_lastError; }
    // Whether the history is a throwaway one in memory (opened as ":memory:").
    bool isInMemory() const { return m_inMemory; }
    // The longest transaction so far on the writer thread, in microseconds (fsync included).
    qint64 longestCommitUs() const { return m_longestCommitUs; }
    void resetLongestCommit() const { m_longestCommitUs = 0; } // a statistic: const is fine
    // Reads run on this thread's connection so far: a statistic, so that tests can check that
    // a hot path asks the database nothing.
    qint64 readCount() const;
    // Caps the file at its size now (SQLite's max_page_count on the writers' connections), or
    // lifts the cap: every write that needs a new page fails as on a full disk. For tests.
    void setGrowthLimited(bool limited);

Q_SIGNALS:
    // After each successful commit: what became durable, in the order it was written.
    // `changed` carries ID, peer, direction and the new state. `duplicates` are received
    // messages whose ID was already stored for that peer (acknowledge them again).
    void committed(const QList<ChatMessage> &added,
                   const QList<ChatMessage> &changed,
                   const QList<QUuid> &removed,
                   const QList<ChatMessage> &duplicates);
    // Outgoing messages whose state changed in memory only, never committed: "Sent" (written
    // to a connection, markSent()) and back to "Queued" (unsend()). Reported on the next
    // event-loop pass, after whatever committed() is reporting now, all of a pass together.
    void sentStateChanged(const QList<ChatMessage> &changed);
    // An unsaved (Failed) outgoing message was discarded: it was only ever in memory. Reported
    // on the next event-loop pass, as a removal from the history is.
    void unsavedDiscarded(const QUuid &id);
    void errorOccurred(const QString &error);
    // Adds that could not be written, in either direction (`error` says why). Outgoing ones are
    // kept as unsaved (state Failed); received ones were not acknowledged, so their sender
    // still has them.
    void notSaved(const QList<ChatMessage> &messages, const QString &error);
    // A commit went through after one that failed: the history takes writes again.
    void recovered();
    // --- Search (issue 15) ---
    // The background fill of an older history's index: `indexed` of `total` rows so far; then
    // searchIndexReady() is true.
    void searchIndexProgress(qint64 indexed, qint64 total);
    // --- end search ---
    // SQLite's quick_check, run in the background after open(), is done: `damage` holds its
    // first findings, or is empty when the file is intact. A damaged file is left as it is.
    // Not emitted when the store is destroyed first: that cancels the check.
    void checked(const QString &damage);

private:
    using Write = StoreWrite::Write;
    struct Mailbox;
    struct Check;

    static const QList<SchemaSteps> &schemaSteps();
    void startCheck(const QString &file);
    void schedule();
    void dispatch();            // hands the next batch to the writer unless one is being committed
    void collect();             // takes the writer's result, if there is one, and reports it
    bool takeResult(bool wait); // the writer's result, reported; false if there was none
    void finish(CommitResult result);
    static QString describeWriteError(int sqliteCode, const QString &sqliteText);
    void reportSent(const QList<ChatMessage> &changed);
    bool exec(const QString &sql, QString *error);
    bool isOpen() const { return m_open; }
    StoreWriter &inlineWriter(); // opened on first use
    StoreWriter *threadWriter(); // started on first use

    QString m_connection;
    QSqlDatabase m_db;
    bool m_inMemory = false;
    bool m_open = false;
    bool m_growthLimited = false;
    QString m_file; // the writers open it too
    QThread m_thread;
    QThread *m_checkThread = nullptr;            // quick_check after open(), its own connection
    std::shared_ptr<Check> m_check;              // shared with it: how to cancel it
    StoreWriter *m_writer = nullptr;             // lives on m_thread; from the first big batch
    std::unique_ptr<StoreWriter> m_inlineWriter; // this thread's, for small batches
    QDeadlineTimer m_inlineBackoff{0}; // until it expires, small batches go to m_thread too
    std::shared_ptr<Mailbox> m_mailbox;
    bool m_busy = false; // a batch is with the writer
    bool m_failedSinceFlush = false;
    bool m_failing = false; // the last commit failed (at least in part)

    QList<Write> m_pending;
    QHash<MessageKey, ChatMessage> m_pendingMessages; // queued adds and their latest state
    QHash<MessageKey, ChatMessage> m_inFlight;        // adds with the writer, until reported
    QHash<QString, int> m_receivedBacklog;            // per peer: received adds not yet reported
    QHash<QString, int> m_receivedInFlight;           // per peer: those of them with the writer
    QList<ChatMessage> m_sentToReport;
    QSet<QUuid> m_removing;                      // remove() queued, not yet with a writer
    QSet<QUuid> m_removingInFlight;              // with the writer: done or failed once it reports
    QList<TransferKey> m_transferWritesInFlight; // transfer writes with the writer
    QList<GroupMessageRecord> m_groupMessagesInFlight; // group writes with the writer
    QList<GroupReceiptRecord> m_groupReceiptsInFlight;
    bool m_reportingCommit = false;  // in finish(): sent changes go out right after committed()
    bool m_sentReportPosted = false; // a posted report waits: what is added joins it, in order
    bool m_flushScheduled = false;
    QString m_lastError;
    mutable qint64 m_longestCommitUs = 0;

    // The concerns (see the class comment), prepared on m_db in open().
    HistoryTable m_history{{m_pendingMessages, m_inFlight}};
    PeerTable m_peers;
    OutgoingQueue m_outgoing{{m_pendingMessages, m_inFlight}};
    TransferTable m_transfers;
    GroupTable m_groups;
    SearchTable m_search{{m_pendingMessages, m_inFlight}};
    const std::array<StoreConcern *, 6> m_concerns{&m_history,
                                                   &m_peers,
                                                   &m_outgoing,
                                                   &m_transfers,
                                                   &m_groups,
                                                   &m_search};
    // Search (issue 15): the background fill of an older history's index.
    void startSearchFill();
    SearchFill *m_searchFill = nullptr;
    bool m_searchReady = true;
    int m_searchFillLimit = 0;
};
