// SPDX-License-Identifier: GPL-3.0-or-later
#include "grouptable.h"

#include "storage/sqlrows.h"

#include <QLoggingCategory>
#include <QSqlError>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;
using namespace SqlRows;

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

// Forward-only: never edit a step that has shipped; add one.
SchemaSteps GroupTable::schema()
{
    return {
        // A group's log as its members signed it: the bytes are what a catch-up serves again
        // and what the next message's chain hash covers, so they are kept exactly (not decoded
        // into columns). WITHOUT ROWID: rows live in the key's order, so one author's messages
        // after a head are one range of the tree.
        {8,
         {u"CREATE TABLE group_messages ("
          u" grp TEXT NOT NULL,"
          u" author TEXT NOT NULL,"
          u" seq INTEGER NOT NULL,"
          u" lc INTEGER NOT NULL,"
          u" kind INTEGER NOT NULL," // Groups::Kind, 0: text
          u" body BLOB NOT NULL,"
          u" sig BLOB NOT NULL,"
          u" link BLOB NOT NULL," // linkHash(body, sig): the author's next message's p
          u" PRIMARY KEY (grp, author, seq)) WITHOUT ROWID"_s,
          // Lamport order, as members are served and states folded.
          u"CREATE INDEX group_messages_by_clock ON group_messages (grp, lc, author, seq)"_s,
          // The membership messages (few) without walking the text around them.
          u"CREATE INDEX group_messages_membership ON group_messages (grp, lc, author, seq)"
          u" WHERE kind <> 0"_s,
          u"CREATE TABLE group_receipts ("
          u" grp TEXT NOT NULL,"
          u" member TEXT NOT NULL,"
          u" author TEXT NOT NULL,"
          u" delivered INTEGER NOT NULL,"
          u" read INTEGER NOT NULL,"
          u" body BLOB NOT NULL,"
          u" sig BLOB NOT NULL,"
          u" PRIMARY KEY (grp, member, author)) WITHOUT ROWID"_s}},
    };
}

struct GroupTable::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : nextGroup(db)
        , nextAuthor(db)
        , head(db)
        , one(db)
        , membership(db)
        , sizes(db)
        , range(db)
        , receipts(db)
    {
        for (QSqlQuery *q :
             {&nextGroup, &nextAuthor, &head, &one, &membership, &sizes, &range, &receipts})
            q->setForwardOnly(true);
    }
    bool prepare()
    {
        const QString record = u"SELECT author, seq, lc, kind, body, sig, link"
                               u" FROM group_messages WHERE grp = ?"_s;
        // A skip scan: one probe of the key per group or author, never a walk of the rows.
        return nextGroup.prepare(
                   u"SELECT grp FROM group_messages WHERE grp > ? ORDER BY grp LIMIT 1"_s)
               && nextAuthor.prepare(u"SELECT author FROM group_messages WHERE grp = ?"
                                     u" AND author > ? ORDER BY author LIMIT 1"_s)
               && head.prepare(u"SELECT seq, lc, link FROM group_messages WHERE grp = ?"
                               u" AND author = ? ORDER BY seq DESC LIMIT 1"_s)
               && one.prepare(record + u" AND author = ? AND seq = ?"_s)
               && membership.prepare(record + u" AND kind <> 0 ORDER BY lc, author, seq"_s)
               // length() of a blob reads its size, not its pages.
               && sizes.prepare(u"SELECT seq, lc, length(body) FROM group_messages"
                                u" WHERE grp = ? AND author = ? AND seq > ? ORDER BY seq"_s)
               && range.prepare(record + u" AND author = ? AND seq BETWEEN ? AND ? ORDER BY seq"_s)
               && receipts.prepare(u"SELECT member, author, delivered, read, body, sig"
                                   u" FROM group_receipts WHERE grp = ? ORDER BY member, author"_s);
    }
    QSqlQuery nextGroup, nextAuthor, head, one, membership, sizes, range, receipts;
};

namespace {

bool run(QSqlQuery &q, const QVariantList &values)
{
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (q.exec())
        return true;
    qCWarning(lcStorage) << "query failed:" << q.lastError().text();
    q.finish();
    return false;
}

// A row of "SELECT author, seq, lc, kind, body, sig, link" in `group`.
GroupMessageRecord recordOf(const QString &group, const QSqlQuery &q)
{
    GroupMessageRecord r;
    r.group = group;
    r.author = q.value(0).toString();
    r.seq = q.value(1).toLongLong();
    r.lc = q.value(2).toLongLong();
    r.kind = q.value(3).toInt();
    r.body = q.value(4).toByteArray();
    r.sig = q.value(5).toByteArray();
    r.link = q.value(6).toByteArray();
    return r;
}

// (lc, author, seq): the order a group's messages are folded and served in.
bool lamportLess(const GroupMessageRecord &a, const GroupMessageRecord &b)
{
    return std::tie(a.lc, a.author, a.seq) < std::tie(b.lc, b.author, b.seq);
}

bool higher(const GroupReceiptRecord &a, const GroupReceiptRecord &b)
{
    return std::tie(a.delivered, a.read) > std::tie(b.delivered, b.read);
}

} // namespace

