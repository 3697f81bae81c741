// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <algorithm>

// A token bucket on a clock the caller gives (milliseconds): `refill` tokens every `periodMs`,
// at most `burst` saved up, and full until it is first used. A small value: keep one per
// address in a hash, or one for everything.
class TokenBucket final
{
public:
    TokenBucket() = default;
    TokenBucket(double burst, double refill, qint64 periodMs)
        : m_burst(burst)
        , m_refill(refill)
        , m_periodMs(periodMs)
    {}

    // Tokens there are at `nowMs`, fractions included.
    double available(qint64 nowMs)
    {
        refillTo(nowMs);
        return m_tokens;
    }
    // Takes a token if there is a whole one.
    bool tryTake(qint64 nowMs)
    {
        if (available(nowMs) < 1)
            return false;
        m_tokens -= 1;
        return true;
    }
    // Takes a token the caller has checked is there (available() >= 1).
    void take(qint64 nowMs)
    {
        refillTo(nowMs);
        m_tokens -= 1;
    }
    // Gives a token back, up to the burst.
    void giveBack(qint64 nowMs)
    {
        refillTo(nowMs);
        m_tokens = std::min(m_burst, m_tokens + 1);
    }
    // When it was last used (-1: never): what to forget first.
    qint64 lastUsedMs() const { return m_refilledAtMs; }

private:
    void refillTo(qint64 nowMs)
    {
        m_tokens = m_refilledAtMs < 0 ? m_burst
                                      : std::min(m_burst,
                                                 m_tokens
                                                     + double(nowMs - m_refilledAtMs) * m_refill
                                                           / double(m_periodMs));
        m_refilledAtMs = nowMs;
    }

    double m_burst = 0;
    double m_refill = 0;
    qint64 m_periodMs = 1000;
    double m_tokens = 0;
    qint64 m_refilledAtMs = -1;
};
