// SPDX-License-Identifier: GPL-3.0-or-later
#include "grouptable.h"

// Placeholder bodies: filled in next.

GroupTable::GroupTable() = default;
GroupTable::~GroupTable() = default;

SchemaSteps GroupTable::schema()
{
    return {};
}

struct GroupTable::Queries
{};

bool GroupTable::prepareQueries()
{
    return true;
}

void GroupTable::releaseQueries()
{
    m_q.reset();
}

QStringList GroupTable::groupIds() const
{
    return {};
}

QList<GroupMessageRecord> GroupTable::membership(const QString &) const
{
    return {};
}

QHash<QString, GroupHead> GroupTable::heads(const QString &) const
{
    return {};
}

std::optional<GroupMessageRecord> GroupTable::message(const QString &, const QString &, qint64) const
{
    return std::nullopt;
}

QList<GroupMessageRecord> GroupTable::after(const QString &,
                                            const QHash<QString, qint64> &,
                                            int,
                                            qint64) const
{
    return {};
}

QList<GroupReceiptRecord> GroupTable::receipts(const QString &) const
{
    return {};
}

void GroupTable::queued(const GroupMessageRecord &) {}
void GroupTable::queued(const GroupReceiptRecord &) {}
void GroupTable::settled(const GroupMessageRecord &) {}
void GroupTable::settled(const GroupReceiptRecord &) {}
