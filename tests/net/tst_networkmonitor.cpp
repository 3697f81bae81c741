// SPDX-License-Identifier: GPL-3.0-or-later
// NetworkMonitor (docs/protocol.md, "Network changes"): what the kernel says about links and
// addresses is reported once per change, within the debounce; a resume is told apart by the
// clocks. The interface tests run in a network namespace of their own, made by this process
// (root only): nothing here touches the host's interfaces.
#include "net/connectionregistry.h"
#include "net/networkmonitor.h"
#include "net/peerconnection.h"
#include "testpeer.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <sched.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class tst_NetworkMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void resumeSeenByTheClocks();
    void resumeReportedByLogindOnlyOnce();
    void linksAndAddresses_data();
    void linksAndAddresses();
    void conversationGoesOnAfterLinkDownAndUp();

private:
    bool ip(const QStringList &args);

    QString m_ip;
    QString m_skip; // why the interface tests cannot run here
};

namespace {

QStringList texts(const QList<QHostAddress> &addresses)
{
    QStringList out;
    for (const QHostAddress &a : addresses)
        out.append(a.toString());
    return out;
}

// A fake pair of clocks: `slept` is what CLOCK_BOOTTIME has counted and CLOCK_MONOTONIC not.
struct FakeClocks
{
    qint64 monotonic = 1'000'000;
    qint64 slept = 0;
    void install(NetworkMonitor &m)
    {
        m.setClocks([this] { return monotonic + slept; }, [this] { return monotonic; });
    }
};

} // namespace

bool tst_NetworkMonitor::ip(const QStringList &args)
{
    QProcess p;
    p.start(m_ip, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << "ip" << args.join(u' ')
                             << "failed:" << p.readAllStandardError().trimmed();
        return false;
    }
    return true;
}

void tst_NetworkMonitor::initTestCase()
{
    m_ip = QStandardPaths::findExecutable(u"ip"_s);
    if (geteuid() != 0)
        m_skip = u"needs root to make a network namespace (CI runs as root)"_s;
    else if (m_ip.isEmpty())
        m_skip = u"needs the ip command (iproute2)"_s;
    // This thread (the test's, and the children it starts) moves to a namespace of its own,
    // which has only a loopback interface, down, and vanishes with the process.
    else if (::unshare(CLONE_NEWNET) != 0)
        m_skip = u"cannot make a network namespace: %1"_s.arg(
            QString::fromLocal8Bit(strerror(errno)));
    // Inside it, peers may dial the addresses the test makes: nothing leaves the namespace.
    if (m_skip.isEmpty())
        qunsetenv("SHOAL_LOOPBACK_ONLY");
}

void tst_NetworkMonitor::resumeSeenByTheClocks()
{
    // Time passing is not a resume; CLOCK_BOOTTIME running ahead of CLOCK_MONOTONIC is.
    FakeClocks clocks;
    NetworkMonitor monitor;
    clocks.install(monitor);
    monitor.start();
    QSignalSpy changed(&monitor, &NetworkMonitor::changed);

    clocks.monotonic += 3'600'000; // an hour awake
    monitor.checkResume();
    QCOMPARE(changed.size(), 0);
    clocks.slept += NetworkMonitor::MinSleepMs - 1; // a clock adjustment, not a sleep
    monitor.checkResume();
    QCOMPARE(changed.size(), 0);

    clocks.slept += 8 * 3'600'000; // a night asleep
    clocks.monotonic += 50;
    monitor.checkResume();
    QCOMPARE(changed.size(), 1);
    const auto change = changed.at(0).at(0).value<NetworkChange>();
    QVERIFY(change.resumed);
    QCOMPARE(monitor.recentChanges().size(), 1);
    QVERIFY(monitor.recentChanges().constLast().resumed);

    // Reported once: the next checks see no new sleep.
    monitor.checkResume();
    monitor.checkNow();
    QCOMPARE(changed.size(), 1);
}

void tst_NetworkMonitor::resumeReportedByLogindOnlyOnce()
{
    // logind says so first; the clock check that follows must not report the same sleep.
    FakeClocks clocks;
    NetworkMonitor monitor;
    clocks.install(monitor);
    monitor.start();
    QSignalSpy changed(&monitor, &NetworkMonitor::changed);
    clocks.slept += 60'000;
    monitor.reportResumed();
    QCOMPARE(changed.size(), 1);
    QVERIFY(changed.at(0).at(0).value<NetworkChange>().resumed);
    monitor.checkResume();
    QCOMPARE(changed.size(), 1);

    // At most MaxRecentChanges kept, the newest last.
    for (int i = 0; i < NetworkMonitor::MaxRecentChanges + 5; ++i)
        monitor.reportResumed();
    QCOMPARE(monitor.recentChanges().size(), NetworkMonitor::MaxRecentChanges);
    QCOMPARE(monitor.recentChanges().constLast().at,
             changed.constLast().at(0).value<NetworkChange>().at);
}

