// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What a concern of the history (messages, peers, the outgoing queue; later files, groups)
// brings to MessageStore, which owns the database and its connections. Internal to storage/.
//
// A concern is a class of its own with:
// - its schema steps (a static `schema()` returning SchemaSteps), listed once in
//   MessageStore's schemaSteps(): migrations stay one forward-only sequence of versions, and a
//   version may hold steps of several concerns (run in the order listed, in one transaction);
// - its reads, prepared once on the owner's connection in prepare() and dropped in release()
//   (before the connection closes), counted through counted() (MessageStore::readCount()).
// Writes stay grouped in the owner's batches: a concern adds its write to StoreWrite::Write
// and its statement to StoreWriter.

#include "storage/chatmessage.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>

struct SchemaStep
{
    int version; // takes the database from version - 1 to this
    QStringList statements;
};
using SchemaSteps = QList<SchemaStep>;

// The adds the owner has queued (with their latest state) or handed to the writer and not
// reported yet: reads that must answer for them (contains, hasUndelivered) look here, and
// query results leave the second kind out until committed() reports them.
struct WritesAhead
{
    const QHash<MessageKey, ChatMessage> &queued;
    const QHash<MessageKey, ChatMessage> &inFlight;
};

class StoreConcern
{
public:
    virtual ~StoreConcern() = default;

    // On the owner's thread, after migration. False on an error (the database's lastError()).
    bool prepare(const QSqlDatabase &db)
    {
        m_db = db;
        return prepareQueries();
    }
    void release()
    {
        releaseQueries();
        m_db = QSqlDatabase();
    }
    qint64 readCount() const { return m_reads; }

protected:
    virtual bool prepareQueries() = 0;
    virtual void releaseQueries() = 0;
    const QSqlDatabase &db() const { return m_db; }
    bool isOpen() const { return m_db.isValid(); }
    void counted() const { ++m_reads; }
    // Runs `q`, a prepared "SELECT SqlRows::Columns FROM messages ...", with `values` bound in
    // order, and resets it; rows in `hidden` (committed, not reported yet) are left out.
    QList<ChatMessage> select(QSqlQuery &q,
                              const QVariantList &values,
                              const QHash<MessageKey, ChatMessage> &hidden) const;

private:
    QSqlDatabase m_db;
    mutable qint64 m_reads = 0;
};
