// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli's carried delivery commands (issue 16; docs/relay.md, "shoal-cli"):
//   {"cmd":"allow-relay","peer":PEER_ID,"relay":true|false}
//   {"cmd":"allow-hold","peer":PEER_ID,"hold":true|false}
//   {"cmd":"held"} -> {"event":"held","items":[{"to","from","size","received_at","expires_at"}]}
#include "jsonlinesession.h"

#include "messenger/messenger.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

void JsonLineSession::handleRelayCommand(const QString &cmd, const QJsonObject &command)
{
    const QJsonValue ref = command.value(u"ref"_s);
    if (cmd == u"held"_s) {
        // What this profile keeps for others: never their contents (it cannot read them).
        QJsonArray items;
        for (const Messenger::HeldItem &h : m_messenger.held()) {
            items.append(
                QJsonObject{{u"to"_s, h.recipient},
                            {u"from"_s, h.author},
                            {u"size"_s, h.size},
                            {u"received_at"_s, h.receivedAt.toUTC().toString(Qt::ISODateWithMs)},
                            {u"expires_at"_s, h.expiresAt.toUTC().toString(Qt::ISODateWithMs)}});
        }
        emitEvent({{u"event"_s, u"held"_s}, {u"items"_s, items}}, ref);
        return;
    }
    const bool relay = cmd == u"allow-relay"_s;
    const QString key = relay ? u"relay"_s : u"hold"_s;
    const QJsonValue peer = command.value(u"peer"_s);
    const QJsonValue given = command.value(key);
    const QJsonValue allow = given.isUndefined() ? QJsonValue(true) : given;
    if (!peer.isString() || !allow.isBool())
        return emitError(u"%1 needs \"peer\": PEER_ID and optional \"%2\": true|false"_s.arg(cmd,
                                                                                             key),
                         ref);
    QString error;
    const bool ok = relay ? m_messenger.setAllowRelay(peer.toString(), allow.toBool(), &error)
                          : m_messenger.setAllowHold(peer.toString(), allow.toBool(), &error);
    if (!ok)
        return emitError(error, ref);
    emitEvent({{u"event"_s, cmd},
               {u"peer"_s, peer.toString()},
               {u"relay"_s, m_messenger.allowsRelay(peer.toString())},
               {u"hold"_s, m_messenger.allowsHold(peer.toString())}},
              ref);
}
