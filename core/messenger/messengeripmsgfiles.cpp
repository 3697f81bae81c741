// SPDX-License-Identifier: GPL-3.0-or-later
// IP Messenger (issue 17): files with IPMsg users (core/ipmsg/ipmsgfiles.h). The transfer
// commands in messengerfiles.cpp route an IPMsg user's transfers here; the service's changes
// come out as the same transferChanged / transferOffered as Shoal's, so the window and
// shoal-cli show them unchanged. Each gets its place in the conversation (a File item, as a
// Shoal transfer does; IpmsgFiles bounds them: the refused files of an offer are one item, files
// over its bounds none); the transfers themselves are not kept in the history (this run only),
// so after a restart that item shows the name alone.
#include "messenger.h"

#include "ipmsg/ipmsgfiles.h"
#include "ipmsg/ipmsgtransport.h"
#include "storage/messagestore.h"

void Messenger::startIpmsgFiles(IpmsgTransport &transport)
{
    stopIpmsgFiles();
    m_ipmsgFiles = new IpmsgFiles(transport,
                                  m_config.ipmsg.value_or(IpmsgConfig()),
                                  m_config.downloadDir,
                                  this);
    m_ipmsgFiles->setAcceptFilesInto(m_config.acceptFilesInto);
    connect(m_ipmsgFiles, &IpmsgFiles::added, this, [this](const TransferInfo &t) {
        ChatMessage item;
        item.id = t.id;
        item.peerId = t.peerId;
        item.outgoing = t.outgoing;
        item.sentAt = item.receivedAt = t.createdAt;
        item.text = t.name;
        item.state = MessageState::Delivered;
        item.kind = MessageKind::File;
        if (t.outgoing)
            m_store->addOutgoing(item);
        else
            m_store->addReceived(item);
    });
    connect(m_ipmsgFiles, &IpmsgFiles::changed, this, &Messenger::transferChanged);
    connect(m_ipmsgFiles, &IpmsgFiles::offered, this, &Messenger::transferOffered);
    connect(m_ipmsgFiles,
            &IpmsgFiles::runningChanged,
            this,
            [this](bool running, const QString &error) {
                m_ipmsgFilesError = running ? QString() : error;
                if (!running && !error.isEmpty())
                    addWarning(error); // as for the UDP side
                Q_EMIT ipmsgStatusChanged();
            });
    // Else it starts when the transport does (runningChanged).
    if (transport.isRunning())
        m_ipmsgFiles->start(); // a failure comes as runningChanged
    Q_EMIT ipmsgStatusChanged();
}

void Messenger::stopIpmsgFiles()
{
    if (!m_ipmsgFiles)
        return;
    m_ipmsgFiles->stop(); // what runs is reported failed or cancelled
    delete m_ipmsgFiles;
    m_ipmsgFiles = nullptr;
    m_ipmsgFilesError.clear();
}

bool Messenger::isIpmsgTransfer(const QUuid &id) const
{
    return m_ipmsgFiles && m_ipmsgFiles->owns(id);
}

bool Messenger::isIpmsgPeer(const QString &peerId) const
{
    // Heard this run, or listed from an earlier one (while IP Messenger is off, say).
    if (m_ipmsgFiles && m_ipmsgFiles->handlesPeer(peerId))
        return true;
    const auto row = peer(peerId);
    return row && row->ipmsg;
}
