// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One Transport over several: a primary (ConnectionRegistry, Shoal over TLS) and secondaries
// (IpmsgTransport, ...). The services see one transport; every call is routed by peer ID to
// the transport that owns that peer, every signal of every transport is re-emitted.
//
// A secondary takes a peer when its predicate says so: takes(peerId, {}, 0) for calls by peer
// ID, takes(expectedPeerId, host, port) for connectToPeer. The first secondary that takes it
// wins; otherwise the primary. Attempt numbers of secondaries are mapped into a range of their
// own, so that they never collide with the primary's (which pass through unchanged).

#include "net/forwardingtransport.h"

#include <QHash>
#include <QList>
#include <QPair>

#include <functional>

class TransportMux final : public ForwardingTransport
{
    Q_OBJECT

public:
    using Takes = std::function<bool(const QString &peerId, const QString &host, quint16 port)>;

    explicit TransportMux(Transport &primary, QObject *parent = nullptr);
    ~TransportMux() override;

    // The transports stay owned by the caller and must outlive the mux.
    void addSecondary(Transport &transport, Takes takes);
    // The transport a peer's calls go to.
    Transport &transportFor(const QString &peerId) const;

    int connectToPeer(const QString &host,
                      quint16 port,
                      const QString &expectedPeerId = {},
                      StreamKind kind = StreamKind::Chat) override;
    void flush() override;
    bool isRelayed(const QString &peerId) const override;
    int openStream(const QString &peerId, StreamKind kind) override;

    // Where the secondaries' attempt numbers start (the primary's stay below it).
    static constexpr int SecondaryAttemptBase = 1 << 30;

protected:
    Transport *forwardTo(const QString &peerId) const override { return &transportFor(peerId); }

private:
    struct Secondary
    {
        Transport *transport = nullptr;
        Takes takes;
    };
    void relay(Transport &transport);
    int mapAttempt(Transport *transport, int attempt);

    Transport &m_primary;
    QList<Secondary> m_secondaries;
    // (secondary, its attempt) -> ours, and back.
    QHash<QPair<Transport *, int>, int> m_attempts;
    int m_nextAttempt = SecondaryAttemptBase;
};
