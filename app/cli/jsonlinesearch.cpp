// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli's history search (issue 15):
//   {"cmd":"search","text":TEXT,"with":PEER_ID or GROUP_ID?,"limit":N?}
//   -> {"event":"search","complete":BOOL,"results":[{"id","with","from","text","sent_at"},…]}
// newest first; "complete" is false while an older history is still being indexed (what is
// not indexed yet is not found).
#include "jsonlinesession.h"

#include "messenger/messenger.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

void JsonLineSession::handleSearchCommand(const QJsonObject &command)
{
    const QJsonValue ref = command.value(u"ref"_s);
    const QJsonValue text = command.value(u"text"_s);
    const QJsonValue with = command.value(u"with"_s);
    const QJsonValue limit = command.value(u"limit"_s);
    if (!text.isString() || (!with.isUndefined() && !with.isString())
        || (!limit.isUndefined() && !limit.isDouble())) {
        return emitError(u"search needs \"text\": TEXT, optional \"with\": PEER_ID or GROUP_ID "
                         u"and \"limit\": N"_s,
                         ref);
    }
    const int n = limit.isUndefined() ? 50 : qBound(1, limit.toInt(), 1000);
    QString error;
    const QList<SearchHit> hits = m_messenger.search(text.toString(), with.toString(), n, &error);
    if (!error.isEmpty())
        return emitError(error, ref);
    QJsonArray results;
    for (const SearchHit &hit : hits) {
        QJsonObject o{{u"id"_s, hit.id.toString(QUuid::WithoutBraces)},
                      {u"with"_s, hit.conversation},
                      {u"from"_s, hit.from},
                      {u"text"_s, hit.text},
                      {u"sent_at"_s, hit.sentAt.toUTC().toString(Qt::ISODateWithMs)}};
        if (hit.kind == MessageKind::File)
            o.insert(u"kind"_s, u"file"_s);
        results.append(o);
    }
    emitEvent({{u"event"_s, u"search"_s},
               {u"complete"_s, m_messenger.searchIndexReady()},
               {u"results"_s, results}},
              ref);
}
