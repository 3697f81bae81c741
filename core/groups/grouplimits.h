// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

// The limits of groups (docs/protocol.md, "Groups"). The codecs (groupbody, messages) refuse
// what breaks the wire's; the service enforces the rest.
namespace Groups {

// A group ID: 32 lowercase hex digits (a peer's ID has 64).
constexpr qsizetype GroupIdLength = 32;
// The random part of a group's ID, carried in its create.
constexpr qsizetype NonceBytes = 16;
// SHA-256: the chain link ("p") and linkHash().
constexpr qsizetype LinkBytes = 32;
// Sequence numbers, Lamport clocks, receipts' counts: integers a double holds exactly.
constexpr qint64 MaxCounter = qint64(1) << 53;
// Members of one group, and of one create or add.
constexpr qsizetype MaxMembers = 256;
// Groups per profile, those never joined included.
constexpr qsizetype MaxGroups = 256;
// Groups one peer (their owner) may have here, this profile's own groups aside: a stranger
// naming us in group after group takes these, never every slot.
constexpr qsizetype MaxGroupsPerOwner = 32;
// How far an author's clock (lc) may move past its own previous message: far beyond what a
// busy group's honest clocks move between two messages of one author, and 2^21 messages short
// of the end (2^53), so one message cannot end the group.
constexpr qint64 MaxClockStep = qint64(1) << 32;
// A group's name in UTF-16 units, after singleLine().
constexpr qsizetype MaxNameLength = 64;
// A member's display name as carried in a create or add, in UTF-16 units (singleLine()).
constexpr qsizetype MaxMemberNameLength = 64;
// A member's certificate (DER) as carried in a create or add.
constexpr qsizetype MaxCertBytes = 4 * 1024;
// A text message's UTF-8 bytes (as a 1:1 chat's).
constexpr qsizetype MaxTextBytes = 64 * 1024;
// One signed body.
constexpr qsizetype MaxGroupBody = 256 * 1024;
// A signature: DER ECDSA P-256 takes at most 72 bytes.
constexpr qsizetype MaxSignatureBytes = 80;
// A receipt's body: small and fixed in shape.
constexpr qsizetype MaxReceiptBody = 1024;
// A catch-up page: messages and bytes of bodies.
constexpr qsizetype MaxPageMessages = 512;
constexpr qsizetype MaxPageBytes = 768 * 1024;
// Authors in a gsync/gpull heads map.
constexpr qsizetype MaxHeads = 256;
// Pulls a second one peer may ask of us, and unfinished pulls per (peer, group).
constexpr int MaxPullsPerSecond = 4;
constexpr int MaxPullsInFlight = 1;

} // namespace Groups
