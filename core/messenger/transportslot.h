// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/forwardingtransport.h"

#include <QHash>
#include <QPointer>
#include <QSet>

// A Transport that stands for another one which may come and go (IP Messenger, issue 17: the
// setting turns it on and off while Shoal runs). TransportMux holds a reference to this slot,
// which never changes; the slot forwards to its target, re-emits the target's signals, and
// while there is none answers "not connected" and fails attempts (never silently: an
// attemptFinished comes for each). When a target goes, its peers are reported gone
// (peerDisconnected) so that the roster and the chat services see them offline.
class TransportSlot final : public ForwardingTransport
{
    Q_OBJECT

public:
    // `offReason`: the attempts' and disconnections' reason while there is no target.
    explicit TransportSlot(const QString &offReason, QObject *parent = nullptr);

    // The transport to forward to, or none. The previous one's peers are reported gone.
    void setTarget(Transport *target);
    Transport *target() const { return m_target; }

    int connectToPeer(const QString &host,
                      quint16 port,
                      const QString &expectedPeerId = {},
                      StreamKind kind = StreamKind::Chat) override;
    void flush() override;
    int openStream(const QString &peerId, StreamKind kind) override;

protected:
    Transport *forwardTo(const QString &) const override { return m_target; }

private:
    int failLater(const QString &reason);
    // Our number for the target's attempt `theirs` (0: none).
    int adopt(int theirs);

    QString m_offReason;
    QPointer<Transport> m_target;
    QSet<QString> m_connected; // the target's peers online, to report gone with it
    // The target's attempt numbers -> ours: a new target counts from 1 again.
    QHash<int, int> m_attempts;
    int m_nextAttempt = 0;
    // An outcome the target reported from within connectToPeer(), before its number was ours.
    struct Early
    {
        QString peerId;
        Net::Error error = Net::Error::None;
        QString reason;
    };
    bool m_calling = false;
    QHash<int, Early> m_early;
};
