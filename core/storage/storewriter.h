// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chatmessage.h"
#include "storage/grouprecord.h"
#include "storage/transferrecord.h"

#include <QHash>
#include <QObject>
#include <QSqlDatabase>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>

struct sqlite3;

// A peer as remembered between runs.
struct PeerRecord
{
    QString id;
    QString name;
    QByteArray certificate; // DER; pinned: its SHA-256 is the ID (empty: the stored one kept)
    QStringList addresses;  // where it was last reached, best first
    QDateTime lastSeen;
    QByteArray avatarHash; // avatars (issue 15): the SHA-256 it last announced, or empty
};

// One change to the history, as MessageStore queues it for the writer.
namespace StoreWrite {
struct Add
{
    ChatMessage message;
    bool received = false; // INSERT OR IGNORE: a stored ID becomes a duplicate
};
// Changes only the row with this message's ID, peer and direction.
struct State
{
    ChatMessage message;
    MessageState state;
    // The row's if known (else message.seq): found by it, not by the ID index. A run of them
    // whose seqs follow each other is changed by seq range alone, without the IDs: so `seq`
    // must be this profile's own record of the row (OutgoingQueue's, for an ack), never a
    // number from a peer.
    qint64 seq = 0;
};
struct Receipt // incoming
{
    MessageKey key;
};
struct Remove // outgoing, still waiting
{
    QUuid id;
};
// Any one message, deleted from this profile's history only (issue 15: "delete for me").
struct Forget
{
    MessageKey key;
};
// A transfer's manifest, as files/ encodes it (opaque here).
struct Manifest
{
    QUuid id;
    QString peerId;
    bool outgoing = false;
    QByteArray blob;
};
// PeerRecord and TransferRecord: INSERT OR REPLACE of the whole record. GroupMessageRecord:
// INSERT OR IGNORE (a held (group, author, seq) keeps its first). GroupReceiptRecord: replaces
// the one kept for its (group, member, author) only if it is higher (delivered, then read).
using Write = std::variant<Add,
                           State,
                           Receipt,
                           Remove,
                           PeerRecord,
                           TransferRecord,
                           Manifest,
                           GroupMessageRecord,
                           GroupReceiptRecord,
                           Forget>;

// Whether `a` and `b`, queued one right after the other, are a group message and its
// conversation row (either first): written together or not at all, so that a group's log and
// what the person sees of it never part (a head advanced over a row that is not there).
inline bool together(const Write &a, const Write &b)
{
    const auto pair = [](const Write &x, const Write &y) {
        const auto *g = std::get_if<GroupMessageRecord>(&x);
        const auto *m = std::get_if<Add>(&y);
        return g && m && m->message.peerId == g->group;
    };
    return pair(a, b) || pair(b, a);
}
} // namespace StoreWrite

// What one transaction made durable, in the order it was written.
struct CommitResult
{
    bool ok = false;
    QString error;
    QList<ChatMessage> added;   // with their seq
    QList<ChatMessage> changed; // ID, peer, direction and the new state
    QList<QUuid> removed;
    QList<ChatMessage> duplicates; // stored before: same ID, peer and direction
    QList<ChatMessage> failed;     // adds that could not be written (a full disk, ...)
    qint64 commitUs = 0;           // time in the transaction, fsync included
    int sqliteCode = 0; // SQLite's primary result code when not ok (SQLITE_FULL...), else 0
};

// The only code that writes to the history. It lives on MessageStore's writer thread with a
// SQLite connection of its own, so that a commit (an fsync, tens of milliseconds on a slow
// disk) never holds the thread that runs the window and the sockets. WAL lets the other
// thread's connection read meanwhile.
class StoreWriter final : public QObject
{
    Q_OBJECT

public:
    StoreWriter();
    ~StoreWriter() override;

    // Both called on the thread it lives on. `durable` false: `path` is the URI of a shared
    // in-memory database (throwaway stores; synchronous = OFF).
    bool open(const QString &path, bool durable, QString *error);
    void close();
    // One transaction for all of `writes`; if it fails, one per write, so that only the
    // writes that fail are lost. `ok` is false if any failed; the adds among them are listed.
    CommitResult commit(const QList<StoreWrite::Write> &writes);
    // PRAGMA max_page_count at the file's size now, or lifted: tests fill the "disk" with it.
    bool setGrowthLimited(bool limited);

private:
    CommitResult transaction(const QList<StoreWrite::Write> &writes);
    std::optional<ChatMessage> stored(const MessageKey &key);
    // The peer's key in peer_keys (made if `make` and missing): cached, as only this writes it.
    std::optional<qint64> peerKey(const QString &peerId, bool make, QString *error);

    struct Queries;
    QString m_connection;
    QSqlDatabase m_db;
    std::unique_ptr<Queries> m_q;
    QHash<QString, qint64> m_peerKeys;
    QString m_openError;         // why open() failed: every commit fails with it
    sqlite3 *m_sqlite = nullptr; // m_db's handle, for the result code of a failed commit
};
