// SPDX-License-Identifier: GPL-3.0-or-later
#include "keyring.h"

#include <qt6keychain/keychain.h>

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcMailProfile) // "shoal.mail", mailprofile.cpp

namespace {

bool keyringMissing(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented;
}

} // namespace

Keyring::Keyring(const QString &key, QObject *parent)
    : QObject(parent)
    , m_key(key)
{}

QString Keyring::noKeyringError(const QString &detail)
{
    return tr("No keyring is available to keep the password; start the desktop's keyring "
              "(GNOME Keyring or KWallet) and enter it again (%1).")
        .arg(detail);
}

void Keyring::store(const QString &password)
{
    const QString service = QString::fromLatin1(Service);
    QKeychain::Job *job = nullptr;
    if (password.isEmpty()) {
        job = new QKeychain::DeletePasswordJob(service, this);
    } else {
        auto *write = new QKeychain::WritePasswordJob(service, this);
        write->setTextData(password);
        job = write;
    }
    // Never the plain-text file QtKeychain can fall back to.
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(m_key);
    const bool deleting = password.isEmpty();
    connect(job, &QKeychain::Job::finished, this, [this, deleting](QKeychain::Job *j) {
        const QKeychain::Error e = j->error();
        if (e == QKeychain::NoError || (deleting && e == QKeychain::EntryNotFound)) {
            Q_EMIT stored(true, {});
            return;
        }
        qCWarning(lcMailProfile).noquote() << "keyring:" << int(e) << j->errorString();
        Q_EMIT stored(false,
                      keyringMissing(e) || e == QKeychain::OtherError
                          ? noKeyringError(j->errorString())
                          : tr("The keyring refused to keep the password (%1).")
                                .arg(j->errorString()));
    });
    job->start();
}

void Keyring::read()
{
    auto *job = new QKeychain::ReadPasswordJob(QString::fromLatin1(Service), this);
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(m_key);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *j) {
        const QKeychain::Error e = j->error();
        if (e == QKeychain::NoError) {
            Q_EMIT readFinished(true, static_cast<QKeychain::ReadPasswordJob *>(j)->textData(), {});
            return;
        }
        if (e == QKeychain::EntryNotFound) {
            Q_EMIT readFinished(false, {}, {});
            return;
        }
        qCWarning(lcMailProfile).noquote() << "keyring:" << int(e) << j->errorString();
        Q_EMIT readFinished(false,
                            {},
                            keyringMissing(e) || e == QKeychain::OtherError
                                ? noKeyringError(j->errorString())
                                : tr("The keyring could not be read (%1).").arg(j->errorString()));
    });
    job->start();
}