GroupTable::GroupTable() = default;
GroupTable::~GroupTable() = default;

bool GroupTable::prepareQueries()
{
    m_q = std::make_unique<Queries>(db());
    if (m_q->prepare())
        return true;
    m_q.reset();
    return false;
}

void GroupTable::releaseQueries()
{
    m_q.reset();
}

QStringList GroupTable::groupIds() const
{
    QStringList out;
    if (m_q) {
        counted();
        QString last = u""_s;
        while (run(m_q->nextGroup, {last})) {
            const bool found = m_q->nextGroup.next();
            if (found)
                last = m_q->nextGroup.value(0).toString();
            m_q->nextGroup.finish();
            if (!found)
                break;
            out.append(last);
        }
    }
    for (auto it = m_ahead.cbegin(); it != m_ahead.cend(); ++it) {
        if (!it->messages.isEmpty() && !out.contains(it.key()))
            out.append(it.key());
    }
    std::sort(out.begin(), out.end());
    return out;
}

QStringList GroupTable::authors(const QString &group) const
{
    QStringList out;
    if (!m_q)
        return out;
    QString last = u""_s;
    while (run(m_q->nextAuthor, {group, last})) {
        const bool found = m_q->nextAuthor.next();
        if (found)
            last = m_q->nextAuthor.value(0).toString();
        m_q->nextAuthor.finish();
        if (!found)
            break;
        out.append(last);
    }
    return out;
}

QList<GroupMessageRecord> GroupTable::membership(const QString &group) const
{
    QList<GroupMessageRecord> out;
    if (m_q) {
        counted();
        QSqlQuery &q = m_q->membership;
        if (run(q, {group})) {
            while (q.next())
                out.append(recordOf(group, q));
            q.finish();
        }
    }
    const auto ahead = m_ahead.constFind(group);
    if (ahead == m_ahead.cend())
        return out;
    bool added = false;
    for (const auto &e : ahead->messages) {
        if (e.record.kind == 0)
            continue;
        const bool stored = std::any_of(out.cbegin(), out.cend(), [&](const GroupMessageRecord &r) {
            return r.author == e.record.author && r.seq == e.record.seq;
        });
        if (!stored) {
            out.append(e.record);
            added = true;
        }
    }
    if (added)
        std::sort(out.begin(), out.end(), lamportLess);
    return out;
}

QHash<QString, GroupHead> GroupTable::heads(const QString &group) const
{
    QHash<QString, GroupHead> out;
    if (m_q) {
        counted();
        const QStringList authors = this->authors(group);
        QSqlQuery &q = m_q->head;
        for (const QString &author : authors) {
            if (!run(q, {group, author}))
                break;
            if (q.next())
                out.insert(author,
                           {q.value(0).toLongLong(),
                            q.value(1).toLongLong(),
                            q.value(2).toByteArray()});
            q.finish();
        }
    }
    if (const auto ahead = m_ahead.constFind(group); ahead != m_ahead.cend()) {
        for (const auto &e : ahead->messages) {
            GroupHead &h = out[e.record.author];
            if (e.record.seq > h.seq)
                h = {e.record.seq, e.record.lc, e.record.link};
        }
    }
    return out;
}

std::optional<GroupMessageRecord> GroupTable::message(const QString &group,
                                                      const QString &author,
                                                      qint64 seq) const
{
    // The disk first: a write queued for a (group, author, seq) held is ignored there.
    if (m_q) {
        counted();
        QSqlQuery &q = m_q->one;
        if (run(q, {group, author, seq})) {
            std::optional<GroupMessageRecord> out;
            if (q.next())
                out = recordOf(group, q);
            q.finish();
            if (out)
                return out;
        }
    }
    if (const auto ahead = m_ahead.constFind(group); ahead != m_ahead.cend()) {
        if (const auto e = ahead->messages.constFind({author, seq}); e != ahead->messages.cend())
            return e->record;
    }
    return std::nullopt;
}

