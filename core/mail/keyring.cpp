// SPDX-License-Identifier: GPL-3.0-or-later
#include "keyring.h"

#include <qt6keychain/keychain.h>

#include <QAbstractEventDispatcher>
#include <QLoggingCategory>

#include <dlfcn.h>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcMail) // "shoal.mail", mailprofile.cpp

namespace {

bool isKeyringMissing(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented;
}

} // namespace

// Jobs have no parent: libsecret calls back into a job when its answer comes, so a job must
// live until then (autoDelete then deletes it), even when this Keyring is gone first (the
// window closed, the messenger destroyed) — a job deleted with it crashed on that callback.
// The connections to `this` end with it; a job that finishes later just deletes itself.
Keyring::Keyring(const QString &key, QObject *parent)
    : QObject(parent)
    , m_key(key)
{
    m_pump.setInterval(10);
    connect(&m_pump, &QTimer::timeout, this, &Keyring::pumpGlib);
}

void Keyring::jobStarted()
{
    ++m_pending;
    const QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    const bool glibLoop = dispatcher && dispatcher->inherits("QEventDispatcherGlib");
    if (!glibLoop && !m_pump.isActive())
        m_pump.start();
}

void Keyring::jobFinished()
{
    if (--m_pending <= 0) {
        m_pending = 0;
        m_pump.stop();
    }
}

void Keyring::pumpGlib()
{
    // Looked up in the process (QtKeychain brought GLib in): no GLib headers or link needed.
    using Iteration = int (*)(void *, int);
    static const auto iterate = reinterpret_cast<Iteration>(
        dlsym(RTLD_DEFAULT, "g_main_context_iteration"));
    if (!iterate) {
        m_pump.stop();
        return;
    }
    for (int i = 0; i < 16 && iterate(nullptr, 0); ++i) {
    }
}

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
        job = new QKeychain::DeletePasswordJob(service);
    } else {
        auto *write = new QKeychain::WritePasswordJob(service);
        write->setTextData(password);
        job = write;
    }
    // Never the plain-text file QtKeychain can fall back to.
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(m_key);
    const bool deleting = password.isEmpty();
    connect(job, &QKeychain::Job::finished, this, [this, deleting](QKeychain::Job *j) {
        jobFinished();
        const QKeychain::Error e = j->error();
        if (e == QKeychain::NoError || (deleting && e == QKeychain::EntryNotFound)) {
            Q_EMIT stored(true, {});
            return;
        }
        qCWarning(lcMail).noquote() << "keyring:" << int(e) << j->errorString();
        Q_EMIT stored(false,
                      isKeyringMissing(e) || e == QKeychain::OtherError
                          ? noKeyringError(j->errorString())
                          : tr("The keyring refused to keep the password (%1).")
                                .arg(j->errorString()));
    });
    jobStarted();
    job->start();
}

void Keyring::read()
{
    auto *job = new QKeychain::ReadPasswordJob(QString::fromLatin1(Service));
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(m_key);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *j) {
        jobFinished();
        const QKeychain::Error e = j->error();
        if (e == QKeychain::NoError) {
            Q_EMIT readFinished(true, static_cast<QKeychain::ReadPasswordJob *>(j)->textData(), {});
            return;
        }
        if (e == QKeychain::EntryNotFound) {
            Q_EMIT readFinished(false, {}, {});
            return;
        }
        qCWarning(lcMail).noquote() << "keyring:" << int(e) << j->errorString();
        Q_EMIT readFinished(false,
                            {},
                            isKeyringMissing(e) || e == QKeychain::OtherError
                                ? noKeyringError(j->errorString())
                                : tr("The keyring could not be read (%1).").arg(j->errorString()));
    });
    jobStarted();
    job->start();
}
