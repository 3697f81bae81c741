// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

// What this profile knows of one peer: the roster's row.
struct PeerInfo
{
    QString id;
    QString name;
    QString address;       // "host:port" where it was last reached over TLS
    QStringList heardAt;   // "host:port" where LAN discovery heard it, freshest first
    bool online = false;   // a verified TLS session with it is up (never from a datagram alone)
    bool lan = false;      // currently heard by LAN discovery (a claim until it is online)
    bool verified = false; // name and address come from a TLS session, not only a datagram
    bool invited = false;  // from an invite link, not reached yet: shown "connecting…"
    int unread = 0;
    QDateTime lastSeen;
    // Why the last dial of this peer failed, while it is not online: empty if it is online,
    // was never dialled, or no problem is known. Cleared when a verified session comes up.
    enum class DialProblem {
        None,
        Refused,
        TimedOut,
        Unreachable,
        IdentityMismatch,
        NotShoal,
        Other
    };
    DialProblem problem = DialProblem::None;
    QString problemDetail; // the transport's reason, for the log and tooltips
    // --- Presence (issue 15) ---
    // What the peer says of itself (hello, pres; a LAN announcement's status while not
    // verified). Kept while it is offline: the last thing it said.
    enum class Status { Available, Away, Busy };
    Status status = Status::Available;
    QString statusText;    // one line, at most Protocol::MaxStatusTextLength
    QByteArray avatarHash; // SHA-256 of its avatar PNG (32 bytes), empty when it has none
    // The wire's and shoal-cli's names: "available", "away", "busy"; others read as available.
    static QString statusName(Status s)
    {
        return s == Status::Away   ? QStringLiteral("away")
               : s == Status::Busy ? QStringLiteral("busy")
                                   : QStringLiteral("available");
    }
    static Status statusFromName(QStringView name)
    {
        return name == u"away" ? Status::Away : name == u"busy" ? Status::Busy : Status::Available;
    }
    // --- end presence ---
    // --- IP Messenger (issue 17) ---
    // An IP Messenger / FeiQ / iptux user (core/ipmsg): nothing it says is verified or
    // encrypted. Its ID is Ipmsg::peerIdFor(its address), so this follows from `address`.
    bool ipmsg = false;
    QString group; // the IPMsg group it announced (empty for Shoal peers)
    // --- end IP Messenger ---
    // --- Carried delivery (issue 16) ---
    // The peer that carries the conversation while it is online only through it ("via Carol"),
    // empty when it is connected directly or offline. `address` stays where it was last reached
    // directly: a relayed session has none.
    QString via;
    // --- end carried delivery ---

    bool operator==(const PeerInfo &o) const
    {
        return id == o.id && name == o.name && address == o.address && heardAt == o.heardAt
               && online == o.online && lan == o.lan && verified == o.verified
               && invited == o.invited && unread == o.unread && problem == o.problem
               && problemDetail == o.problemDetail && status == o.status
               && statusText == o.statusText && avatarHash == o.avatarHash && ipmsg == o.ipmsg
               && group == o.group && via == o.via;
    }
};