QList<GroupMessageRecord> GroupTable::after(const QString &group,
                                            const QHash<QString, qint64> &heads,
                                            int maxMessages,
                                            qint64 maxBytes) const
{
    if (!m_q || maxMessages <= 0)
        return {};
    counted();
    // Each author's messages after its head are one range of the key, and in it lc grows with
    // seq: the page is the smallest (lc, author, seq) of those ranges' heads, merged. First
    // which ones, from their sizes alone, reading each range only as far as it can still be
    // in the page; then their rows, one range read per author.
    struct Candidate
    {
        qint64 lc;
        int author; // in `authors`, which is sorted: the index orders as the ID does
        qint64 seq;
        qint64 bytes;
        bool operator<(const Candidate &o) const
        {
            return std::tie(lc, author, seq) < std::tie(o.lc, o.author, o.seq);
        }
    };
    const QStringList authors = this->authors(group);
    QList<Candidate> page;
    std::optional<Candidate> cutoff; // once `page` is cut: nothing above it can join it
    for (int a = 0; a < authors.size(); ++a) {
        QSqlQuery &q = m_q->sizes;
        if (!run(q, {group, authors.at(a), heads.value(authors.at(a), 0)}))
            return {};
        const qsizetype before = page.size();
        while (page.size() - before < maxMessages && q.next()) {
            const Candidate c{q.value(1).toLongLong(),
                              a,
                              q.value(0).toLongLong(),
                              q.value(2).toLongLong()};
            if (cutoff && *cutoff < c)
                break;
            page.append(c);
        }
        q.finish();
        if (page.size() == before)
            continue;
        std::inplace_merge(page.begin(), page.begin() + before, page.end());
        // Cut at the limits; always the first, whatever its size.
        qint64 bytes = 0;
        qsizetype keep = 0;
        while (keep < page.size() && keep < maxMessages
               && (keep == 0 || bytes + page.at(keep).bytes <= maxBytes)) {
            bytes += page.at(keep).bytes;
            ++keep;
        }
        const bool cut = keep < page.size();
        page.resize(keep);
        if (cut || page.size() == maxMessages)
            cutoff = page.constLast();
    }
    // Per author, the range of seqs in the page, and then the rows.
    QHash<int, QPair<qint64, qint64>> ranges;
    for (const Candidate &c : std::as_const(page)) {
        auto it = ranges.find(c.author);
        if (it == ranges.end())
            ranges.insert(c.author, {c.seq, c.seq});
        else
            it->second = qMax(it->second, c.seq);
    }
    QHash<int, QList<GroupMessageRecord>> rows;
    for (auto it = ranges.cbegin(); it != ranges.cend(); ++it) {
        QSqlQuery &q = m_q->range;
        if (!run(q, {group, authors.at(it.key()), it->first, it->second}))
            return {};
        QList<GroupMessageRecord> &list = rows[it.key()];
        list.reserve(it->second - it->first + 1);
        while (q.next())
            list.append(recordOf(group, q));
        q.finish();
    }
    QList<GroupMessageRecord> out;
    out.reserve(page.size());
    QHash<int, qsizetype> next;
    for (const Candidate &c : std::as_const(page)) {
        const QList<GroupMessageRecord> &list = rows[c.author];
        qsizetype &i = next[c.author];
        // The rows read are those sized (a write in between adds after them, never among).
        if (i >= list.size() || list.at(i).seq != c.seq)
            break;
        out.append(list.at(i++));
    }
    return out;
}

QList<GroupReceiptRecord> GroupTable::receipts(const QString &group) const
{
    QList<GroupReceiptRecord> out;
    if (m_q) {
        counted();
        QSqlQuery &q = m_q->receipts;
        if (run(q, {group})) {
            while (q.next()) {
                GroupReceiptRecord r;
                r.group = group;
                r.member = q.value(0).toString();
                r.author = q.value(1).toString();
                r.delivered = q.value(2).toLongLong();
                r.read = q.value(3).toLongLong();
                r.body = q.value(4).toByteArray();
                r.sig = q.value(5).toByteArray();
                out.append(r);
            }
            q.finish();
        }
    }
    const auto ahead = m_ahead.constFind(group);
    if (ahead == m_ahead.cend() || ahead->receipts.isEmpty())
        return out;
    for (const auto &e : ahead->receipts) {
        const auto on = std::find_if(out.begin(), out.end(), [&](const GroupReceiptRecord &r) {
            return r.member == e.record.member && r.author == e.record.author;
        });
        if (on == out.end())
            out.append(e.record);
        else if (higher(e.record, *on))
            *on = e.record;
    }
    std::sort(out.begin(), out.end(), [](const GroupReceiptRecord &a, const GroupReceiptRecord &b) {
        return std::tie(a.member, a.author) < std::tie(b.member, b.author);
    });
    return out;
}

void GroupTable::queued(const GroupMessageRecord &record)
{
    auto &e = m_ahead[record.group].messages[{record.author, record.seq}];
    if (e.writes++ == 0)
        e.record = record; // else the first one queued stays, as on disk
}

void GroupTable::queued(const GroupReceiptRecord &receipt)
{
    auto &e = m_ahead[receipt.group].receipts[{receipt.member, receipt.author}];
    if (e.writes++ == 0 || higher(receipt, e.record))
        e.record = receipt;
}

void GroupTable::settled(const GroupMessageRecord &record)
{
    const auto ahead = m_ahead.find(record.group);
    if (ahead == m_ahead.end())
        return;
    const auto it = ahead->messages.find({record.author, record.seq});
    if (it != ahead->messages.end() && --it->writes <= 0)
        ahead->messages.erase(it);
    if (ahead->isEmpty())
        m_ahead.erase(ahead);
}

void GroupTable::settled(const GroupReceiptRecord &receipt)
{
    const auto ahead = m_ahead.find(receipt.group);
    if (ahead == m_ahead.end())
        return;
    const auto it = ahead->receipts.find({receipt.member, receipt.author});
    if (it != ahead->receipts.end() && --it->writes <= 0)
        ahead->receipts.erase(it);
    if (ahead->isEmpty())
        m_ahead.erase(ahead);
}
