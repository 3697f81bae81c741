// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerconnection.h"

#include "identity/identity.h"
#include "net/networksafety.h"
#include "net/peeraddress.h"

#include <QLoggingCategory>
#include <QMetaEnum>
#include <QScopedValueRollback>

#include <cerrno>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNet, "shoal.net")

static constexpr int CloseGraceMs = 2'000;
static constexpr qint64 ReadBufferSize = 256 * 1024;
static constexpr int MaxFramesPerPass = 200;

static_assert(int(StreamKind::Chat) == int(Protocol::Stream::Chat)
              && int(StreamKind::Bulk) == int(Protocol::Stream::Bulk));

static StreamKind toKind(Protocol::Stream stream)
{
    return StreamKind(int(stream));
}

// Messages about the connection itself, not what it carries: they keep no stream busy.
static bool isSession(const Protocol::Message &message)
{
    return std::holds_alternative<Protocol::Hello>(message)
           || std::holds_alternative<Protocol::Ping>(message)
           || std::holds_alternative<Protocol::Pong>(message)
           || std::holds_alternative<Protocol::Bye>(message);
}

PeerConnection::PeerConnection(QSslSocket *socket,
                               Direction direction,
                               Protocol::Hello ownHello,
                               ConnectionLimits timeouts,
                               QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_direction(direction)
    , m_kind(direction == Direction::Outgoing ? toKind(ownHello.stream) : StreamKind::Chat)
    , m_ownHello(std::move(ownHello))
    , m_timeouts(timeouts)
{
    m_socket->setParent(this);
    // Bounds how much a peer can make us buffer before we have parsed it.
    m_socket->setReadBufferSize(ReadBufferSize);
    connect(m_socket, &QSslSocket::encrypted, this, &PeerConnection::onEncrypted);
    connect(m_socket, &QSslSocket::readyRead, this, &PeerConnection::onReadyRead);
    connect(m_socket, &QSslSocket::errorOccurred, this, &PeerConnection::onSocketError);
    connect(m_socket, &QSslSocket::disconnected, this, &PeerConnection::onDisconnected);
    connect(m_socket, &QSslSocket::encryptedBytesWritten, this, &PeerConnection::bytesWritten);
    connect(m_socket, &QSslSocket::connected, this, &PeerConnection::setSocketOptions);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &PeerConnection::onDeadline);
    m_started.start();
    m_lastUsed.start();
    m_lastHeard.start();
    armDeadline();
    if (m_direction == Direction::Incoming) {
        setSocketOptions(); // connected already
        // For the log: who an attempt that never says hello came from.
        m_from = PeerAddress::format(m_socket->peerAddress(), m_socket->peerPort());
        if (m_socket->isEncrypted()) // else once the TLS handshake is done
            QMetaObject::invokeMethod(this, &PeerConnection::onEncrypted, Qt::QueuedConnection);
        // Bytes may already be waiting from before we took the socket over.
        QMetaObject::invokeMethod(this, &PeerConnection::onReadyRead, Qt::QueuedConnection);
    }
}

PeerConnection::~PeerConnection() = default;

void PeerConnection::connectTo(const QString &host, quint16 port, const QString &expectedPeerId)
{
    m_expectedId = expectedPeerId;
    m_dialed = PeerAddress{host, port}.toString();
    if (NetworkSafety::loopbackOnly() && !NetworkSafety::isLoopbackHost(host)) {
        // Reported after the caller has its attempt number, like any other failure.
        QMetaObject::invokeMethod(
            this,
            [this] {
                finish(Error::Unreachable,
                       u"not dialled: SHOAL_LOOPBACK_ONLY allows loopback addresses only"_s,
                       false);
            },
            Qt::QueuedConnection);
        return;
    }
    qCDebug(lcNet) << "dialing" << m_dialed;
    m_connecting = true;
    m_socket->connectToHostEncrypted(host, port);
    m_connecting = false;
}

