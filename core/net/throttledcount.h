// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

// Counts how often a limit was reached, and says which of those to log: the first, then every
// `every`th, so a flood does not flood the log too.
class ThrottledCount final
{
public:
    ThrottledCount() = default;
    explicit ThrottledCount(quint64 every)
        : m_every(every)
    {}

    // One more; true if this one is to be logged.
    bool count() { return m_count++ % m_every == 0; }
    // How many so far (this one included).
    quint64 total() const { return m_count; }

private:
    quint64 m_every = 1000;
    quint64 m_count = 0;
};
