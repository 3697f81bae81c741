// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipmsgtransport.h"

#include "net/networksafety.h"
#include "net/tokenbucket.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QQueue>
#include <QSet>
#include <QSysInfo>
#include <QTimer>
#include <QUdpSocket>
#include <QUuid>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcIpmsg, "shoal.ipmsg")

namespace {

// iptux's rule (research §4): 4 sends in all, 1 s apart, then the user is taken for gone.
constexpr int SendsPerMessage = 4;
constexpr qint64 ResendIntervalMs = 1000;
// connectToPeer: how long an ANSENTRY may take.
constexpr qint64 DialTimeoutMs = 3000;
// Bounded tables: whatever arrives, these do not grow past them.
constexpr qsizetype MaxUsers = 512;
constexpr qsizetype MaxSources = 1024;      // token buckets and log throttles
constexpr qsizetype MaxIncomingKept = 4096; // messages remembered for duplicates and acks
constexpr qsizetype MaxOutgoing = 1024;     // our packets waiting for RECVMSG
// From here on pendingWriteBytes() says "full" for everyone: a long message's parts still fit.
constexpr qsizetype OutgoingHighWater = MaxOutgoing - 64;
// What iptux reads of a datagram (IPMsg for Windows reads more): longer texts go in parts.
constexpr qsizetype IptuxMaxDatagram = 8192;
// Per source (address and port): a burst, then a steady rate. iptux sends one packet a second
// per message it retries; an entry storm on a big LAN is one packet per user.
constexpr double BucketBurst = 40;
constexpr double BucketRefillPerSecond = 20;
constexpr double AllBurst = 2000;
constexpr double AllRefillPerSecond = 1000;
constexpr qint64 SourceIdleMs = 10'000; // a source's bucket is full again by then: forgettable
// A message number seen again from a user within this is a resend of the same message (iptux
// resends for 3 s, IP Messenger for Windows for 4.5 s, FeiQ for 5 s); later it is a new one (a
// client restarted without our hearing its BR_ENTRY counts from 1 again).
constexpr qint64 DuplicateWindowMs = 60'000;
// The subnets this host is on are read again at most this often (and on announce()).
constexpr qint64 SubnetsMaxAgeMs = 10'000;
constexpr int DatagramsPerWakeUp = 256; // then the event loop runs (and we come back)
constexpr qint64 LogEveryMs = 60'000;
// A status text longer than this is left out of the nickname IPMsg users see.
constexpr qsizetype MaxStatusInNickname = 24;
// Where message UUIDs come from: UUIDv5 over this and (user, entry, packet number).
const QUuid MessageNamespace(u"{6f0c2d57-41a3-5a8e-9b1e-4c5d1b7e2a90}"_s);

// Rate limits and users go by address alone (as iptux keys its users): a host that sends from
// many ports is still one source and one user.
quint64 sourceKey(const QHostAddress &host)
{
    return host.toIPv4Address();
}

// At most `maxBytes` of UTF-8, never half a surrogate pair: a Chat as Shoal peers may send it.
QString cutToUtf8Bytes(const QString &text, qsizetype maxBytes)
{
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        const bool pair = QChar::isHighSurrogate(c) && i + 1 < text.size()
                          && text.at(i + 1).isLowSurrogate();
        const qsizetype n = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        if (bytes + n > maxBytes)
            return text.left(i);
        bytes += n;
        if (pair)
            ++i;
    }
    return text;
}

QString hostPort(const QHostAddress &host, quint16 port)
{
    return host.toString() + u':' + QString::number(port);
}

} // namespace

struct IpmsgTransport::Private
{
    struct UserState
    {
        User info;
        Protocol::Status status = Protocol::Status::Available;
        bool utf8Capable = false; // sent UTF8OPT or CAPUTF8OPT: our text may carry UTF8OPT
        bool dialup = false;      // broadcasts do not reach it (DIALUPOPT, or dialled): unicast too
        qint64 lastHeardMs = 0;
        // A run of that client: packet numbers restart with each. New when it enters after it
        // was offline, or enters with a number below the highest seen (a restarted iptux
        // counts from 1; a refresh, F5, goes on counting).
        quint64 generation = 0;
        quint32 maxPacketNo = 0;
    };
    struct Incoming
    {
        QString peerId;
        quint32 packetNo = 0;
        bool needsAck = false; // SENDCHECKOPT: RECVMSG when the Inbox acknowledges
        bool acked = false;
        qint64 firstMs = 0; // when its first copy arrived (DuplicateWindowMs)
        QString recentKey;  // its key in `recent`
    };
    struct Outgoing
    {
        QString peerId;
        quint32 packetNo = 0;
        QUuid chatId; // null for a file offer
        QByteArray datagram;
        int sends = 0;
        qint64 dueMs = 0;
    };
    struct Attempt
    {
        QString peerId;
        qint64 deadlineMs = 0;
    };
    struct Source
    {
        TokenBucket bucket{BucketBurst, BucketRefillPerSecond, 1000};
        qint64 loggedMs = -LogEveryMs;
    };

    IpmsgTransport *q;
    IpmsgConfig config;
    QUdpSocket *socket = nullptr;
    QString error;
    QElapsedTimer clock;
    quint32 nextPacketNo = 0;
    quint64 nextEpoch = 0;

    QString selfName;
    Protocol::Status selfStatus = Protocol::Status::Available;
    QString selfStatusText;