QSslCertificate PeerConnection::peerCertificate() const
{
    return m_socket->peerCertificate();
}

QString PeerConnection::remoteListenAddress() const
{
    return PeerAddress::format(m_socket->peerAddress(), m_remoteHello.port);
}

QHostAddress PeerConnection::remoteAddress() const
{
    return m_socket->peerAddress();
}

quint16 PeerConnection::localPort() const
{
    return m_socket->localPort();
}

QHostAddress PeerConnection::localAddress() const
{
    return m_socket->localAddress();
}

void PeerConnection::probe()
{
    if (m_closed || !m_ready)
        return;
    startProbe();
    send(Protocol::Ping{++m_pingSeq});
    m_lastPing.start();
    flush();
}

void PeerConnection::checkAlive()
{
    if (m_closed || !m_ready)
        return;
    send(Protocol::Ping{++m_pingSeq});
    m_aliveSeq = m_pingSeq;
    flush();
}

quint16 PeerConnection::remotePort() const
{
    return m_socket->peerPort();
}

bool PeerConnection::send(const Protocol::Message &message)
{
    if (m_closed || !m_socket->isEncrypted())
        return false;
    const qint64 limit = m_kind == StreamKind::Bulk ? m_timeouts.maxPendingBulkWriteBytes
                                                    : m_timeouts.maxPendingWriteBytes;
    if (pendingWriteBytes() > limit) {
        qCWarning(lcNet) << "closing" << peerId() << "- it is not reading;" << pendingWriteBytes()
                         << "bytes wait to be sent";
        finish(Error::NotReading,
               u"%1 bytes unread (limit %2)"_s.arg(pendingWriteBytes()).arg(limit),
               false);
        return false;
    }
    m_socket->write(Protocol::encodeFrame(message));
    if (!isSession(message)) {
        if (m_kind == StreamKind::Bulk) // only a bulk stream's idle deadline reads it
            m_lastUsed.restart();
        startProbe();
    }
    return true;
}

void PeerConnection::flush()
{
    if (m_closed)
        return;
    // QSslSocket::flush() also decrypts what has arrived and may emit readyRead at once: its
    // frames wait for the next pass (onReadyRead), so that none is handled inside whoever
    // flushes (the store's commit report).
    const QScopedValueRollback<bool> flushing(m_flushing, true);
    m_socket->flush();
}

qint64 PeerConnection::pendingWriteBytes() const
{
    return m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite();
}

void PeerConnection::close(Error error, const QString &reason)
{
    finish(error, reason, true);
}

void PeerConnection::sendHello()
{
    m_helloSent = true;
    send(m_ownHello);
}

void PeerConnection::onEncrypted()
{
    if (m_closed || m_helloSent)
        return;
    // Nothing about us (name, ID, port) goes to a peer before its certificate is known, and to
    // a dialled address only if the certificate is the one expected there. With TLS 1.3 the
    // server's encrypted() comes after the client's Finished, so the client's certificate, if
    // any, has arrived by now.
    const QString fingerprint = Identity::fingerprint(m_socket->peerCertificate());
    if (fingerprint.isEmpty()) {
        finish(Error::IdentityMismatch, tr("The peer presented no certificate."), true);
        return;
    }
    if (!m_expectedId.isEmpty() && fingerprint != m_expectedId) {
        // No bye either: that address gets nothing from us.
        finish(Error::IdentityMismatch, mismatchReason(fingerprint), false);
        return;
    }
    sendHello();
}

QString PeerConnection::mismatchReason(const QString &fingerprint) const
{
    return tr("Expected the peer with ID %1, but the one at this address has ID %2.")
        .arg(m_expectedId, fingerprint);
}

void PeerConnection::setReadingPaused(bool paused)
{
    if (m_readingPaused == paused)
        return;
    m_readingPaused = paused;
    if (!paused) {
        // Our pause, not the peer's silence: the keepalive and stall clocks start afresh.
        if (m_probing) {
            m_probeStarted.restart();
            m_lastPing.invalidate();
        }
        m_partialSince.restart();
        QMetaObject::invokeMethod(this, &PeerConnection::onReadyRead, Qt::QueuedConnection);
    }
    armDeadline();
}

