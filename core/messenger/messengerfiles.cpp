// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's file-transfer commands: forwarded to the files service (core/files).
#include "messenger.h"

#include "files/filetransfers.h"
#include "ipmsg/ipmsgfiles.h" // IP Messenger (issue 17)

#include <algorithm>

std::optional<QUuid> Messenger::sendFiles(const QString &peerId,
                                          const QStringList &paths,
                                          bool asFolder,
                                          QString *error)
{
    QString ignored;
    // --- IP Messenger (issue 17) ---
    if (isIpmsgPeer(peerId)) {
        if (!m_ipmsgFiles) {
            (error ? *error : ignored) = tr("IP Messenger is off: turn it on in the settings to "
                                            "send files to IP Messenger users.");
            return std::nullopt;
        }
        if (asFolder) {
            (error ? *error : ignored) = tr(
                "Folders cannot be sent to IP Messenger users yet; send the files.");
            return std::nullopt;
        }
        const QList<QUuid> ids = m_ipmsgFiles->send(peerId, paths, error ? error : &ignored);
        return ids.isEmpty() ? std::nullopt : std::optional<QUuid>(ids.first());
    }
    // --- end IP Messenger ---
    return m_files->send(peerId, paths, asFolder, error ? error : &ignored);
}

bool Messenger::acceptTransfer(const QUuid &id, const QString &directory, QString *error)
{
    QString ignored;
    // --- IP Messenger (issue 17) ---
    if (isIpmsgTransfer(id))
        return m_ipmsgFiles->accept(id, directory, error ? error : &ignored);
    // --- end IP Messenger ---
    return m_files->accept(id, directory, error ? error : &ignored);
}

bool Messenger::declineTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    // --- IP Messenger (issue 17) ---
    if (isIpmsgTransfer(id))
        return m_ipmsgFiles->decline(id, error ? error : &ignored);
    // --- end IP Messenger ---
    return m_files->decline(id, error ? error : &ignored);
}

bool Messenger::pauseTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    // --- IP Messenger (issue 17) ---
    if (isIpmsgTransfer(id)) {
        // IPMsg has no pause: the download would have to start again.
        (error ? *error : ignored) = tr("Transfers with IP Messenger users cannot be paused.");
        return false;
    }
    // --- end IP Messenger ---
    return m_files->pause(id, error ? error : &ignored);
}

bool Messenger::resumeTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    // --- IP Messenger (issue 17) ---
    if (isIpmsgTransfer(id)) {
        // IPMsg has no pause: the download would have to start again.
        (error ? *error : ignored) = tr("Transfers with IP Messenger users cannot be paused.");
        return false;
    }
    // --- end IP Messenger ---
    return m_files->resume(id, error ? error : &ignored);
}

bool Messenger::cancelTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    // --- IP Messenger (issue 17) ---
    if (isIpmsgTransfer(id))
        return m_ipmsgFiles->cancel(id, error ? error : &ignored);
    // --- end IP Messenger ---
    return m_files->cancel(id, error ? error : &ignored);
}

QList<TransferInfo> Messenger::transfers() const
{
    // --- IP Messenger (issue 17) ---
    if (m_ipmsgFiles) {
        // The same order as FileTransfers::all(): active ones oldest first, then the rest
        // newest first.
        QList<TransferInfo> all = m_files->all() + m_ipmsgFiles->all();
        std::stable_sort(all.begin(), all.end(), [](const TransferInfo &a, const TransferInfo &b) {
            if (isFinal(a.state) != isFinal(b.state))
                return !isFinal(a.state);
            return isFinal(a.state) ? a.createdAt > b.createdAt : a.createdAt < b.createdAt;
        });
        return all;
    }
    // --- end IP Messenger ---
    return m_files->all();
}

std::optional<TransferInfo> Messenger::transfer(const QUuid &id) const
{
    // --- IP Messenger (issue 17) ---
    if (isIpmsgTransfer(id))
        return m_ipmsgFiles->find(id);
    // --- end IP Messenger ---
    return m_files->find(id);
}

void Messenger::setDownloadDir(const QString &dir)
{
    m_config.downloadDir = dir;
    m_files->setDownloadDir(dir);
    // --- IP Messenger (issue 17) ---
    if (m_ipmsgFiles)
        m_ipmsgFiles->setDownloadDir(dir);
    // --- end IP Messenger ---
}

bool Messenger::acceptsFilesFrom(const QString &peerId) const
{
    // --- IP Messenger (issue 17) ---
    if (m_ipmsgFiles && isIpmsgPeer(peerId))
        return m_ipmsgFiles->acceptsFrom(peerId);
    // --- end IP Messenger ---
    return m_files->acceptsFrom(peerId);
}

void Messenger::setAcceptFilesFrom(const QString &peerId, bool accept)
{
    // --- IP Messenger (issue 17) ---
    if (m_ipmsgFiles && isIpmsgPeer(peerId))
        return m_ipmsgFiles->setAcceptFrom(peerId, accept);
    // --- end IP Messenger ---
    m_files->setAcceptFrom(peerId, accept);
}
