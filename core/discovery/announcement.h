// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// LAN discovery datagram, version 1. Grammar (CDDL), also in docs/protocol.md:
//
//   announcement = {
//     "m": "shoal",            ; magic
//     "v": 1,                  ; discovery version
//     "t": "hi" / "bye",       ; present / leaving
//     "id": peer-id,
//     "inst": uuid-text,       ; random, chosen at each start
//     ? "name": tstr,          ; display name (unverified until TLS)
//     ? "port": uint,          ; TCP port the peer listens on
//     ? "re": bool,            ; true on a unicast answer (never answered again)
//     ? "st": tstr,            ; "available" / "away" / "busy" (issue 15); version 1 sent
//                              ; "online"; anything else reads as available
//   }
//
// The status text does not travel here: with a 64-unit name it would not fit MaxDatagramSize
// (docs/protocol.md, "Presence"); peers get it over TLS.
//
// Unknown keys are ignored. The sender's address is taken from the datagram, never the body.

#include "protocol/messages.h"

#include <QByteArray>
#include <QString>
#include <QUuid>

#include <optional>

struct Announcement
{
    enum class Kind { Hello, Bye };

    static constexpr int Version = 1;
    static constexpr qsizetype MaxDatagramSize = 512;

    Kind kind = Kind::Hello;
    QString peerId;
    QUuid instance;
    QString name;
    quint16 port = 0;
    bool reply = false;
    Protocol::Status status = Protocol::Status::Available; // issue 15

    QByteArray encode() const;
    static std::optional<Announcement> decode(const QByteArray &datagram, QString *error);
    QString toString() const;
    bool operator==(const Announcement &o) const;
};