void PeerConnection::onReadyRead()
{
    if (m_flushing) {
        QMetaObject::invokeMethod(this, &PeerConnection::onReadyRead, Qt::QueuedConnection);
        return;
    }
    if (m_closed || m_readingPaused || !handleDecodedFrames())
        return;
    const QByteArray bytes = m_socket->readAll();
    if (bytes.isEmpty())
        return;
    m_lastHeard.restart();
    // Heard: the peer is there and answers. Whatever the frames start, they start afterwards.
    if (m_probing) {
        m_probing = false;
        armDeadline(); // left to lapse if nothing else is due
    }
    const bool wasPartial = m_decoder.hasPartialFrame();
    const bool ok = m_decoder.feed(bytes, &m_frames);
    if (!ok)
        m_decodeError = m_decoder.errorString(); // after the good frames before it
    if (!m_decoder.hasPartialFrame() || !m_frames.isEmpty() || !wasPartial)
        m_partialSince.restart();
    if (m_decoder.hasPartialFrame() && !wasPartial)
        armDeadline(); // the stall deadline may come before the one armed
    handleDecodedFrames();
}

bool PeerConnection::handleDecodedFrames()
{
    // A pause can come in the middle (a frame's handler asks for it): the rest waits here,
    // at most one read's worth.
    int handled = 0;
    while (m_nextFrame < m_frames.size()) {
        if (m_closed || m_readingPaused)
            return false;
        if (handled++ == MaxFramesPerPass) {
            // A full read of small frames is thousands of them: let the event loop (the
            // window) have a turn, and go on afterwards.
            QMetaObject::invokeMethod(this, &PeerConnection::onReadyRead, Qt::QueuedConnection);
            return false;
        }
        // Its bytes stay alive while it is handled, whatever the handler does.
        const QByteArray data = m_frames.data;
        handleFrame(m_frames.at(m_nextFrame++));
    }
    m_frames.clear();
    m_nextFrame = 0;
    if (m_closed)
        return false;
    if (!m_decodeError.isEmpty()) {
        finish(Error::ProtocolError, m_decodeError, true);
        return false;
    }
    return !m_readingPaused;
}

void PeerConnection::handleFrame(QByteArrayView payload)
{
    QString error;
    // Not copied: the bytes outlive the call (handleDecodedFrames()).
    const auto message = Protocol::decode(QByteArray::fromRawData(payload.data(), payload.size()),
                                          &error);
    if (!message) {
        finish(Error::ProtocolError, error, true);
        return;
    }
    if (const auto *hello = std::get_if<Protocol::Hello>(&*message)) {
        if (m_ready) {
            finish(Error::ProtocolError, u"second hello"_s, true);
            return;
        }
        handleHello(*hello);
        return;
    }
    if (m_probing) {
        // Heard after the probe started, even if read with the hello that started it.
        m_probing = false;
        armDeadline();
    }
    if (!m_ready) {
        if (const auto *bye = std::get_if<Protocol::Bye>(&*message)) {
            finish(Error::RemoteClosed, bye->reason, false);
            return;
        }
        finish(Error::ProtocolError, u"%1 before hello"_s.arg(Protocol::toString(*message)), true);
        return;
    }
    if (const auto *ping = std::get_if<Protocol::Ping>(&*message)) {
        send(Protocol::Pong{ping->seq});
        return;
    }
    if (const auto *pong = std::get_if<Protocol::Pong>(&*message)) {
        if (m_aliveSeq != 0 && pong->seq >= m_aliveSeq) {
            m_aliveSeq = 0;
            Q_EMIT alive();
        }
        return;
    }
    if (std::holds_alternative<Protocol::Unknown>(*message))
        return;
    if (const auto *bye = std::get_if<Protocol::Bye>(&*message)) {
        finish(Error::RemoteClosed, bye->reason, false);
        return;
    }
    m_lastUsed.restart();
    Q_EMIT messageReceived(*message);
}

