// SPDX-License-Identifier: GPL-3.0-or-later
#include "singleinstance.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>

#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

// Enough for any command line; more is not a Shoal talking.
static constexpr qint64 MaxMessage = 1 << 20;
static constexpr char Taken = '1';

namespace {

// The other end of a local socket runs as this user: a command line is only taken from, and
// only given to, one's own Shoal.
bool sameUser(qintptr descriptor)
{
    struct ucred credentials = {};
    socklen_t size = sizeof(credentials);
    return ::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0
           && credentials.uid == ::getuid();
}

} // namespace

SingleInstance::SingleInstance(const QString &profilePath, QObject *parent)
    : QObject(parent)
    , m_socketPath(socketPath(profilePath))
{}

SingleInstance::~SingleInstance()
{
    close();
}

void SingleInstance::setReady(bool ready)
{
    m_ready = ready;
    while (m_ready && !m_pending.isEmpty())
        Q_EMIT argumentsReceived(m_pending.takeFirst());
}

void SingleInstance::close()
{
    if (!m_server)
        return;
    m_server->close(); // removes the socket file too
    delete m_server;
    m_server = nullptr;
}

QString SingleInstance::socketPath(const QString &profilePath)
{
    // XDG_RUNTIME_DIR is the user's own (0700), so no one else can listen in the profile's
    // place; the hash keeps the path short (sockets allow ~100 bytes) whatever the profile's.
    QFileInfo info(profilePath);
    const QString canonical = info.canonicalFilePath().isEmpty() ? info.absoluteFilePath()
                                                                 : info.canonicalFilePath();
    const QByteArray key
        = QCryptographicHash::hash(canonical.toUtf8(), QCryptographicHash::Sha256).toHex().left(24);
    // Qt returns no runtime folder unless it is the user's own with mode 0700: then there is
    // no place others cannot bind first, and no hand-over.
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (runtime.isEmpty())
        return {};
    return QDir(runtime).filePath(u"shoal-%1.socket"_s.arg(QString::fromLatin1(key)));
}

bool SingleInstance::listen(QString *error)
{
    if (m_socketPath.isEmpty()) {
        *error = u"no private runtime folder (XDG_RUNTIME_DIR)"_s; // for the log
        return false;
    }
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    // We hold the profile's lock, so a socket left there is from a Shoal that died.
    QLocalServer::removeServer(m_socketPath);
    if (!m_server->listen(m_socketPath)) {
        *error = m_server->errorString();
        return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server->nextPendingConnection()) {
            if (!sameUser(socket->socketDescriptor())) {
                socket->abort();
                socket->deleteLater();
                continue;
            }
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
                if (socket->bytesAvailable() > MaxMessage) {
                    socket->abort();
                    return;
                }
                QDataStream in(socket);
                in.setVersion(QDataStream::Qt_6_4);
                in.startTransaction();
                QStringList arguments;
                in >> arguments;
                if (!in.commitTransaction())
                    return; // the rest is still on its way
                socket->write(&Taken, 1);
                socket->flush();
                if (m_ready)
                    Q_EMIT argumentsReceived(arguments);
                else
                    m_pending.append(arguments); // acted on once the window exists
            });
        }
    });
    return true;
}

bool SingleInstance::handOver(const QStringList &arguments, int timeoutMs) const
{
    if (m_socketPath.isEmpty())
        return false;
    const QDeadlineTimer deadline(timeoutMs);
    QLocalSocket socket;
    socket.connectToServer(m_socketPath);
    if (!socket.waitForConnected(int(deadline.remainingTime())))
        return false;
    if (!sameUser(socket.socketDescriptor()))
        return false;
    QDataStream out(&socket);
    out.setVersion(QDataStream::Qt_6_4);
    out << arguments;
    while (socket.bytesToWrite() > 0) {
        if (!socket.waitForBytesWritten(int(deadline.remainingTime())))
            return false;
    }
    char reply = 0;
    while (socket.bytesAvailable() < 1) {
        if (!socket.waitForReadyRead(int(deadline.remainingTime())))
            return false;
    }
    return socket.read(&reply, 1) == 1 && reply == Taken;
}
