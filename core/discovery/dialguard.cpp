// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialguard.h"

#include <algorithm>

TokenBucket &DialGuard::hostBucket(const QHostAddress &host)
{
    auto it = m_hosts.find(host);
    if (it == m_hosts.end())
        it = m_hosts.insert(host, TokenBucket(HostDialBurst, 1, HostDialRefillMs));
    return *it;
}

const char *DialGuard::refusal(const QHostAddress &host,
                               quint16 port,
                               qint64 nowMs,
                               const QString &peerId)
{
    if (const auto c = m_claims.constFind(Claim{host, port, peerId});
        c != m_claims.cend() && nowMs < *c) {
        return "back-off after another identity answered";
    }
    const auto a = m_addresses.constFind(Key(host, port));
    if (a != m_addresses.cend()) {
        if (a->dialling)
            return "one dial at a time to an address";
        if (nowMs < a->notBeforeMs)
            return a->failures > 0 ? "back-off after a failed dial"
                                   : "back-off after a failed TLS handshake";
    }
    if (m_inProgress >= MaxDialsInProgress)
        return "dials under way in all";
    if (m_all.available(nowMs) < 1)
        return "dials in all";
    const auto h = m_hosts.find(host);
    if (h != m_hosts.end() && h->available(nowMs) < 1)
        return "dials to one host";
    return nullptr;
}

void DialGuard::started(const QHostAddress &host, quint16 port, qint64 nowMs)
{
    if (m_addresses.size() >= MaxTrackedAddresses && !m_addresses.contains(Key(host, port)))
        forgetOldest(nowMs);
    Address &a = m_addresses[Key(host, port)];
    a.dialling = true;
    a.lastUsedMs = nowMs;
    if (m_hosts.size() >= MaxTrackedHosts && !m_hosts.contains(host)) {
        // Many hosts at once: forget the full ones rather than grow (the global budget holds).
        m_hosts.removeIf([&](auto it) { return it.value().available(nowMs) >= HostDialBurst; });
    }
    hostBucket(host).take(nowMs);
    m_all.take(nowMs);
    ++m_inProgress;
    ++m_started;
}

void DialGuard::finished(
    const QHostAddress &host, quint16 port, Outcome outcome, qint64 nowMs, const QString &peerId)
{
    const auto it = m_addresses.find(Key(host, port));
    if (it == m_addresses.end() || !it->dialling)
        return;
    it->dialling = false;
    it->lastUsedMs = nowMs;
    --m_inProgress;
    switch (outcome) {
    case Outcome::OtherIdentity:
        // A real Shoal, but the announcement lied about who: only that claim is kept back.
        if (m_claims.size() >= MaxTrackedClaims) {
            m_claims.removeIf([&](auto c) { return c.value() <= nowMs; });
            if (m_claims.size() >= MaxTrackedClaims)
                m_claims.clear(); // many at once: forget, rather than grow
        }
        m_claims.insert(Claim{host, port, peerId}, nowMs + OtherIdentityBackoffMs);
        Q_FALLTHROUGH();
    case Outcome::Verified: {
        // A real Shoal: what it cost is given back.
        m_addresses.erase(it);
        m_all.giveBack(nowMs);
        if (auto h = m_hosts.find(host); h != m_hosts.end())
            h->giveBack(nowMs);
        return;
    }
    case Outcome::Failed: {
        const qint64 backoff = std::min<qint64>(qint64(FirstBackoffMs) << std::min(it->failures, 16),
                                                MaxBackoffMs);
        ++it->failures;
        it->notBeforeMs = nowMs + backoff;
        return;
    }
    case Outcome::NotShoal:
        it->failures = 0;
        it->notBeforeMs = nowMs + NotShoalBackoffMs;
        return;
    }
}

void DialGuard::verified(const QHostAddress &host, quint16 port)
{
    const auto it = m_addresses.find(Key(host, port));
    if (it != m_addresses.end() && !it->dialling)
        m_addresses.erase(it);
}

void DialGuard::networkChanged()
{
    m_addresses.removeIf([](auto it) { return !it.value().dialling && it.value().failures > 0; });
}

void DialGuard::forgetOldest(qint64 nowMs)
{
    // First what no longer holds anything back, then the least recently used.
    m_addresses.removeIf(
        [&](auto it) { return !it.value().dialling && it.value().notBeforeMs <= nowMs; });
    while (m_addresses.size() >= MaxTrackedAddresses) {
        auto oldest = m_addresses.end();
        for (auto it = m_addresses.begin(); it != m_addresses.end(); ++it) {
            if (!it->dialling
                && (oldest == m_addresses.end() || it->lastUsedMs < oldest->lastUsedMs))
                oldest = it;
        }
        if (oldest == m_addresses.end())
            return; // all under way: at most MaxDialsInProgress, so this cannot happen
        m_addresses.erase(oldest);
    }
}