void PeerConnection::handleHello(const Protocol::Hello &hello)
{
    m_remoteHello = hello;
    // The dialling side names the stream; a listener's hello is sent before it knows, so what
    // it says is not read.
    if (m_direction == Direction::Incoming)
        m_kind = toKind(hello.stream);
    if (hello.minVersion > Protocol::Version || hello.version < Protocol::MinVersion) {
        finish(Error::IncompatibleVersion,
               tr("The peer speaks protocol versions %1 to %2; this Shoal speaks %3 to %4. "
                  "Update the older Shoal.")
                   .arg(hello.minVersion)
                   .arg(hello.version)
                   .arg(Protocol::MinVersion)
                   .arg(Protocol::Version),
               true);
        return;
    }
    const QString fingerprint = Identity::fingerprint(m_socket->peerCertificate());
    if (fingerprint.isEmpty()) {
        finish(Error::IdentityMismatch, tr("The peer presented no certificate."), true);
        return;
    }
    if (fingerprint != hello.peerId) {
        finish(Error::IdentityMismatch,
               tr("The peer claims ID %1 but its certificate has fingerprint %2.")
                   .arg(hello.peerId, fingerprint),
               true);
        return;
    }
    if (!m_expectedId.isEmpty() && fingerprint != m_expectedId) { // checked in onEncrypted too
        finish(Error::IdentityMismatch, mismatchReason(fingerprint), true);
        return;
    }
    if (fingerprint == m_ownHello.peerId) {
        finish(Error::SelfConnection, tr("This address is this Shoal itself."), true);
        return;
    }
    m_ready = true;
    setSocketOptions(); // a listener learns the kind only now
    // The first probe: the peer has to show it reads, not only that it says hello. The dialler
    // asks at once, so that between two of this version the probe is over as the connection's
    // start is, and the listener's ends with that ping.
    startProbe();
    if (m_direction == Direction::Outgoing) {
        send(Protocol::Ping{++m_pingSeq});
        m_lastPing.start();
    }
    qCDebug(lcNet).noquote() << "ready with" << hello.peerId << "name"
                             << Protocol::quoted(hello.name)
                             << (m_direction == Direction::Outgoing ? "outgoing" : "incoming")
                             << (m_kind == StreamKind::Bulk ? "bulk" : "chat");
    Q_EMIT ready();
}

void PeerConnection::onSocketError(QAbstractSocket::SocketError socketError)
{
    if (m_closed)
        return;
    Error error = Error::RemoteClosed;
    switch (socketError) {
    case QAbstractSocket::HostNotFoundError:
        error = Error::HostNotFound;
        break;
    case QAbstractSocket::ConnectionRefusedError:
        error = Error::ConnectionRefused;
        break;
    case QAbstractSocket::SocketTimeoutError:
    case QAbstractSocket::NetworkError:
        error = m_ready ? Error::RemoteClosed : Error::Unreachable;
        break;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        error = Error::TlsFailed;
        break;
    default:
        break;
    }
    finish(error, m_socket->errorString(), false);
}

void PeerConnection::onDisconnected()
{
    if (!m_closed)
        finish(m_ready ? Error::RemoteClosed : Error::TlsFailed,
               tr("The connection was closed by the peer."),
               false);
    deleteLater();
}

