// SPDX-License-Identifier: GPL-3.0-or-later
#include "networkmonitor.h"

#include <QLoggingCategory>
#include <QNetworkInformation>
#include <QNetworkInterface>
#include <QSocketNotifier>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace {

qint64 clockMs(clockid_t id)
{
    timespec ts{};
    clock_gettime(id, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

QString listAddresses(const QList<QHostAddress> &addresses)
{
    QStringList out;
    for (const QHostAddress &a : addresses)
        out.append(a.toString());
    return out.join(u' ');
}

} // namespace

QString NetworkChange::toString() const
{
    return u"added [%1] removed [%2] up [%3] down [%4]%5"_s.arg(listAddresses(added),
                                                                listAddresses(removed),
                                                                up.join(u' '),
                                                                down.join(u' '),
                                                                resumed ? u" resumed"_s : QString());
}

NetworkMonitor::NetworkMonitor(QObject *parent)
    : QObject(parent)
    , m_boottime([] { return clockMs(CLOCK_BOOTTIME); })
    , m_monotonic([] { return clockMs(CLOCK_MONOTONIC); })
{
    qRegisterMetaType<NetworkChange>();
    // From the first kernel event of a burst, not the last: a flapping link is still
    // reported within DebounceMs.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &NetworkMonitor::checkNow);
    // Once a half minute, a subtraction: the only timer that runs while nothing happens.
    m_resumeCheck.setTimerType(Qt::VeryCoarseTimer);
    m_resumeCheck.setInterval(ResumeCheckMs);
    connect(&m_resumeCheck, &QTimer::timeout, this, &NetworkMonitor::checkResume);
}

NetworkMonitor::~NetworkMonitor()
{
    stop();
}

void NetworkMonitor::setClocks(Clock boottime, Clock monotonic)
{
    m_boottime = std::move(boottime);
    m_monotonic = std::move(monotonic);
    m_sleptMs = m_boottime() - m_monotonic();
}

bool NetworkMonitor::start(QString *error)
{
    if (m_running)
        return true;
    m_running = true;
    m_snapshot = takeSnapshot();
    m_sleptMs = m_boottime() - m_monotonic();
    m_resumeCheck.start();

    // Where a backend loads (NetworkManager over the system bus), it also says when the
    // network comes or goes; absent in containers and tests: fine. Loading it takes longer
    // than the rest of start-up: once the event loop runs (as DiscoveryService does).
    m_information = new QObject(this);
    QTimer::singleShot(0, m_information, [this] {
        if (!QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)
            || !QNetworkInformation::instance())
            return;
        connect(QNetworkInformation::instance(),
                &QNetworkInformation::reachabilityChanged,
                m_information,
                [this] { scheduleCheck(); });
    });

    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
        const QString reason = QString::fromLocal8Bit(std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
        qCWarning(lcNet) << "cannot watch the network (rtnetlink):" << reason;
        if (error)
            *error = tr("Shoal cannot watch this computer's network for changes (%1); after "
                        "a new address or Wi-Fi network, peers may take up to a minute to "
                        "reconnect.")
                         .arg(reason);
        return false;
    }
    m_netlink = fd;
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &NetworkMonitor::onNetlinkReadable);
    return true;
}

void NetworkMonitor::stop()
{
    m_running = false;
    m_debounce.stop();
    m_resumeCheck.stop();
    delete m_information;
    m_information = nullptr;
    delete m_notifier;
    m_notifier = nullptr;
    if (m_netlink >= 0)
        ::close(m_netlink);
    m_netlink = -1;
}

QSet<QHostAddress> NetworkMonitor::addresses() const
{
    QSet<QHostAddress> out;
    for (const QSet<QHostAddress> &a : m_snapshot)
        out.unite(a);
    return out;
}

void NetworkMonitor::onNetlinkReadable()
{
    // What changed is read from the interfaces after the burst; the messages only wake us.
    // ENOBUFS (the kernel dropped some) says the same.
    char buffer[8192];
    for (;;) {
        const ssize_t n = ::recv(m_netlink, buffer, sizeof buffer, 0);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    scheduleCheck();
}

void NetworkMonitor::scheduleCheck()
{
    if (m_running && !m_debounce.isActive())
        m_debounce.start();
}

bool NetworkMonitor::sleptSinceLastCheck()
{
    // Both clocks stand still for nobody, but only CLOCK_BOOTTIME counts the time suspended.
    const qint64 slept = m_boottime() - m_monotonic();
    const bool resumed = slept - m_sleptMs >= MinSleepMs;
    m_sleptMs = slept;
    return resumed;
}

void NetworkMonitor::checkNow()
{
    check(sleptSinceLastCheck());
}

void NetworkMonitor::checkResume()
{
    if (sleptSinceLastCheck())
        check(true);
}

void NetworkMonitor::reportResumed()
{
    sleptSinceLastCheck(); // the jump is this resume: not reported again by the timer
    check(true);
}

void NetworkMonitor::check(bool resumed)
{
    m_debounce.stop();
    const Snapshot now = takeSnapshot();
    NetworkChange change;
    change.at = QDateTime::currentDateTimeUtc();
    change.resumed = resumed;
    QSet<QHostAddress> before, after;
    for (auto it = m_snapshot.cbegin(); it != m_snapshot.cend(); ++it) {
        before.unite(it.value());
        if (!now.contains(it.key()))
            change.down.append(it.key());
    }
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        after.unite(it.value());
        if (!m_snapshot.contains(it.key()))
            change.up.append(it.key());
    }
    for (const QHostAddress &a : std::as_const(after)) {
        if (!before.contains(a))
            change.added.append(a);
    }
    for (const QHostAddress &a : std::as_const(before)) {
        if (!after.contains(a))
            change.removed.append(a);
    }
    m_snapshot = now;
    if (change.isEmpty())
        return;
    const auto byText = [](const QHostAddress &a, const QHostAddress &b) {
        return a.toString() < b.toString();
    };
    std::sort(change.added.begin(), change.added.end(), byText);
    std::sort(change.removed.begin(), change.removed.end(), byText);
    change.up.sort();
    change.down.sort();
    qCInfo(lcNet).noquote() << "network changed:" << change.toString();
    m_recent.append(change);
    while (m_recent.size() > MaxRecentChanges)
        m_recent.removeFirst();
    Q_EMIT changed(change);
}

NetworkMonitor::Snapshot NetworkMonitor::takeSnapshot()
{
    Snapshot snapshot;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &i : interfaces) {
        const auto flags = i.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || !flags.testFlag(QNetworkInterface::IsRunning))
            continue;
        QSet<QHostAddress> &addresses = snapshot[i.name()];
        const auto entries = i.addressEntries();
        for (const QNetworkAddressEntry &e : entries)
            addresses.insert(e.ip());
    }
    return snapshot;
}
