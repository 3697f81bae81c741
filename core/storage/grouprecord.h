// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

// One signed group message as stored (group_messages): its body's exact bytes, the author's
// signature, and link = linkHash(body, sig), which the author's next message carries as `p`.
// Known by (group, author, seq). `kind` is Groups::Kind as an integer (0 = text; the others
// change membership).
struct GroupMessageRecord
{
    QString group;
    QString author;
    qint64 seq = 0;
    qint64 lc = 0;
    int kind = 0;
    QByteArray body;
    QByteArray sig;
    QByteArray link;
};

// The newest receipt of one member for one author's messages in a group (group_receipts): it
// holds the author's messages 1..delivered and has read 1..read. Signed by the member.
struct GroupReceiptRecord
{
    QString group;
    QString member;
    QString author;
    qint64 delivered = 0;
    qint64 read = 0;
    QByteArray body;
    QByteArray sig;
};

// An author's newest message held in a group: the next one must have seq + 1, an lc above this
// one, and `p` = link.
struct GroupHead
{
    qint64 seq = 0;
    qint64 lc = 0;
    QByteArray link;
};

Q_DECLARE_METATYPE(GroupMessageRecord)
Q_DECLARE_METATYPE(GroupReceiptRecord)