qint64 PeerConnection::nextDeadline() const
{
    // In m_started's time; -1: nothing to wait for.
    const qint64 now = m_started.elapsed();
    if (!m_ready)
        return m_timeouts.handshakeMs;
    if (m_readingPaused)
        return -1; // we are not listening: no timeouts blamed on the peer
    qint64 next = -1;
    const auto consider = [&next](qint64 at) { next = next < 0 ? at : qMin(next, at); };
    if (m_probing) {
        consider(now - m_probeStarted.elapsed() + m_timeouts.deadAfterMs);
        const QElapsedTimer &since = m_lastPing.isValid() ? m_lastPing : m_probeStarted;
        consider(now - since.elapsed() + m_timeouts.pingIntervalMs);
    }
    if (m_decoder.hasPartialFrame())
        consider(now - m_partialSince.elapsed() + m_timeouts.stallMs);
    if (m_kind == StreamKind::Bulk)
        consider(now - m_lastUsed.elapsed() + m_timeouts.bulkIdleMs);
    return next;
}

void PeerConnection::armDeadline()
{
    if (m_closed)
        return;
    const qint64 next = nextDeadline();
    // Nothing due: stopped. Left armed (to spare a timer registration per message in a
    // conversation), every connection woke once more after its handshake or a probe, which
    // made 200 idle peers cost 4 wake-ups a second in bench --targets.
    if (next < 0) {
        m_deadline.stop();
        m_armedFor = -1;
        return;
    }
    // Only ever brought forward here: a later deadline is found when the armed one fires.
    if (m_deadline.isActive() && m_armedFor <= next)
        return;
    m_armedFor = next;
    m_deadline.start(int(qMax<qint64>(0, next - m_started.elapsed())));
}

void PeerConnection::onDeadline()
{
    m_armedFor = -1;
    if (m_closed)
        return;
    if (!m_ready) {
        if (m_started.elapsed() >= m_timeouts.handshakeMs)
            finish(Error::Timeout,
                   tr("No answer within %1 s.").arg(m_timeouts.handshakeMs / 1000),
                   true);
        else
            armDeadline();
        return;
    }
    if (m_readingPaused)
        return; // re-armed when reading resumes
    if (m_decoder.hasPartialFrame() && m_partialSince.elapsed() >= m_timeouts.stallMs) {
        finish(Error::Timeout, u"frame stalled for %1 ms"_s.arg(m_timeouts.stallMs), true);
        return;
    }
    if (m_probing && m_probeStarted.elapsed() >= m_timeouts.deadAfterMs) {
        finish(Error::Timeout,
               tr("Nothing heard from the peer for %1 s.").arg(m_timeouts.deadAfterMs / 1000),
               true);
        return;
    }
    if (m_kind == StreamKind::Bulk && m_lastUsed.elapsed() >= m_timeouts.bulkIdleMs) {
        if (pendingWriteBytes() == 0) {
            finish(Error::LocalClose,
                   u"bulk stream idle for %1 s"_s.arg(m_timeouts.bulkIdleMs / 1000),
                   true);
            return;
        }
        m_lastUsed.restart(); // still sending: busy, however slowly the peer takes it
    }
    if (m_probing) {
        // Timed from the probe's start, not from our last write: a side that only sends what
        // needs no answer (acks, receipts) still asks for one.
        const QElapsedTimer &since = m_lastPing.isValid() ? m_lastPing : m_probeStarted;
        if (since.elapsed() >= m_timeouts.pingIntervalMs) {
            send(Protocol::Ping{++m_pingSeq});
            m_lastPing.start();
        }
    }
    armDeadline();
}

void PeerConnection::startProbe()
{
    // A probe already running keeps its start: the peer owes an answer since then, however
    // much more we send. Its deadlines are armed already (when it started, when reading
    // resumed, when the timer fired): nothing to look at per message sent.
    if (m_probing)
        return;
    m_probing = true;
    m_probeStarted.start();
    m_lastPing.invalidate();
    armDeadline();
}

