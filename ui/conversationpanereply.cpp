// SPDX-License-Identifier: GPL-3.0-or-later
// ConversationPane's replies, typing notices and "delete for me" (issue 15).
#include "conversationpane.h"

#include "messagedelegate.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "replystrip.h"

#include <QListView>
#include <QMessageBox>
#include <QPushButton>

bool ConversationPane::canReplyTo(const ChatMessage &m) const
{
    // Text that is in the history (a message not saved is not: nothing could find it), 1:1 or
    // a group's (not its membership events).
    return m.kind == MessageKind::Text && m_input->isEnabled()
           && !(m.outgoing && m.state == MessageState::Failed)
           && !isIpmsgPeer(); // issue 17: IP Messenger has no quotes: a reply would lose it
}

void ConversationPane::startReply(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    const ChatMessage m = m_model->messageAt(index.row());
    if (!canReplyTo(m))
        return;
    // In a group, the quoted message's author.
    const QString from = m.author.isEmpty() ? m.peerId : m.author;
    m_replyStrip->setReply(m.id, m.outgoing ? tr("You") : nameOf(from), m.text);
    // After the menu that asked for it has given the focus back.
    QMetaObject::invokeMethod(
        m_input, [this] { m_input->setFocus(Qt::OtherFocusReason); }, Qt::QueuedConnection);
}

void ConversationPane::deleteForMe(const QModelIndex &index, bool confirm)
{
    if (!index.isValid())
        return;
    const ChatMessage m = m_model->messageAt(index.row());
    if (confirm) {
        QMessageBox box(QMessageBox::Question,
                        tr("Delete message"),
                        tr("Delete this message from your history? %1 keeps their copy; this "
                           "cannot be undone.")
                            .arg(peerName()),
                        QMessageBox::Cancel,
                        this);
        QPushButton *remove = box.addButton(tr("Delete"), QMessageBox::DestructiveRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        if (box.clickedButton() != remove)
            return;
    }
    if (m_replyStrip->replyTo() == m.id)
        m_replyStrip->clear();
    QString error;
    if (!m_messenger.deleteMessage(m.id, &error))
        showError(error);
}

bool ConversationPane::revealQuoted(const QModelIndex &index)
{
    if (!index.isValid())
        return false;
    const QUuid re = index.data(ConversationModel::ReplyToRole).toUuid();
    if (re.isNull() || !index.data(ConversationModel::QuotedRole).isValid())
        return false; // "not available": nothing to go to
    // Loaded already (the common case: a reply to something just said), or the page around it
    // (revealMessage(): not every page in between). Scrolling down from there loads the newer
    // pages (the find bar's work, branch f15-find).
    int row = -1;
    for (int r = m_model->rowCount() - 1; r >= 0 && row < 0; --r) {
        if (m_model->messageAt(r).id == re)
            row = r;
    }
    if (row < 0) {
        m_loadingOlder = true; // no "follow the conversation" scroll for these rows
        row = m_model->revealMessage(re);
        m_loadingOlder = false;
    }
    if (row < 0)
        return false;
    const QModelIndex target = m_view->model()->index(row, 0);
    m_view->scrollTo(target, QAbstractItemView::PositionAtCenter);
    m_view->setCurrentIndex(target);
    m_delegate->flash(target);
    return true;
}

void ConversationPane::onInputChanged()
{
    if (m_peerId.isEmpty() || isGroup() || isIpmsgPeer()) // issue 17: IPMsg has no typing
        return;
    if (m_restoringDraft)
        return; // a draft put back when its conversation opens: nobody is typing
    // Every keystroke says "typing"; the messenger sends it at most every few seconds.
    m_messenger.setTyping(m_peerId, !m_input->toPlainText().isEmpty());
}

// --- IP Messenger (issue 17) ---
bool ConversationPane::isIpmsgPeer() const
{
    const auto peer = isGroup() ? std::nullopt : m_messenger.peers()->peer(m_peerId);
    return peer && peer->ipmsg;
}
// --- end IP Messenger ---