    QHash<QString, UserState> users;
    QHash<quint32, QString> userAt; // IPv4 address -> the user there (one per address)
    // The IPv4 subnets of this host's interfaces (address, prefix length): packets from
    // elsewhere are dropped unless we dialled that address (no reflection off the LAN).
    QList<QPair<QHostAddress, int>> subnets;
    qint64 subnetsReadMs = -SubnetsMaxAgeMs;
    QSet<quint32> dialled; // addresses connectToPeer sent to (bounded by MaxUsers)
    qint64 offLinkLoggedMs = -LogEveryMs;
    QHash<QString, QUuid> recent; // "user:generation:packet number" -> its message
    QSet<QString> paused;         // users whose new messages are not taken (setReadingPaused)
    QHash<quint64, Source> sources;
    TokenBucket allSources{AllBurst, AllRefillPerSecond, 1000};
    qint64 allLogged = -LogEveryMs;
    qint64 prunedMs = -1000;
    qint64 tableFullLoggedMs = -LogEveryMs;
    QHash<QUuid, Incoming> incoming; // with `recent`, bounded by MaxIncomingKept
    QQueue<QUuid> incomingOrder;
    QList<Outgoing> outgoing;
    QTimer resendTimer;
    QHash<int, Attempt> attempts;
    int nextAttempt = 1;
    QTimer attemptTimer;

    explicit Private(IpmsgTransport *owner, IpmsgConfig c)
        : q(owner)
        , config(std::move(c))
    {
        clock.start();
        nextPacketNo = quint32(QDateTime::currentSecsSinceEpoch());
        nextEpoch = quint64(QDateTime::currentMSecsSinceEpoch());
        selfName = config.userName.isEmpty() ? u"shoal"_s : config.userName;
        resendTimer.setSingleShot(true);
        attemptTimer.setSingleShot(true);
    }

    qint64 nowMs() const { return clock.elapsed(); }
    // Never the same twice, in this run or the next (it is part of message UUIDs): the wall
    // clock in ms, or one more than the last.
    quint64 takeEpoch()
    {
        nextEpoch = std::max(nextEpoch, quint64(QDateTime::currentMSecsSinceEpoch()));
        return nextEpoch++;
    }
    quint32 takePacketNo() { return nextPacketNo++; }
    quint16 boundPort() const { return socket ? socket->localPort() : config.port; }

    // --- Sending ---

    QByteArray makeDatagram(quint32 packetNo,
                            quint32 command,
                            const QList<QByteArray> &extra,
                            Ipmsg::Encoding encoding) const
    {
        Ipmsg::Packet p;
        p.version = Ipmsg::shoalVersion();
        p.packetNo = packetNo;
        const QString user = config.userName.isEmpty() ? u"shoal"_s : config.userName;
        const QString host = config.hostName.isEmpty() ? QSysInfo::machineHostName()
                                                       : config.hostName;
        p.user = Ipmsg::encodeText(user, encoding);
        p.host = Ipmsg::encodeText(host, encoding);
        p.command = command;
        p.extra = extra;
        return p.encode();
    }

    void write(const QByteArray &datagram, const QHostAddress &host, quint16 port)
    {
        if (!socket)
            return;
        if (socket->writeDatagram(datagram, host, port) < 0)
            qCDebug(lcIpmsg) << "could not send to" << hostPort(host, port) << ":"
                             << socket->errorString();
    }

    QList<QHostAddress> broadcastTargets() const
    {
        if (!config.broadcastTargets.isEmpty())
            return config.broadcastTargets;
        QList<QHostAddress> out;
        const auto interfaces = QNetworkInterface::allInterfaces();
        for (const QNetworkInterface &i : interfaces) {
            const auto flags = i.flags();
            if (!(flags & QNetworkInterface::IsUp) || !(flags & QNetworkInterface::CanBroadcast))
                continue;
            const auto entries = i.addressEntries();
            for (const QNetworkAddressEntry &e : entries) {
                if (e.ip().protocol() != QAbstractSocket::IPv4Protocol || e.broadcast().isNull())
                    continue;
                if (!out.contains(e.broadcast()))
                    out.append(e.broadcast());
            }
        }
        return out;
    }

    // The nickname IPMsg users see: our name, and our status when we are not available.
    QString nickname() const
    {
        QString name = selfName;
        if (selfStatus == Protocol::Status::Available)
            return name;
        const QString text = Protocol::singleLine(selfStatusText, MaxStatusInNickname);
        const bool withText = !text.isEmpty() && selfStatusText.size() <= MaxStatusInNickname;
        if (selfStatus == Protocol::Status::Away) {
            return withText ? IpmsgTransport::tr("%1 [Away: %2]").arg(name, text)
                            : IpmsgTransport::tr("%1 [Away]").arg(name);
        }
        return withText ? IpmsgTransport::tr("%1 [Busy: %2]").arg(name, text)
                        : IpmsgTransport::tr("%1 [Busy]").arg(name);
    }

    quint32 entryOptions() const
    {
        quint32 options = Ipmsg::FileAttachOpt;
        if (selfStatus != Protocol::Status::Available)
            options |= Ipmsg::AbsenceOpt;
        return options;
    }

    QList<QByteArray> entryExtra(Ipmsg::Encoding encoding) const
    {
        return {Ipmsg::encodeText(nickname(), encoding), Ipmsg::encodeText(u"Shoal"_s, encoding)};
    }

    // FeiQ: GBK always. A user that announced UTF-8: UTF-8 (with UTF8OPT). Anyone else: the
    // encoding its last non-ASCII text came in (UTF-8 unless it sent GBK), which is also what
    // iptux expects back: it holds one encoding per user (research §5).
    // User::encoding holds the choice (before FeiQ's rule), so that IpmsgFiles, which reads
    // it through user(), writes file names as we write text.
    static Ipmsg::Encoding encodingFor(const UserState &u)
    {
        return Ipmsg::replyEncoding(u.info.version, u.info.encoding);
    }
    // ASCII reads the same in both: only other text tells which encoding a user writes in.
    static void noteEncoding(UserState &u, const QByteArray &bytes, Ipmsg::Encoding encoding)
    {
        if (u.utf8Capable)
            u.info.encoding = Ipmsg::Encoding::Utf8;
        else if (std::any_of(bytes.cbegin(), bytes.cend(), [](char c) { return uchar(c) >= 0x80; }))
            u.info.encoding = encoding;
    }