void PeerConnection::setSocketOptions()
{
    // Messages are small and each waits for an answer: Nagle's algorithm would hold one back
    // until the previous is acknowledged (up to a delayed ack, 40 ms). A bulk stream keeps it.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, m_kind == StreamKind::Chat);
    // Between probes the app sends nothing; the kernel sends TCP keepalive probes (no wake-up
    // here) so that a peer that vanished without a FIN is still noticed within about
    // deadAfterMs: first after pingIntervalMs of quiet, then every pingIntervalMs.
    m_socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    const int fd = int(m_socket->socketDescriptor());
    if (fd < 0)
        return;
    const int interval = qMax(1, m_timeouts.pingIntervalMs / 1000);
    const int count = qMax(1,
                           (m_timeouts.deadAfterMs - m_timeouts.pingIntervalMs)
                               / qMax(1, m_timeouts.pingIntervalMs));
    if (::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &interval, sizeof interval) != 0
        || ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) != 0
        || ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) != 0)
        qCWarning(lcNet) << "TCP keepalive not set:" << qt_error_string(errno);
#endif
}

void PeerConnection::finish(Error error, const QString &reason, bool sendBye)
{
    if (m_closed)
        return;
    if (m_connecting) {
        // Qt reports some failures from within connectToHost ("Network unreachable": no
        // route). Reported after the caller has its attempt number, like any other outcome:
        // else the dialer never hears of it and takes the peer for being dialled for ever.
        QMetaObject::invokeMethod(
            this,
            [this, error, reason, sendBye] { finish(error, reason, sendBye); },
            Qt::QueuedConnection);
        return;
    }
    m_closed = true;
    m_deadline.stop();
    // The reason may be the peer's own words (its bye) or echo what it sent: quoted.
    qCInfo(lcNet).noquote() << "closing"
                            << (m_ready ? m_remoteHello.peerId
                                        : (m_direction == Direction::Incoming ? m_from : m_dialed))
                            << QMetaEnum::fromType<Net::Error>().valueToKey(int(error))
                            << Protocol::quoted(reason);
    if (sendBye && m_socket->isEncrypted())
        m_socket->write(Protocol::encodeFrame(Protocol::Bye{reason})); // buffered, not sent here
    // Let the bye drain, but never wait on a peer that does not read.
    QTimer::singleShot(CloseGraceMs, this, [this] {
        m_socket->abort();
        deleteLater();
    });
    // The socket is closed from the event loop, never from here: finish() runs inside the
    // socket's own signals (errorOccurred in a failed handshake, readyRead, disconnected), and
    // Qt's TLS backend goes on using its SSL object after emitting them (a failed handshake
    // still sends its alert). Closing here frees that object under its feet: a crash on any
    // failed handshake (docs/security.md, "Outside the TLS session").
    QMetaObject::invokeMethod(this, &PeerConnection::closeSocket, Qt::QueuedConnection);
    Q_EMIT closed(error, reason);
}

void PeerConnection::closeSocket()
{
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        deleteLater();
}

QString PeerConnection::describe(Error error)
{
    switch (error) {
    case Error::None:
        return {};
    case Error::HostNotFound:
        return tr("The host name could not be found. Check the spelling.");
    case Error::ConnectionRefused:
        return tr("The connection was refused. Is Shoal running there, and is the port right?");
    case Error::Unreachable:
        return tr("The host cannot be reached. Check the address and the network.");
    case Error::Timeout:
        return tr("The peer did not answer in time.");
    case Error::TlsFailed:
        return tr("The secure connection could not be set up.");
    case Error::IdentityMismatch:
        return tr("The peer's identity does not match; the connection was refused.");
    case Error::SelfConnection:
        return tr("That address is this Shoal itself.");
    case Error::IncompatibleVersion:
        return tr("The peer runs an incompatible version of Shoal.");
    case Error::ProtocolError:
        return tr("The peer sent data Shoal does not understand.");
    case Error::RemoteClosed:
        return tr("The peer closed the connection.");
    case Error::Replaced:
        return tr("Replaced by another connection to the same peer.");
    case Error::LocalClose:
        return tr("Closed.");
    case Error::NotReading:
        return tr("The peer stopped taking what is sent to it; the connection was closed.");
    }
    return {};
}
