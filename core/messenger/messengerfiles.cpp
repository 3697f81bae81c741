// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's file-transfer commands: forwarded to the files service (core/files).
#include "messenger.h"

#include <QCoreApplication>

namespace {
// Until the service lands (issue 11): every command says so.
bool notYet(QString *error)
{
    if (error)
        *error = QCoreApplication::translate("Messenger", "File transfers are not available yet.");
    return false;
}
} // namespace

std::optional<QUuid> Messenger::sendFiles(const QString &, const QStringList &, bool, QString *error)
{
    notYet(error);
    return std::nullopt;
}

bool Messenger::acceptTransfer(const QUuid &, const QString &, QString *error)
{
    return notYet(error);
}

bool Messenger::declineTransfer(const QUuid &, QString *error)
{
    return notYet(error);
}

bool Messenger::pauseTransfer(const QUuid &, QString *error)
{
    return notYet(error);
}

bool Messenger::resumeTransfer(const QUuid &, QString *error)
{
    return notYet(error);
}

bool Messenger::cancelTransfer(const QUuid &, QString *error)
{
    return notYet(error);
}

QList<TransferInfo> Messenger::transfers() const
{
    return {};
}

std::optional<TransferInfo> Messenger::transfer(const QUuid &) const
{
    return std::nullopt;
}

void Messenger::setDownloadDir(const QString &dir)
{
    m_config.downloadDir = dir;
}

bool Messenger::acceptsFilesFrom(const QString &) const
{
    return false;
}

void Messenger::setAcceptFilesFrom(const QString &, bool) {}