    void broadcast(quint32 command, bool withEntryExtra)
    {
        const QByteArray datagram = makeDatagram(takePacketNo(),
                                                 command,
                                                 withEntryExtra ? entryExtra(Ipmsg::Encoding::Utf8)
                                                                : QList<QByteArray>{},
                                                 Ipmsg::Encoding::Utf8);
        const auto targets = broadcastTargets();
        for (const QHostAddress &t : targets)
            write(datagram, t, boundPort());
        const quint32 mode = Ipmsg::modeOf(command);
        if (mode != Ipmsg::BrEntry && mode != Ipmsg::BrAbsence)
            return;
        for (const UserState &u : std::as_const(users)) {
            if (u.info.online && u.dialup)
                sendToUser(u, command | Ipmsg::DialupOpt, entryExtra(encodingFor(u)));
        }
    }

    void sendToUser(const UserState &u, quint32 command, const QList<QByteArray> &extra)
    {
        write(makeDatagram(takePacketNo(), command, extra, encodingFor(u)),
              u.info.host,
              u.info.port);
    }

    void sendEntryTo(const UserState &u, quint32 mode)
    {
        sendToUser(u, mode | entryOptions(), entryExtra(encodingFor(u)));
    }

    void sendExitToAll()
    {
        if (!socket)
            return;
        broadcast(Ipmsg::BrExit, true);
        for (const UserState &u : std::as_const(users)) {
            if (u.info.online)
                sendToUser(u, Ipmsg::BrExit | Ipmsg::DialupOpt, entryExtra(encodingFor(u)));
        }
    }

    // A packet that waits for RECVMSG: sent now, again every second, SendsPerMessage in all.
    quint32 sendChecked(const UserState &u,
                        quint32 command,
                        const QList<QByteArray> &extra,
                        const QUuid &chatId)
    {
        if (outgoing.size() >= MaxOutgoing) {
            qCWarning(lcIpmsg) << "too many messages waiting for IP Messenger acknowledgements";
            return 0;
        }
        Outgoing o;
        o.peerId = u.info.peerId;
        o.packetNo = takePacketNo();
        o.chatId = chatId;
        o.datagram = makeDatagram(o.packetNo, command, extra, encodingFor(u));
        o.sends = 1;
        o.dueMs = nowMs() + ResendIntervalMs;
        write(o.datagram, u.info.host, u.info.port);
        outgoing.append(o);
        scheduleResend();
        return o.packetNo;
    }

