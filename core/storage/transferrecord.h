// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QUuid>

// Stored as integers: never renumber.
//   outgoing: Offered (waiting for the peer's decision; `seen` once the peer stored it)
//             -> Accepted (waiting its turn) -> Running <-> Paused -> Done;
//   incoming: Offered (waiting for the person) -> the same.
//   Failed, Declined and Cancelled are final, as is Done.
enum class TransferState {
    Offered = 0,
    Accepted = 1,
    Running = 2,
    Paused = 3,
    Done = 4,
    Failed = 5,
    Declined = 6,
    Cancelled = 7,
};

inline bool isFinal(TransferState s)
{
    return s == TransferState::Done || s == TransferState::Failed || s == TransferState::Declined
           || s == TransferState::Cancelled;
}

// One transfer (an offer of files or of a folder tree) as remembered between runs, in either
// direction. Known by its ID (chosen by the sender), its peer and its direction.
struct TransferRecord
{
    QUuid id;
    QString peerId;
    bool outgoing = false;
    QDateTime createdAt; // our clock
    QString name;        // what to show: the top name, or "a.jpg and 2 more"
    qint64 size = 0;     // bytes of all files
    qint64 files = 0;
    qint64 entries = 0;  // files and explicit folders in the manifest
    bool folder = false; // a folder offer (one new folder), or files beside each other
    QByteArray manifestHash;
    TransferState state = TransferState::Offered;
    bool seen = false;    // outgoing: the peer has stored the offer
    QString sourceDir;    // outgoing: the folder the offered names are relative to
    QString destination;  // incoming: the folder it is saved into (empty until accepted)
    QString savedPath;    // incoming: the file or folder to show once there is one
    qint64 bytesDone = 0; // as last saved: progress is saved every few seconds, not per chunk
    QString error;        // why it failed or was refused, for the person
};
Q_DECLARE_METATYPE(TransferRecord)
