// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/storeconcern.h"
#include "storage/storewriter.h"

#include <QSqlQuery>

#include <memory>

// The peers remembered between runs: the `peers` table. Written through the owner's batches
// (MessageStore::savePeer, StoreWrite's PeerRecord); read here on the owner's connection.
class PeerTable final : public StoreConcern
{
public:
    PeerTable();
    ~PeerTable() override;

    static SchemaSteps schema();

    QList<PeerRecord> peers() const;

protected:
    bool prepareQueries() override;
    void releaseQueries() override;

private:
    std::unique_ptr<QSqlQuery> m_all;
};
