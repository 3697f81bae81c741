// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/storeconcern.h"
#include "storage/transferrecord.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlQuery>

#include <memory>
#include <optional>

// A transfer is known as a message is: its ID (the sender's), its peer, its direction.
using TransferKey = MessageKey;

inline TransferKey keyOf(const TransferRecord &t)
{
    return {t.id, t.peerId, t.outgoing};
}

// File transfers remembered between runs: the `transfers` table (one row per transfer, its
// latest state) and `transfer_manifests` (the manifest's bytes, encoded by files/, opaque
// here). Written through the owner's batches (StoreWrite's TransferRecord and Manifest, INSERT
// OR REPLACE); read here on the owner's connection. Reads also see what is queued or being
// written (ahead()): a transfer saved and read back at once is found.
class TransferTable final : public StoreConcern
{
public:
    TransferTable();
    ~TransferTable() override;

    static SchemaSteps schema();

    QList<TransferRecord> transfers() const;
    QByteArray manifest(const TransferKey &key) const;

    // The owner's bookkeeping of writes not yet settled: queued() when a write is queued,
    // settled() once its batch is committed or has failed (then what is on disk is read again).
    void queued(const TransferRecord &record);
    void queued(const TransferKey &key, const QByteArray &manifest);
    void settled(const TransferKey &key);

protected:
    bool prepareQueries() override;
    void releaseQueries() override;

private:
    struct Queries;
    // Per key: the latest record and manifest queued, and how many writes are not settled.
    struct Ahead
    {
        std::optional<TransferRecord> record;
        std::optional<QByteArray> manifest;
        int writes = 0;
    };
    std::unique_ptr<Queries> m_q;
    QHash<TransferKey, Ahead> m_ahead;
};
