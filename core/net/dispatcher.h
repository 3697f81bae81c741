// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/throttledcount.h"
#include "protocol/messages.h"

#include <QList>
#include <QLoggingCategory>
#include <QString>

#include <array>
#include <functional>
#include <utility>
#include <variant>

Q_DECLARE_LOGGING_CATEGORY(lcDispatch)

// Hands each received message to the one handler registered for its type: one table indexed
// by the variant's alternative, no chain of ifs. A type nobody handles is logged (the first
// time, then every 1,000th), never dropped in silence; handles<T>() and unhandled() let a test
// check that every type the services should handle has a handler.
class Dispatcher final
{
public:
    using Message = Protocol::Message;
    static constexpr std::size_t TypeCount = std::variant_size_v<Message>;

    Dispatcher() { fillNames(std::make_index_sequence<TypeCount>{}); }

    // `handler(peerId, const T &)`; one per type: a second replaces the first.
    template<typename T, typename Handler>
    void on(Handler &&handler)
    {
        m_handlers[indexOf<T>()] = [h = std::forward<Handler>(handler)](const QString &peerId,
                                                                        const Message &message) {
            h(peerId, std::get<T>(message));
        };
    }

    // A member of `receiver`: `(receiver->*handler)(peerId, const T &)`.
    template<typename T, typename Receiver>
    void on(Receiver *receiver, void (Receiver::*handler)(const QString &, const T &))
    {
        on<T>([receiver, handler](const QString &peerId, const T &message) {
            (receiver->*handler)(peerId, message);
        });
    }

    void dispatch(const QString &peerId, const Message &message)
    {
        const auto &handler = m_handlers[message.index()];
        if (handler) {
            handler(peerId, message);
            return;
        }
        if (m_unhandledCount.count()) {
            qCWarning(lcDispatch) << "no handler for" << m_names[message.index()] << "from"
                                  << peerId << "(" << m_unhandledCount.total()
                                  << "unhandled so far): ignored";
        }
    }

    template<typename T>
    bool handles() const
    {
        return bool(m_handlers[indexOf<T>()]);
    }
    // The names of the types without a handler.
    QStringList unhandled() const
    {
        QStringList out;
        for (std::size_t i = 0; i < TypeCount; ++i) {
            if (!m_handlers[i])
                out.append(m_names[i]);
        }
        return out;
    }
    template<typename T>
    static QString nameOf()
    {
        // "... [T = Protocol::Chat]" (clang, gcc): readable in a log and a test's failure.
        const QString f = QString::fromLatin1(Q_FUNC_INFO);
        const qsizetype at = f.lastIndexOf(u"T = ");
        return at < 0 ? f : f.mid(at + 4).chopped(f.endsWith(u']') ? 1 : 0).section(u';', 0, 0);
    }
    template<typename T>
    static constexpr std::size_t indexOf()
    {
        return indexIn<T>(std::make_index_sequence<TypeCount>{});
    }

private:
    template<typename T, std::size_t... I>
    static constexpr std::size_t indexIn(std::index_sequence<I...>)
    {
        std::size_t index = TypeCount;
        ((std::is_same_v<T, std::variant_alternative_t<I, Message>> ? (index = I) : 0), ...);
        static_assert(((std::is_same_v<T, std::variant_alternative_t<I, Message>> ? 1 : 0) + ...)
                          == 1,
                      "not a Protocol::Message alternative");
        return index;
    }
    template<std::size_t... I>
    void fillNames(std::index_sequence<I...>)
    {
        ((m_names[I] = nameOf<std::variant_alternative_t<I, Message>>()), ...);
    }

    std::array<std::function<void(const QString &, const Message &)>, TypeCount> m_handlers;
    std::array<QString, TypeCount> m_names;
    ThrottledCount m_unhandledCount{1000};
};
