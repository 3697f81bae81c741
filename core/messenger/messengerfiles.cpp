// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's file-transfer commands: forwarded to the files service (core/files).
#include "messenger.h"

#include "files/filetransfers.h"

std::optional<QUuid> Messenger::sendFiles(const QString &peerId,
                                          const QStringList &paths,
                                          bool asFolder,
                                          QString *error)
{
    QString ignored;
    return m_files->send(peerId, paths, asFolder, error ? error : &ignored);
}

bool Messenger::acceptTransfer(const QUuid &id, const QString &directory, QString *error)
{
    QString ignored;
    return m_files->accept(id, directory, error ? error : &ignored);
}

bool Messenger::declineTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    return m_files->decline(id, error ? error : &ignored);
}

bool Messenger::pauseTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    return m_files->pause(id, error ? error : &ignored);
}

bool Messenger::resumeTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    return m_files->resume(id, error ? error : &ignored);
}

bool Messenger::cancelTransfer(const QUuid &id, QString *error)
{
    QString ignored;
    return m_files->cancel(id, error ? error : &ignored);
}

QList<TransferInfo> Messenger::transfers() const
{
    return m_files->all();
}

std::optional<TransferInfo> Messenger::transfer(const QUuid &id) const
{
    return m_files->find(id);
}

void Messenger::setDownloadDir(const QString &dir)
{
    m_config.downloadDir = dir;
    m_files->setDownloadDir(dir);
}

bool Messenger::acceptsFilesFrom(const QString &peerId) const
{
    return m_files->acceptsFrom(peerId);
}

void Messenger::setAcceptFilesFrom(const QString &peerId, bool accept)
{
    m_files->setAcceptFrom(peerId, accept);
}