void tst_NetworkMonitor::linksAndAddresses_data()
{
    // One step after another on a veth pair, sh0 and sh1: sh1 runs only while sh0 is up (it
    // has a carrier then), so the link rows name both. Each step must be the next change, alone.
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<QStringList>("up");
    QTest::addColumn<QStringList>("down");
    QTest::addColumn<QStringList>("added");
    QTest::addColumn<QStringList>("removed");
    const QStringList both{u"sh0"_s, u"sh1"_s};
    QTest::newRow("link up") << QStringList{u"link"_s, u"set"_s, u"sh0"_s, u"up"_s} << both
                             << QStringList{} << QStringList{} << QStringList{};
    QTest::newRow("IPv4 address added")
        << QStringList{u"addr"_s, u"add"_s, u"10.99.0.1/24"_s, u"dev"_s, u"sh0"_s} << QStringList{}
        << QStringList{} << QStringList{u"10.99.0.1"_s} << QStringList{};
    QTest::newRow("IPv6 address added")
        << QStringList{u"addr"_s, u"add"_s, u"fd00:99::1/64"_s, u"dev"_s, u"sh0"_s, u"nodad"_s}
        << QStringList{} << QStringList{} << QStringList{u"fd00:99::1"_s} << QStringList{};
    QTest::newRow("another IPv4 address (a new DHCP lease)")
        << QStringList{u"addr"_s, u"add"_s, u"10.98.0.2/24"_s, u"dev"_s, u"sh0"_s} << QStringList{}
        << QStringList{} << QStringList{u"10.98.0.2"_s} << QStringList{};
    QTest::newRow("the old IPv4 address removed")
        << QStringList{u"addr"_s, u"del"_s, u"10.99.0.1/24"_s, u"dev"_s, u"sh0"_s} << QStringList{}
        << QStringList{} << QStringList{} << QStringList{u"10.99.0.1"_s};
    QTest::newRow("link down: its addresses gone with it")
        << QStringList{u"link"_s, u"set"_s, u"sh0"_s, u"down"_s} << QStringList{} << both
        << QStringList{} << QStringList{u"10.98.0.2"_s, u"fd00:99::1"_s};
    // The kernel drops IPv6 addresses on link down; IPv4 ones stay and come back.
    QTest::newRow("link up again") << QStringList{u"link"_s, u"set"_s, u"sh0"_s, u"up"_s} << both
                                   << QStringList{} << QStringList{u"10.98.0.2"_s} << QStringList{};
    QTest::newRow("link removed") << QStringList{u"link"_s, u"del"_s, u"sh0"_s} << QStringList{}
                                  << both << QStringList{} << QStringList{u"10.98.0.2"_s};
}

