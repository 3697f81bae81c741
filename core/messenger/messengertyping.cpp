// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's typing notices (issue 15): the service on the transport, wired here.
#include "messenger.h"

#include "chat/inbox.h"
#include "chat/typingnotices.h"
#include "net/connectionregistry.h"
#include "net/dispatcher.h"
#include "net/transportmux.h" // issue 17

void Messenger::wireTyping()
{
    m_typing = new TypingNotices(*m_mux, m_config.sendReadReceipts, this); // issue 17: the mux
    m_dispatcher->on(m_typing, &TypingNotices::onTyping);
    connect(m_typing, &TypingNotices::peerTyping, this, &Messenger::peerTyping);
    // A message from a peer ends its typing (before the window shows the message).
    connect(m_inbox, &Inbox::received, m_typing, [this](const QList<ChatMessage> &messages) {
        for (const ChatMessage &m : messages) {
            if (!m.outgoing && m.author.isEmpty())
                m_typing->onMessageFrom(m.peerId);
        }
    });
}

void Messenger::setTyping(const QString &peerId, bool on)
{
    if (isGroupId(peerId))
        return; // 1:1 only
    m_typing->setTyping(peerId, on);
}

bool Messenger::isPeerTyping(const QString &peerId) const
{
    return m_typing->isPeerTyping(peerId);
}

void Messenger::setTypingIntervals(int sendEveryMs, int expireAfterMs)
{
    m_typing->setIntervals(TypingNotices::Intervals{sendEveryMs, expireAfterMs});
}
