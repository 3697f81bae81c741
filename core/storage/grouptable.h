// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/grouprecord.h"
#include "storage/storeconcern.h"

#include <QHash>
#include <QList>
#include <QSqlQuery>
#include <QStringList>

#include <memory>
#include <optional>

// Groups' signed logs and receipts: `group_messages` (one row per (group, author, seq), the
// body and signature as received) and `group_receipts` (the newest receipt per (group, member,
// author)). The conversation rows a person sees are HistoryTable's (peer = the group's ID).
// Written through the owner's batches (StoreWrite's GroupMessageRecord, INSERT OR IGNORE, and
// GroupReceiptRecord, an upsert keeping the higher numbers); read here on the owner's
// connection. All reads but after() also see what is queued or being written (queued() ..
// settled()): a message saved and read back at once is found.
class GroupTable final : public StoreConcern
{
public:
    GroupTable();
    ~GroupTable() override;

    static SchemaSteps schema();

    QStringList groupIds() const;
    QList<GroupMessageRecord> membership(const QString &group) const;
    QHash<QString, GroupHead> heads(const QString &group) const;
    std::optional<GroupMessageRecord> message(const QString &group,
                                              const QString &author,
                                              qint64 seq) const;
    // On disk only.
    QList<GroupMessageRecord> after(const QString &group,
                                    const QHash<QString, qint64> &heads,
                                    int maxMessages,
                                    qint64 maxBytes) const;
    QList<GroupReceiptRecord> receipts(const QString &group) const;

    // The owner's bookkeeping of writes not yet settled: queued() when a write is queued,
    // settled() once its batch is committed or has failed (then what is on disk is read again).
    void queued(const GroupMessageRecord &record);
    void queued(const GroupReceiptRecord &receipt);
    void settled(const GroupMessageRecord &record);
    void settled(const GroupReceiptRecord &receipt);

protected:
    bool prepareQueries() override;
    void releaseQueries() override;

private:
    struct Queries;
    // Per group, per (author, seq) or (member, author): the write queued first (a message:
    // INSERT OR IGNORE keeps the first) or the highest (a receipt), and how many writes are not
    // settled.
    template<typename Record>
    struct Entry
    {
        Record record;
        int writes = 0;
    };
    using Pair = QPair<QString, qint64>;
    using Names = QPair<QString, QString>;
    struct Ahead
    {
        QHash<Pair, Entry<GroupMessageRecord>> messages;
        QHash<Names, Entry<GroupReceiptRecord>> receipts;
        bool isEmpty() const { return messages.isEmpty() && receipts.isEmpty(); }
    };
    // The authors with a message in `group` on disk, in order.
    QStringList authors(const QString &group) const;
    std::unique_ptr<Queries> m_q;
    QHash<QString, Ahead> m_ahead;
};