void tst_NetworkMonitor::linksAndAddresses()
{
    if (!m_skip.isEmpty())
        QSKIP(qPrintable(m_skip + u"; skipped"_s));
    QFETCH(QStringList, command);
    QFETCH(QStringList, up);
    QFETCH(QStringList, down);
    QFETCH(QStringList, added);
    QFETCH(QStringList, removed);

    // The interface and the monitor live across the rows: each row's change comes after the
    // one before, so a change reported twice shows up as a wrong next change.
    static NetworkMonitor *monitor = nullptr;
    static QSignalSpy *changed = nullptr;
    if (!monitor) {
        // A veth pair (the dummy driver may be missing): sh1 is up from the start, so that sh0
        // has a carrier and runs when it is up. No IPv6 link-local addresses of their own
        // (addrgenmode none): the rows say which addresses come and go.
        QVERIFY(ip(
            {u"link"_s, u"add"_s, u"sh0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"sh1"_s}));
        for (const QString &name : {u"sh0"_s, u"sh1"_s})
            QVERIFY(ip({u"link"_s, u"set"_s, name, u"addrgenmode"_s, u"none"_s}));
        QVERIFY(ip({u"link"_s, u"set"_s, u"sh1"_s, u"up"_s}));
        monitor = new NetworkMonitor(this);
        QString error;
        QVERIFY2(monitor->start(&error), qPrintable(error));
        QVERIFY(monitor->isWatching());
        changed = new QSignalSpy(monitor, &NetworkMonitor::changed);
    }
    const qsizetype before = changed->size();
    QVERIFY(ip(command));
    QElapsedTimer sinceCommand;
    sinceCommand.start();
    QTRY_COMPARE_WITH_TIMEOUT(changed->size(), before + 1, 2000);
    // Noticed within the debounce (and a margin for a loaded machine), not at some later poll.
    QVERIFY2(sinceCommand.elapsed() < NetworkMonitor::DebounceMs + 800,
             qPrintable(QString::number(sinceCommand.elapsed())));
    const auto change = changed->constLast().at(0).value<NetworkChange>();
    QCOMPARE(change.up, up);
    QCOMPARE(change.down, down);
    QCOMPARE(texts(change.added), added);
    QCOMPARE(texts(change.removed), removed);
    QVERIFY(!change.resumed);
    QCOMPARE(monitor->recentChanges().constLast().up, up);
}

void tst_NetworkMonitor::conversationGoesOnAfterLinkDownAndUp()
{
    // Two peers talk over an interface's address; the link goes down (the connection is dead:
    // closed at once, not after keepalive's 15 s) and comes back: Bob reaches Alice again
    // where he last verified her, and what he wrote meanwhile arrives, once.
    if (!m_skip.isEmpty())
        QSKIP(qPrintable(m_skip + u"; skipped"_s));
    QVERIFY(ip({u"link"_s, u"set"_s, u"lo"_s, u"up"_s})); // this host's own traffic
    QVERIFY(
        ip({u"link"_s, u"add"_s, u"nw0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"nw1"_s}));
    QVERIFY(ip({u"link"_s, u"set"_s, u"nw1"_s, u"up"_s}));
    QVERIFY(ip({u"addr"_s, u"add"_s, u"10.97.0.1/24"_s, u"dev"_s, u"nw0"_s}));
    QVERIFY(ip({u"link"_s, u"set"_s, u"nw0"_s, u"up"_s}));
    const auto peerConfig = [](const QString &name) {
        MessengerConfig config = testPeerConfig(name);
        config.listenAddress = QHostAddress::AnyIPv4;
        return config;
    };
    auto alice = startPeer(peerConfig(u"Alice"_s));
    auto bob = startPeer(peerConfig(u"Bob"_s));
    const auto online = [](Messenger &m, const QString &peerId) {
        const auto p = m.peer(peerId);
        return p && p->online;
    };
    const auto received = [](const Messenger &m, const QString &peerId, const QString &text) {
        QString error;
        const auto page = m.historyPage(peerId, 100, std::nullopt, &error);
        return std::count_if(page.cbegin(), page.cend(), [&](const ChatMessage &c) {
            return !c.outgoing && c.text == text;
        });
    };
    QString error;
    QVERIFY(bob->connectToAddress(u"10.97.0.1:%1"_s.arg(alice->port()), &error));
    QTRY_VERIFY(online(*alice, bob->id()) && online(*bob, alice->id()));
    QVERIFY(bob->sendMessage(alice->id(), u"one"_s, &error));
    QTRY_COMPARE(received(*alice, bob->id(), u"one"_s), 1);

    // Both ends' connections run over 10.97.0.1: closed at once when it goes. (On one host
    // the address still answers locally while its link is down, so the peers may reconnect
    // at once; across hosts they reach each other again when it is back.)
    QPointer<PeerConnection> before = bob->connections().activeConnection(alice->id());
    QVERIFY(before);
    QVERIFY(ip({u"link"_s, u"set"_s, u"nw0"_s, u"down"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(!before || before->isClosed(), 2000);
    QVERIFY(bob->sendMessage(alice->id(), u"two"_s, &error));

    QVERIFY(ip({u"link"_s, u"set"_s, u"nw0"_s, u"up"_s}));
    QElapsedTimer sinceUp;
    sinceUp.start();
    QTRY_VERIFY_WITH_TIMEOUT(online(*alice, bob->id()) && online(*bob, alice->id()), 5000);
    QVERIFY2(sinceUp.elapsed() < 2000, qPrintable(QString::number(sinceUp.elapsed())));
    QTRY_COMPARE(received(*alice, bob->id(), u"two"_s), 1);
    QCOMPARE(received(*alice, bob->id(), u"one"_s), 1);
}

QTEST_GUILESS_MAIN(tst_NetworkMonitor)
#include "tst_networkmonitor.moc"