    // A text cut into parts that each fit iptux's 8 KiB receive buffer (it would cut a longer
    // datagram silently), at a line break where one is near the end of a part.
    QStringList split(const QString &text, quint32 command, Ipmsg::Encoding encoding) const
    {
        const qsizetype overhead
            = makeDatagram(4'000'000'000u, command, {QByteArray()}, encoding).size();
        const qsizetype budget = std::max<qsizetype>(256, IptuxMaxDatagram - overhead - 16);
        QStringList parts;
        qsizetype from = 0;
        while (from < text.size() || parts.isEmpty()) {
            qsizetype end = std::min(text.size(), from + budget);
            for (;;) {
                if (end < text.size() && end > from + 1 && text.at(end - 1).isHighSurrogate())
                    --end;
                const qsizetype bytes
                    = Ipmsg::encodeText(text.mid(from, end - from), encoding).size();
                if (bytes <= budget)
                    break;
                end = from + std::max<qsizetype>(1, (end - from) * budget / bytes - 1);
            }
            if (end < text.size()) {
                const qsizetype newline = text.lastIndexOf(u'\n', end - 1);
                if (newline >= from + (end - from) * 4 / 5)
                    end = newline + 1;
            }
            parts.append(text.mid(from, end - from));
            from = end;
        }
        return parts;
    }

    void scheduleResend()
    {
        if (outgoing.isEmpty()) {
            resendTimer.stop();
            return;
        }
        qint64 due = std::numeric_limits<qint64>::max();
        for (const Outgoing &o : std::as_const(outgoing))
            due = std::min(due, o.dueMs);
        resendTimer.start(int(std::clamp<qint64>(due - nowMs(), 0, ResendIntervalMs)));
    }

    void onResendTimer()
    {
        const qint64 now = nowMs();
        QStringList gone;
        for (Outgoing &o : outgoing) {
            if (o.dueMs > now || gone.contains(o.peerId))
                continue;
            if (o.sends >= SendsPerMessage) {
                gone.append(o.peerId);
                continue;
            }
            const auto it = users.constFind(o.peerId);
            if (it == users.cend()) {
                o.dueMs = std::numeric_limits<qint64>::max(); // its user is gone: dropped below
                continue;
            }
            write(o.datagram, it->info.host, it->info.port);
            ++o.sends;
            o.dueMs = now + ResendIntervalMs;
        }
        outgoing.removeIf(
            [](const Outgoing &o) { return o.dueMs == std::numeric_limits<qint64>::max(); });
        for (const QString &id : std::as_const(gone))
            setOffline(id,
                       IpmsgTransport::tr("The IP Messenger user did not acknowledge a "
                                          "message; it is probably offline."));
        scheduleResend();
    }

    // --- Users ---

    UserState *findUser(const QString &peerId)
    {
        const auto it = users.find(peerId);
        return it == users.end() ? nullptr : &*it;
    }

    UserState *findUserAt(const QHostAddress &host)
    {
        const auto it = userAt.constFind(host.toIPv4Address());
        return it == userAt.cend() ? nullptr : findUser(*it);
    }

    // The user at this address (one per address, whatever its port: its ID and where we answer
    // come from the port it first used), made known if need be; null when the table is full.
    UserState *userFor(const QHostAddress &host, quint16 port)
    {
        if (UserState *u = findUserAt(host))
            return u;
        const QString id = Ipmsg::peerIdFor(host, port);
        if (users.size() >= MaxUsers) {
            // Room goes to the living: forget the user offline the longest.
            auto victim = users.end();
            for (auto it = users.begin(); it != users.end(); ++it) {
                if (!it->info.online
                    && (victim == users.end() || it->lastHeardMs < victim->lastHeardMs))
                    victim = it;
            }
            if (victim == users.end()) {
                if (nowMs() - tableFullLoggedMs >= LogEveryMs) {
                    tableFullLoggedMs = nowMs();
                    qCWarning(lcIpmsg).noquote()
                        << u"IP Messenger user table full (%1 users): ignoring %2"_s.arg(MaxUsers)
                               .arg(hostPort(host, port));
                }
                return nullptr;
            }
            userAt.remove(victim->info.host.toIPv4Address());
            paused.remove(victim->info.peerId);
            users.erase(victim);
        }
        UserState u;
        u.info.peerId = id;
        u.info.host = host;
        u.info.port = port;
        userAt.insert(host.toIPv4Address(), id);
        return &*users.insert(id, u);
    }

    Protocol::Hello helloOf(const UserState &u) const
    {
        Protocol::Hello h;
        h.peerId = u.info.peerId;
        h.name = displayName(u);
        h.port = u.info.port;
        h.status = u.status;
        return h;
    }

    static QString displayName(const UserState &u)
    {
        if (!u.info.nickname.isEmpty())
            return u.info.nickname;
        if (!u.info.userName.isEmpty())
            return u.info.userName;
        return u.info.host.toString();
    }

    void setOnline(UserState &u)
    {
        if (u.info.online)
            return;
        u.info.online = true;
        const UserState copy = u; // the slots may change the table
        Q_EMIT q->peerConnected(copy.info.peerId,
                                helloOf(copy),
                                hostPort(copy.info.host, copy.info.port),
                                QSslCertificate());
    }

    void setOffline(const QString &peerId, const QString &reason)
    {
        outgoing.erase(std::remove_if(outgoing.begin(),
                                      outgoing.end(),
                                      [&](const Outgoing &o) { return o.peerId == peerId; }),
                       outgoing.end());
        scheduleResend();
        UserState *u = findUser(peerId);
        if (!u || !u->info.online)
            return;
        u->info.online = false;
        qCInfo(lcIpmsg).noquote() << "IP Messenger user" << hostPort(u->info.host, u->info.port)
                                  << "offline:" << reason;
        Q_EMIT q->peerDisconnected(peerId, reason);
    }

    // The header's names and the entry fields (nickname, group) of an entry packet.
    void takeNames(UserState &u, const Ipmsg::Packet &p, bool entry)
    {
        const bool utf8 = p.options() & Ipmsg::Utf8Opt;
        u.info.version = p.version.left(128);
        u.info.userName = Protocol::singleLine(Ipmsg::decodeText(p.user, utf8).text,
                                               Ipmsg::MaxNameLength);
        u.info.hostName = Protocol::singleLine(Ipmsg::decodeText(p.host, utf8).text,
                                               Ipmsg::MaxNameLength);
        if (p.options() & (Ipmsg::Utf8Opt | Ipmsg::CapUtf8Opt)) {
            u.utf8Capable = true;
            u.info.encoding = Ipmsg::Encoding::Utf8;
        }
        if (!entry)
            return;
        if (p.options() & Ipmsg::DialupOpt)
            u.dialup = true;
        const Ipmsg::Decoded nick = Ipmsg::decodeText(p.field(0), utf8);
        noteEncoding(u, p.field(0), nick.encoding);
        QString nickname = nick.text;
        QString group = Ipmsg::decodeText(p.field(1), utf8).text;
        // IP Messenger for Windows: after the group, "\nUN:user\nHN:host\nNN:nick\nGN:group"
        // in UTF-8, which wins over the legacy fields (research §3).
        const QByteArray ext = p.field(2);
        if (ext.startsWith('\n')) {
            const auto lines = ext.split('\n');
            for (const QByteArray &line : lines) {
                if (line.startsWith("NN:"))
                    nickname = QString::fromUtf8(line.mid(3));
                else if (line.startsWith("GN:"))
                    group = QString::fromUtf8(line.mid(3));
            }
        }
        u.info.nickname = Protocol::singleLine(nickname, Ipmsg::MaxNameLength);
        u.info.group = Protocol::singleLine(group, Ipmsg::MaxNameLength);
        // iptux sets ABSENCEOPT on every entry packet and means nothing by it.
        const bool absent = (p.options() & Ipmsg::AbsenceOpt) && !p.version.startsWith("1_iptux");
        u.status = absent ? Protocol::Status::Away : Protocol::Status::Available;
    }

    // BR_ENTRY, ANSENTRY, BR_ABSENCE: the user is online, with these names and status. A
    // BR_ENTRY is answered first, so that what the signals make us send comes after it.
    void onEntry(UserState &u, const Ipmsg::Packet &p)
    {
        const QString id = u.info.peerId;
        const QString oldName = displayName(u);
        const Protocol::Status oldStatus = u.status;
        takeNames(u, p, true);
        if (p.mode() == Ipmsg::BrEntry) {
            if (!u.info.online || p.packetNo < u.maxPacketNo) {
                u.generation = takeEpoch(); // a new run of that client
                u.maxPacketNo = 0;
            }
            sendEntryTo(u, Ipmsg::AnsEntry);
        }
        u.maxPacketNo = std::max(u.maxPacketNo, p.packetNo);
        if (!u.info.online) {
            setOnline(u);
        } else if (displayName(u) != oldName || u.status != oldStatus) {
            Protocol::Presence presence;
            presence.name = displayName(u);
            presence.status = u.status;
            Q_EMIT q->messageReceived(id, presence, StreamKind::Chat);
        }
        finishAttemptsFor(id);
    }

    void finishAttemptsFor(const QString &peerId)
    {
        QList<int> done;
        for (auto it = attempts.cbegin(); it != attempts.cend(); ++it) {
            if (it->peerId == peerId)
                done.append(it.key());
        }
        std::sort(done.begin(), done.end());
        if (UserState *u = findUser(peerId); u && !done.isEmpty())
            u->dialup = true; // reached by address: maybe not by our broadcasts
        for (int a : std::as_const(done)) {
            attempts.remove(a);
            Q_EMIT q->attemptFinished(a, peerId, Net::Error::None, QString());
        }
        if (attempts.isEmpty())
            attemptTimer.stop();
    }

    void scheduleAttempts()
    {
        if (attempts.isEmpty()) {
            attemptTimer.stop();
            return;
        }
        qint64 due = std::numeric_limits<qint64>::max();
        for (const Attempt &a : std::as_const(attempts))
            due = std::min(due, a.deadlineMs);
        attemptTimer.start(int(std::clamp<qint64>(due - nowMs(), 0, DialTimeoutMs)));
    }

    void onAttemptTimer()
    {
        const qint64 now = nowMs();
        QList<int> late;
        for (auto it = attempts.cbegin(); it != attempts.cend(); ++it) {
            if (it->deadlineMs <= now)
                late.append(it.key());
        }
        std::sort(late.begin(), late.end());
        for (int a : std::as_const(late)) {
            attempts.remove(a);
            Q_EMIT q->attemptFinished(a,
                                      QString(),
                                      Net::Error::Timeout,
                                      IpmsgTransport::tr(
                                          "No IP Messenger user answered at that address."));
        }
        scheduleAttempts();
    }

    // --- Receiving ---

    void remember(const QUuid &id, const Incoming &in)
    {
        while (incoming.size() >= MaxIncomingKept && !incomingOrder.isEmpty()) {
            const QUuid old = incomingOrder.dequeue();
            const auto it = incoming.constFind(old);
            if (it != incoming.cend()) {
                if (recent.value(it->recentKey) == old)
                    recent.remove(it->recentKey);
                incoming.erase(it);
            }
        }
        incoming.insert(id, in);
        incomingOrder.enqueue(id);
        recent.insert(in.recentKey, id);
    }

    void sendRecvMsg(const UserState &u, quint32 packetNo)
    {
        sendToUser(u, Ipmsg::RecvMsg, {QByteArray::number(packetNo)});
    }

    void onSendMsg(UserState &u, const Ipmsg::Packet &p)
    {
        const quint32 opts = p.options();
        const bool iptuxGroup = p.mode() == Ipmsg::IptuxSendMsg;
        const bool needsAck = !iptuxGroup && (opts & Ipmsg::SendCheckOpt)
                              && !(opts & (Ipmsg::BroadcastOpt | Ipmsg::AutoRetOpt));
        if (!iptuxGroup && (opts & Ipmsg::EncryptOpt)) {
            // We never announce a key, so nobody should encrypt to us.
            qCInfo(lcIpmsg).noquote()
                << "encrypted IP Messenger message from" << hostPort(u.info.host, u.info.port)
                << "dropped (not supported)";
            return;
        }
        takeNames(u, p, false);
        setOnline(u);
        UserState *live = findUser(u.info.peerId); // setOnline's slots may have changed the table
        if (!live)
            return;

        // The same number from the same user within DuplicateWindowMs is a resend of one
        // message; later (a restarted client counts from 1 again), a new message.
        const qint64 now = nowMs();
        live->maxPacketNo = std::max(live->maxPacketNo, p.packetNo);
        const QString key = live->info.peerId + u':' + QString::number(live->generation) + u':'
                            + QString::number(p.packetNo);
        if (const QUuid known = recent.value(key); !known.isNull()) {
            const auto seen = incoming.constFind(known);
            if (seen != incoming.cend() && now - seen->firstMs < DuplicateWindowMs) {
                // A resend: our RECVMSG was lost, or the Inbox has not stored it yet.
                if (seen->needsAck && seen->acked)
                    sendRecvMsg(*live, p.packetNo);
                return;
            }
        }
        if (paused.contains(live->info.peerId))
            return; // not taken, not acknowledged: the sender tries again
        // Unique in this run and the next: the wall clock's milliseconds (takeEpoch).
        const QUuid id = QUuid::createUuidV5(MessageNamespace,
                                             live->info.peerId + u':' + QString::number(takeEpoch())
                                                 + u':' + QString::number(p.packetNo));

        const Ipmsg::Decoded text = Ipmsg::decodeText(p.field(0), opts & Ipmsg::Utf8Opt);
        noteEncoding(*live, p.field(0), text.encoding);
        QList<Ipmsg::FileEntry> files;
        if (!iptuxGroup && (opts & Ipmsg::FileAttachOpt)) {
            QString error;
            const auto decoded = Ipmsg::decodeFileList(p.field(1), &error);
            if (decoded)
                files = *decoded;
            else
                qCInfo(lcIpmsg).noquote()
                    << "bad file list from" << hostPort(live->info.host, live->info.port) << ":"
                    << error;
        }
        const QString chatText = cutToUtf8Bytes(text.text.left(Ipmsg::MaxTextLength),
                                                Protocol::MaxTextBytes);
        const bool asChat = !chatText.isEmpty();
        Incoming in;
        in.peerId = live->info.peerId;
        in.packetNo = p.packetNo;
        in.needsAck = needsAck;
        in.acked = !asChat; // nothing for the Inbox to store: acknowledged below, at once
        in.firstMs = now;
        in.recentKey = key;
        remember(id, in);
        const UserState user = *live;
        if (needsAck && !asChat)
            sendRecvMsg(user, p.packetNo);
        if (!files.isEmpty())
            Q_EMIT q->filesOffered(user.info.peerId, p.packetNo, files);
        if (asChat) {
            const QDateTime now = QDateTime::currentDateTimeUtc();
            Q_EMIT q->messageReceived(user.info.peerId,
                                      Protocol::Chat(id, now, chatText),
                                      StreamKind::Chat);
        }
    }

    void onRecvMsg(const UserState &u, const Ipmsg::Packet &p)
    {
        bool ok = false;
        const quint32 packetNo = p.field(0).trimmed().toUInt(&ok);
        if (!ok)
            return;
        for (auto it = outgoing.begin(); it != outgoing.end(); ++it) {
            if (it->peerId == u.info.peerId && it->packetNo == packetNo) {
                const QUuid chatId = it->chatId;
                const bool wasFull = outgoing.size() >= OutgoingHighWater;
                outgoing.erase(it);
                scheduleResend();
                // Room again: what waits in the Outbox goes on (for everyone, if the table had
                // closed the window for all).
                const QString ackedBy = u.info.peerId;
                if (wasFull) {
                    for (const UserState &each : std::as_const(users)) {
                        if (each.info.online)
                            Q_EMIT q->peerWritable(each.info.peerId, StreamKind::Chat);
                    }
                } else {
                    Q_EMIT q->peerWritable(ackedBy, StreamKind::Chat);
                }
                const bool morePending
                    = std::any_of(outgoing.cbegin(), outgoing.cend(), [&](const Outgoing &o) {
                          return o.peerId == u.info.peerId && o.chatId == chatId;
                      });
                if (!chatId.isNull() && !morePending) { // every part of a long one arrived
                    Q_EMIT q->messageReceived(ackedBy, Protocol::Ack{chatId}, StreamKind::Chat);
                }
                return;
            }
        }
    }

    bool admit(const QHostAddress &host, quint16 port)
    {
        const qint64 now = nowMs();
        const quint64 key = sourceKey(host);
        auto it = sources.find(key);
        if (it == sources.end()) {
            if (sources.size() >= MaxSources && now - prunedMs >= 1000) {
                prunedMs = now;
                sources.removeIf([now](const auto &s) {
                    return now - s.value().bucket.lastUsedMs() > SourceIdleMs;
                });
            }
            if (sources.size() >= MaxSources) {
                logOnce(allLogged,
                        u"too many IP Messenger sources at once: %1 dropped"_s.arg(
                            hostPort(host, port)));
                return false;
            }
            it = sources.insert(key, Source{});
        }
        if (!it->bucket.tryTake(now)) {
            logOnce(*it,
                    u"too many IP Messenger packets from %1: dropped"_s.arg(hostPort(host, port)));
            return false;
        }
        // Then everything together: many sources (or forged ones) get no more than this; one
        // source's excess never takes the others' share (it was dropped above).
        if (!allSources.tryTake(now)) {
            logOnce(allLogged, u"too many IP Messenger packets: dropped"_s);
            return false;
        }
        return true;
    }

    // Whether a packet from `host` is taken at all: from this host's own subnets (what a LAN
    // broadcast reaches), loopback, or an address we dialled. Anything else could be forged
    // from afar to make us answer someone else (reflection).
    bool acceptable(const QHostAddress &host)
    {
        if (host.isLoopback() || dialled.contains(host.toIPv4Address()))
            return true;
        const qint64 now = nowMs();
        if (now - subnetsReadMs >= SubnetsMaxAgeMs)
            readSubnets();
        for (const auto &subnet : std::as_const(subnets)) {
            if (host.isInSubnet(subnet.first, subnet.second))
                return true;
        }
        if (now - offLinkLoggedMs >= LogEveryMs) {
            offLinkLoggedMs = now;
            qCInfo(lcIpmsg).noquote() << "IP Messenger packet from" << host.toString()
                                      << "dropped: not on this host's networks";
        }
        return false;
    }

    void readSubnets()
    {
        subnetsReadMs = nowMs();
        subnets.clear();
        const auto interfaces = QNetworkInterface::allInterfaces();
        for (const QNetworkInterface &i : interfaces) {
            if (!(i.flags() & QNetworkInterface::IsUp))
                continue;
            const auto entries = i.addressEntries();
            for (const QNetworkAddressEntry &e : entries) {
                if (e.ip().protocol() == QAbstractSocket::IPv4Protocol && e.prefixLength() >= 0)
                    subnets.append(qMakePair(e.ip(), e.prefixLength()));
            }
        }
    }

    void logOnce(Source &s, const QString &line) { logOnce(s.loggedMs, line); }
    void logOnce(qint64 &loggedMs, const QString &line)
    {
        if (nowMs() - loggedMs < LogEveryMs)
            return;
        loggedMs = nowMs();
        qCInfo(lcIpmsg).noquote() << line;
    }

    void onReadyRead()
    {
        for (int n = 0; socket && socket->hasPendingDatagrams(); ++n) {
            if (n == DatagramsPerWakeUp) {
                QTimer::singleShot(0, q, [this] { onReadyRead(); });
                return;
            }
            const QNetworkDatagram d = socket->receiveDatagram(Ipmsg::MaxDatagramSize + 1);
            if (!d.isValid())
                continue;
            bool isV4 = false;
            const QHostAddress host(d.senderAddress().toIPv4Address(&isV4));
            const quint16 port = quint16(d.senderPort());
            if (!isV4 || port == 0 || !acceptable(host))
                continue;
            if (!admit(host, port))
                continue;
            QString error;
            std::optional<Ipmsg::Packet> p;
            if (d.data().size() > Ipmsg::MaxDatagramSize)
                error = u"datagram too long"_s;
            else
                p = Ipmsg::Packet::decode(d.data(), &error);
            if (!p) {
                logOnce(sources[sourceKey(host)],
                        u"malformed IP Messenger packet from %1 dropped: %2"_s.arg(hostPort(host,
                                                                                            port),
                                                                                   error));
                continue;
            }
            if (Ipmsg::isShoalVersion(p->version))
                continue; // ourselves, or another Shoal: Shoals meet over TLS only
            handle(host, port, *p);
        }
    }

    void handle(const QHostAddress &host, quint16 port, const Ipmsg::Packet &p)
    {
        const quint32 mode = p.mode();
        const bool creates = mode == Ipmsg::BrEntry || mode == Ipmsg::AnsEntry
                             || mode == Ipmsg::BrAbsence || mode == Ipmsg::SendMsg
                             || mode == Ipmsg::IptuxSendMsg;
        UserState *u = creates ? userFor(host, port) : findUserAt(host);
        if (!u)
            return;
        u->lastHeardMs = nowMs();
        const QString id = u->info.peerId;
        switch (mode) {
        case Ipmsg::BrEntry:
        case Ipmsg::AnsEntry:
        case Ipmsg::BrAbsence:
            onEntry(*u, p);
            break;
        case Ipmsg::BrExit:
            setOffline(id, IpmsgTransport::tr("The IP Messenger user quit."));
            break;
        case Ipmsg::SendMsg:
        case Ipmsg::IptuxSendMsg:
            onSendMsg(*u, p);
            break;
        case Ipmsg::RecvMsg:
            onRecvMsg(*u, p);
            break;
        case Ipmsg::ReleaseFiles: {
            bool ok = false;
            const quint32 packetNo = p.field(0).trimmed().toUInt(&ok);
            if (ok)
                Q_EMIT q->filesReleased(id, packetNo);
            break;
        }
        default:
            qCDebug(lcIpmsg) << "IP Messenger command" << Qt::hex << p.command << "from"
                             << hostPort(host, port) << "ignored";
            break;
        }
    }
};

IpmsgTransport::IpmsgTransport(IpmsgConfig config, QObject *parent)
    : Transport(parent)
    , d(std::make_unique<Private>(this, std::move(config)))
{
    connect(&d->resendTimer, &QTimer::timeout, this, [this] { d->onResendTimer(); });
    connect(&d->attemptTimer, &QTimer::timeout, this, [this] { d->onAttemptTimer(); });
}

IpmsgTransport::~IpmsgTransport()
{
    d->sendExitToAll();
}

bool IpmsgTransport::start()
{
    if (d->socket)
        return true;
    if (NetworkSafety::loopbackOnly()) {
        d->error = tr("IP Messenger is off: SHOAL_LOOPBACK_ONLY is set, and IP Messenger "
                      "traffic must not leave this host.");
        Q_EMIT runningChanged(false, d->error);
        return false;
    }
    bool isV4 = false;
    const QHostAddress bindTo(d->config.bindAddress.toIPv4Address(&isV4));
    auto *socket = new QUdpSocket(this);
    // No address sharing: a second program on the port must make this fail, not split the
    // datagrams between the two.
    if (!isV4 || !socket->bind(bindTo, d->config.port, QAbstractSocket::DontShareAddress)) {
        qCWarning(lcIpmsg) << "cannot bind UDP port" << d->config.port << ":"
                           << socket->errorString();
        delete socket;
        d->error = tr("Port %1 is in use by another program (another IP Messenger, or a second "
                      "Shoal): IP Messenger users will not see you.")
                       .arg(d->config.port);
        Q_EMIT runningChanged(false, d->error);
        return false;
    }
    d->socket = socket;
    d->error.clear();
    connect(socket, &QUdpSocket::readyRead, this, [this] { d->onReadyRead(); });
    qCInfo(lcIpmsg) << "IP Messenger on UDP port" << socket->localPort();
    Q_EMIT runningChanged(true, QString());
    d->broadcast(Ipmsg::BrEntry | d->entryOptions(), true);
    return true;
}

void IpmsgTransport::stop()
{
    if (!d->socket)
        return;
    d->sendExitToAll();
    const QStringList online = [this] {
        QStringList ids;
        for (const auto &u : std::as_const(d->users)) {
            if (u.info.online)
                ids.append(u.info.peerId);
        }
        return ids;
    }();
    delete d->socket;
    d->socket = nullptr;
    for (const QString &id : online)
        d->setOffline(id, tr("IP Messenger was turned off."));
    d->outgoing.clear();
    d->resendTimer.stop();
    Q_EMIT runningChanged(false, QString());
}

QString IpmsgTransport::errorString() const
{
    return d->error;
}

bool IpmsgTransport::isRunning() const
{
    return d->socket != nullptr;
}

quint16 IpmsgTransport::port() const
{
    return d->boundPort();
}

void IpmsgTransport::setSelf(const QString &name, Protocol::Status status, const QString &statusText)
{
    const QString oldNick = d->nickname();
    const auto oldOptions = d->entryOptions();
    d->selfName = name.isEmpty() ? (d->config.userName.isEmpty() ? u"shoal"_s : d->config.userName)
                                 : name;
    d->selfStatus = status;
    d->selfStatusText = statusText;
    if (d->socket && (d->nickname() != oldNick || d->entryOptions() != oldOptions))
        d->broadcast(Ipmsg::BrAbsence | d->entryOptions(), true);
}

void IpmsgTransport::announce()
{
    d->subnetsReadMs = -SubnetsMaxAgeMs; // the network changed: its subnets too
    if (d->socket)
        d->broadcast(Ipmsg::BrEntry | d->entryOptions(), true);
}

bool IpmsgTransport::owns(const QString &peerId) const
{
    return d->users.contains(peerId);
}

std::optional<IpmsgTransport::User> IpmsgTransport::user(const QString &peerId) const
{
    const auto it = d->users.constFind(peerId);
    if (it == d->users.cend())
        return std::nullopt;
    return it->info;
}

int IpmsgTransport::connectToPeer(const QString &host,
                                  quint16 port,
                                  const QString &expectedPeerId,
                                  StreamKind kind)
{
    if (kind != StreamKind::Chat)
        return 0;
    const int attempt = d->nextAttempt++;
    bool isV4 = false;
    const QHostAddress parsed(host);
    const QHostAddress address(parsed.toIPv4Address(&isV4));
    auto finish = [this, attempt](const QString &peerId, Net::Error error, const QString &reason) {
        QTimer::singleShot(0, this, [this, attempt, peerId, error, reason] {
            Q_EMIT attemptFinished(attempt, peerId, error, reason);
        });
        return attempt;
    };
    if (!isV4 || port == 0)
        return finish({}, Net::Error::HostNotFound, tr("Not an IPv4 address: %1").arg(host));
    const QString id = Ipmsg::peerIdFor(address, port);
    if (!expectedPeerId.isEmpty() && expectedPeerId != id)
        return finish({},
                      Net::Error::IdentityMismatch,
                      tr("%1 is not where that IP Messenger user was.").arg(hostPort(address, port)));
    if (!d->socket)
        return finish({}, Net::Error::Unreachable, tr("IP Messenger is not running."));
    if (NetworkSafety::loopbackOnly() && !NetworkSafety::isLoopback(address))
        return finish({}, Net::Error::Unreachable, tr("Only loopback addresses may be dialled."));
    if (const Private::UserState *u = d->findUser(id); u && u->info.online)
        return finish(id, Net::Error::None, QString());

    // Its answer is taken even from beyond this host's subnets (Private::acceptable).
    if (d->dialled.size() < MaxUsers)
        d->dialled.insert(address.toIPv4Address());
    d->attempts.insert(attempt, Private::Attempt{id, d->nowMs() + DialTimeoutMs});
    d->scheduleAttempts();
    Private::UserState target;
    target.info.host = address;
    target.info.port = port;
    if (const Private::UserState *u = d->findUser(id))
        target = *u;
    d->sendEntryTo(target, Ipmsg::BrEntry | Ipmsg::DialupOpt);
    return attempt;
}

void IpmsgTransport::setReadingPaused(const QString &peerId, bool paused, StreamKind kind)
{
    if (kind != StreamKind::Chat)
        return;
    if (paused)
        d->paused.insert(peerId);
    else
        d->paused.remove(peerId);
}

qint64 IpmsgTransport::pendingWriteBytes(const QString &peerId, StreamKind kind) const
{
    if (kind != StreamKind::Chat)
        return 0;
    if (d->outgoing.size() >= OutgoingHighWater)
        return std::numeric_limits<qint32>::max();
    qint64 bytes = 0;
    for (const Private::Outgoing &o : std::as_const(d->outgoing)) {
        if (o.peerId == peerId)
            bytes += o.datagram.size();
    }
    return bytes;
}

bool IpmsgTransport::isConnected(const QString &peerId, StreamKind kind) const
{
    if (kind != StreamKind::Chat)
        return false;
    const auto it = d->users.constFind(peerId);
    return it != d->users.cend() && it->info.online && d->socket;
}

bool IpmsgTransport::send(const QString &peerId, const Protocol::Message &message, StreamKind kind)
{
    if (const auto *ack = std::get_if<Protocol::Ack>(&message)) {
        // Also to a user taken for offline since: its resends would be answered from the
        // duplicates' table only once this is sent, and it would report our stored message
        // as lost.
        Private::UserState *u = kind == StreamKind::Chat && d->socket ? d->findUser(peerId)
                                                                      : nullptr;
        if (!u)
            return false;
        const auto it = d->incoming.find(ack->id);
        if (it != d->incoming.end() && it->peerId == peerId) {
            if (it->needsAck)
                d->sendRecvMsg(*u, it->packetNo);
            it->acked = true;
        }
        return true;
    }
    if (!isConnected(peerId, kind))
        return false;
    Private::UserState &u = *d->findUser(peerId);
    if (const auto *chat = std::get_if<Protocol::Chat>(&message)) {
        for (const Private::Outgoing &o : std::as_const(d->outgoing)) {
            if (o.peerId == peerId && o.chatId == chat->id)
                return true; // already on its way, with its retries
        }
        const Ipmsg::Encoding encoding = d->encodingFor(u);
        quint32 command = Ipmsg::SendMsg | Ipmsg::SendCheckOpt;
        if (encoding == Ipmsg::Encoding::Utf8 && u.utf8Capable)
            command |= Ipmsg::Utf8Opt;
        const QStringList parts = d->split(chat->text, command, encoding);
        if (d->outgoing.size() + parts.size() > MaxOutgoing) {
            qCWarning(lcIpmsg) << "too many messages waiting for IP Messenger acknowledgements";
            return false;
        }
        for (const QString &part : parts) {
            if (d->sendChecked(u, command, {Ipmsg::encodeText(part, encoding)}, chat->id) == 0)
                return false;
        }
        return true;
    }
    if (const auto *presence = std::get_if<Protocol::Presence>(&message)) {
        d->selfName = presence->name.isEmpty() ? d->selfName : presence->name;
        d->selfStatus = presence->status;
        d->selfStatusText = presence->statusText;
        d->sendEntryTo(u, Ipmsg::BrAbsence);
        return true;
    }
    qCDebug(lcIpmsg).noquote() << "not for IP Messenger users, dropped:"
                               << Protocol::toString(message);
    return true;
}

QHostAddress IpmsgTransport::remoteHost(const QString &peerId) const
{
    const auto it = d->users.constFind(peerId);
    if (it == d->users.cend() || !it->info.online)
        return QHostAddress();
    return it->info.host;
}

quint32 IpmsgTransport::sendFileOffer(const QString &peerId,
                                      const QString &text,
                                      const QList<Ipmsg::FileEntry> &files)
{
    Private::UserState *u = d->findUser(peerId);
    if (!u || !d->socket)
        return 0;
    const Ipmsg::Encoding encoding = d->encodingFor(*u);
    quint32 command = Ipmsg::SendMsg | Ipmsg::SendCheckOpt | Ipmsg::FileAttachOpt;
    if (encoding == Ipmsg::Encoding::Utf8 && u->utf8Capable)
        command |= Ipmsg::Utf8Opt;
    return d->sendChecked(*u,
                          command,
                          {Ipmsg::encodeText(text, encoding), Ipmsg::encodeFileList(files)},
                          QUuid());
}

void IpmsgTransport::releaseFiles(const QString &peerId, quint32 packetNo)
{
    const Private::UserState *u = d->findUser(peerId);
    if (!u || !d->socket)
        return;
    d->sendToUser(*u, Ipmsg::ReleaseFiles, {QByteArray::number(packetNo)});
}
