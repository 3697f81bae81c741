// SPDX-License-Identifier: GPL-3.0-or-later
// Shoal against the real iptux from Debian (issue 17, docs/ipmsg.md "Tested against iptux").
//
// Two hosts in network namespaces made by this test, on one bridge: host "a" (10.77.0.1) runs
// an Xvfb and iptux, host "b" (10.77.0.2) runs shoal-cli with IP Messenger on port 2425.
// IPMsg broadcasts never leave these namespaces. iptux is driven with xdotool; what it did is
// read from three places, each for what it is reliable for:
//   - its debug log (`iptux -l DEBUG` on stderr): every datagram it received or sent, and the
//     command it understood ("command NO.: [0x2] BR_EXIT");
//   - its window: a user is in iptux's list when double-clicking its row opens a chat window
//     titled "Talk with NAME(HOST) IP:ADDRESS" (the title carries the decoded nickname);
//   - its chat log ($XDG_CONFIG_HOME/iptux/log/communicate.log): every message shown, once per
//     showing, with the decoded text.
// Screenshots of host a's screen at each step go to the test's temporary folder (qInfo prints
// each path; set SHOAL_IPTUX_KEEP=1 to keep the folder).
#include "cliprocess.h"
#include "netnstopology.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QNetworkDatagram>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

const QString IptuxNick = u"小企鹅"_s;
const QString IptuxGroup = u"测试组"_s;
const QString ShoalName = u"Shoal用户"_s;
constexpr quint16 IpmsgPort = 2425; // iptux answers on 2425 whatever the source port

// A UDP socket bound in another network namespace: a thread enters the namespace (setns
// changes only the calling thread's), makes and binds the socket, and ends; the socket stays
// in that namespace. -1 on failure.
int udpSocketIn(const QString &ns, quint16 port)
{
    int fd = -1;
    std::thread t([&] {
        const QByteArray path = "/run/netns/" + ns.toUtf8();
        const int nsFd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
        if (nsFd < 0)
            return;
        if (::setns(nsFd, CLONE_NEWNET) == 0) {
            fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            const int one = 1;
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            a.sin_addr.s_addr = htonl(INADDR_ANY);
            if (fd >= 0
                && (::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0
                    || ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0)) {
                ::close(fd);
                fd = -1;
            }
        }
        ::close(nsFd);
    });
    t.join();
    return fd;
}

QByteArray ipmsgPacket(quint32 packetNo, int command, const QByteArray &extra)
{
    return "1_rawtest:" + QByteArray::number(packetNo)
           + ":raw:rawhost:" + QByteArray::number(command) + ':' + extra + '\0';
}

QByteArray sha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

} // namespace

class tst_Iptux : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void harnessRawEntry();
    void shoalListsIptux();
    void iptuxListsShoal();
    void messageShoalToIptux();
    void messageIptuxToShoal();
    void fileEachWay();
    void quitRemovesFromLists();

private:
    QString nsA() const { return m_net->ns(u"a"_s); }
    // A command run in host a with DISPLAY set: its standard output, and its exit code.
    QByteArray onDisplay(const QStringList &command, int *exitCode = nullptr);
    QString screenshot(const QString &step);
    // xdotool's windows whose title matches the (POSIX extended) regex, visible only.
    QStringList windows(const QString &titleRegex);
    struct Geometry
    {
        int x = 0, y = 0, width = 0, height = 0;
    };
    Geometry geometry(const QString &window);
    // Opens iptux's chat with the user whose nickname is `name` by double-clicking each row of
    // its list in turn; the chat window's ID, or empty when no row is that user.
    QString openChatWith(const QString &name);
    void closeWindow(const QString &window);
    // Whether iptux's log shows a datagram from `from` that it took as `command` (the
    // command's name as iptux logs it, e.g. "BR_EXIT"), after log offset `since`.
    bool iptuxReceived(const QString &from, const QString &command, qsizetype since = 0) const;
    QString chatLog() const;
    bool startShoal();
    QString cliHelp();

    std::unique_ptr<NetnsTopology> m_net;
    QTemporaryDir m_dir;
    QProcess m_xvfb;
    QString m_display;
    QProcess m_iptux;
    QByteArray m_iptuxLog; // its stderr: the DEBUG log
    std::unique_ptr<CliProcess> m_shoal;
    QString m_iptuxId;               // iptux as Shoal knows it
    QString m_shoalChat;             // iptux's chat window with Shoal, once open
    qsizetype m_logAtShoalStart = 0; // iptux's log before shoal-cli last started
    int m_shots = 0;
};

void tst_Iptux::initTestCase()
{
    QString why = NetnsTopology::unavailable();
    const QString iptux = QStandardPaths::findExecutable(u"iptux"_s);
    if (why.isEmpty() && iptux.isEmpty())
        why = u"needs iptux (apt-get install iptux; scripts/setup.sh installs it)"_s;
    if (why.isEmpty() && QStandardPaths::findExecutable(u"Xvfb"_s).isEmpty())
        why = u"needs Xvfb (package xvfb) to show iptux's window"_s;
    if (why.isEmpty() && QStandardPaths::findExecutable(u"xdotool"_s).isEmpty())
        why = u"needs xdotool to drive iptux's window"_s;
    if (!why.isEmpty())
        QSKIP(qPrintable(why + u"; skipped"_s));
    QVERIFY(m_dir.isValid());
    m_dir.setAutoRemove(qEnvironmentVariableIsEmpty("SHOAL_IPTUX_KEEP"));
    qInfo().noquote() << "iptux test folder:" << m_dir.path();

    m_net = std::make_unique<NetnsTopology>(u"iptux"_s);
    QVERIFY(m_net->addSwitch(u"br0"_s));
    for (const auto &[host, address] :
         {std::pair{u"a"_s, u"10.77.0.1/24"_s}, std::pair{u"b"_s, u"10.77.0.2/24"_s}}) {
        QVERIFY(m_net->addHost(host));
        QVERIFY(m_net->plug(host, u"eth0"_s, u"br0"_s));
        // With its broadcast address, as on a real LAN: both programs broadcast to it.
        QVERIFY(m_net->ipIn(host,
                            {u"addr"_s, u"add"_s, address, u"brd"_s, u"+"_s, u"dev"_s, u"eth0"_s}));
    }

    // Xvfb inside host a: its abstract socket is in that namespace, where iptux and xdotool
    // connect. -displayfd: it picks a free display number (the lock files in /tmp are shared
    // with the host's other X servers) and writes it on stdout.
    m_xvfb.setProgram(m_net->ipPath());
    m_xvfb.setArguments({u"netns"_s,
                         u"exec"_s,
                         nsA(),
                         u"Xvfb"_s,
                         u"-displayfd"_s,
                         u"1"_s,
                         u"-screen"_s,
                         u"0"_s,
                         u"1400x900x24"_s,
                         u"-nolisten"_s,
                         u"tcp"_s});
    m_xvfb.setStandardErrorFile(m_dir.filePath(u"xvfb.log"_s));
    m_xvfb.start();
    QTRY_VERIFY_WITH_TIMEOUT(m_xvfb.canReadLine() || m_xvfb.state() == QProcess::NotRunning, 20000);
    const QByteArray number = m_xvfb.readLine().trimmed();
    QVERIFY2(!number.isEmpty(), "Xvfb did not start (see xvfb.log in the test folder)");
    m_display = u":"_s + QString::fromLatin1(number);

    // iptux with a fresh HOME: its config says who it is; its chat log's folder must exist
    // before it starts (it opens the log before it makes the folder).
    const QString home = m_dir.filePath(u"home"_s);
    QVERIFY(QDir().mkpath(home + u"/.iptux"_s));
    QVERIFY(QDir().mkpath(home + u"/.config/iptux/log"_s));
    QVERIFY(QDir().mkpath(home + u"/Downloads"_s));
    QFile config(home + u"/.iptux/config.json"_s);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QJsonDocument(QJsonObject{{u"nick_name"_s, IptuxNick},
                                           {u"belong_group"_s, IptuxGroup},
                                           {u"open_chat"_s, false},
                                           {u"record_log"_s, true},
                                           {u"archive_path"_s, home + u"/Downloads"_s},
                                           {u"port"_s, IpmsgPort}})
                     .toJson());
    config.close();
    m_iptux.setProgram(m_net->ipPath());
    m_iptux.setArguments({u"netns"_s,
                          u"exec"_s,
                          nsA(),
                          u"env"_s,
                          u"-i"_s,
                          u"HOME="_s + home,
                          u"XDG_CONFIG_HOME="_s + home + u"/.config"_s,
                          u"DISPLAY="_s + m_display,
                          u"LANG=C.UTF-8"_s,
                          u"LANGUAGE=en"_s,
                          u"NO_AT_BRIDGE=1"_s, // no accessibility bus to look for
                          u"GDK_BACKEND=x11"_s,
                          u"PATH=/usr/bin:/bin"_s,
                          iptux,
                          u"-l"_s,
                          u"DEBUG"_s});
    connect(&m_iptux, &QProcess::readyReadStandardError, this, [this] {
        m_iptuxLog += m_iptux.readAllStandardError();
    });
    m_iptux.start();
    QVERIFY(m_iptux.waitForStarted());

    // Started, bound, announced itself on the bridge, and its window is up.
    QTRY_VERIFY_WITH_TIMEOUT(m_iptuxLog.contains("bind UDP port(0.0.0.0:2425) success"), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_iptuxLog.contains("send udp message to 10.77.0.255:2425"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!windows(u"^Iptux$"_s).isEmpty(), 20000);
    screenshot(u"iptux-started"_s);
}

void tst_Iptux::cleanupTestCase()
{
    if (m_shoal)
        m_shoal.reset();
    if (m_iptux.state() != QProcess::NotRunning) {
        m_iptux.terminate();
        if (!m_iptux.waitForFinished(5000))
            m_iptux.kill();
        m_iptux.waitForFinished();
    }
    if (m_xvfb.state() != QProcess::NotRunning) {
        m_xvfb.terminate();
        if (!m_xvfb.waitForFinished(5000))
            m_xvfb.kill();
        m_xvfb.waitForFinished();
    }
    if (!m_iptuxLog.isEmpty()) {
        QFile log(m_dir.filePath(u"iptux-debug.log"_s));
        if (log.open(QIODevice::WriteOnly))
            log.write(m_iptuxLog);
    }
    m_net.reset();
}

QByteArray tst_Iptux::onDisplay(const QStringList &command, int *exitCode)
{
    QProcess p;
    p.start(m_net->ipPath(),
            QStringList{u"netns"_s, u"exec"_s, nsA(), u"env"_s, u"DISPLAY="_s + m_display}
                + command);
    if (!p.waitForFinished(20000)) {
        p.kill();
        p.waitForFinished();
    }
    if (exitCode)
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return p.readAllStandardOutput();
}

QString tst_Iptux::screenshot(const QString &step)
{
    if (QStandardPaths::findExecutable(u"import"_s).isEmpty())
        return {};
    const QString path = m_dir.filePath(u"%1-%2.png"_s.arg(++m_shots, 2, 10, QChar(u'0')).arg(step));
    int code = -1;
    onDisplay({u"import"_s, u"-window"_s, u"root"_s, path}, &code);
    if (code != 0)
        return {};
    qInfo().noquote() << "screenshot:" << path;
    return path;
}

QStringList tst_Iptux::windows(const QString &titleRegex)
{
    const QByteArray out = onDisplay(
        {u"xdotool"_s, u"search"_s, u"--onlyvisible"_s, u"--name"_s, titleRegex});
    return QString::fromUtf8(out).split(u'\n', Qt::SkipEmptyParts);
}

tst_Iptux::Geometry tst_Iptux::geometry(const QString &window)
{
    Geometry g;
    const QByteArray out = onDisplay({u"xdotool"_s, u"getwindowgeometry"_s, u"--shell"_s, window});
    for (const QByteArray &line : out.split('\n')) {
        const int eq = line.indexOf('=');
        const QByteArray key = line.left(eq);
        const int value = line.mid(eq + 1).toInt();
        if (key == "X")
            g.x = value;
        else if (key == "Y")
            g.y = value;
        else if (key == "WIDTH")
            g.width = value;
        else if (key == "HEIGHT")
            g.height = value;
    }
    return g;
}

QString tst_Iptux::openChatWith(const QString &name)
{
    const QString title = u"^Talk with "_s + name + u"\\("_s;
    if (const QStringList open = windows(title); !open.isEmpty())
        return open.first();
    const QStringList main = windows(u"^Iptux$"_s);
    if (main.isEmpty())
        return {};
    const Geometry g = geometry(main.first());
    // iptux's list under its header bar: one row per user, 43 pixels high (icon, nickname and
    // address on two lines), the first at about 120 pixels from the window's top. Sorting
    // differs between versions, so every row is tried; the list has at most three here.
    constexpr int FirstRow = 120, RowHeight = 43;
    const QStringList chatsBefore = windows(u"^Talk with "_s);
    for (int row = 0; row < 4 && FirstRow + row * RowHeight < g.height - 20; ++row) {
        onDisplay({u"xdotool"_s,
                   u"mousemove"_s,
                   QString::number(g.x + 60),
                   QString::number(g.y + FirstRow + row * RowHeight),
                   u"click"_s,
                   u"--repeat"_s,
                   u"2"_s,
                   u"--delay"_s,
                   u"80"_s,
                   u"1"_s});
        QStringList found;
        // A chat window opens within a few milliseconds of the double-click; 3 s for a
        // loaded machine.
        QTest::qWaitFor([&] { return !(found = windows(title)).isEmpty(); }, 3000);
        if (!found.isEmpty())
            return found.first();
        // Another user's row (iptux lists itself too): close the chat it opened.
        for (const QString &w : windows(u"^Talk with "_s)) {
            if (!chatsBefore.contains(w))
                closeWindow(w);
        }
    }
    return {};
}

void tst_Iptux::closeWindow(const QString &window)
{
    // Ctrl+W is iptux's "close window" (app.window.close); X gives the keys to the window
    // under the pointer (there is no window manager).
    const Geometry g = geometry(window);
    onDisplay({u"xdotool"_s,
               u"mousemove"_s,
               QString::number(g.x + g.width / 2),
               QString::number(g.y + g.height / 2),
               u"key"_s,
               u"ctrl+w"_s});
}

bool tst_Iptux::iptuxReceived(const QString &from, const QString &command, qsizetype since) const
{
    // "received udp message from 10.77.0.2:2425, size 35", the packet, then
    // "command NO.: [0x2] BR_EXIT" (iptux's UDP thread logs them in this order).
    const QString log = QString::fromUtf8(m_iptuxLog.mid(since));
    static const QRegularExpression received(u"received udp message from ([0-9.]+):"_s);
    static const QRegularExpression understood(u"command NO\\.: \\[0x[0-9a-f]+\\] (\\w+)"_s);
    QString last;
    for (const QString &line : log.split(u'\n')) {
        if (const auto m = received.match(line); m.hasMatch()) {
            last = m.captured(1);
        } else if (const auto m = understood.match(line); m.hasMatch()) {
            if (last == from && m.captured(1) == command)
                return true;
            last.clear();
        }
    }
    return false;
}

QString tst_Iptux::chatLog() const
{
    QFile f(m_dir.filePath(u"home/.config/iptux/log/communicate.log"_s));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

QString tst_Iptux::cliHelp()
{
    QProcess p;
    p.start(QStringLiteral(SHOAL_CLI_PATH), {u"--help"_s});
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
}

bool tst_Iptux::startShoal()
{
    QStringList args = m_net->shoalArguments(u"b"_s,
                                             QStringLiteral(SHOAL_CLI_PATH),
                                             m_dir.filePath(u"shoal"_s),
                                             ShoalName);
    // Shoal's own discovery stays off: only IP Messenger is under test.
    args << u"--no-discovery"_s << u"--ipmsg-port"_s << QString::number(IpmsgPort);
    QDir().mkpath(m_dir.filePath(u"shoal-inbox"_s));
    args << u"--accept-files"_s << m_dir.filePath(u"shoal-inbox"_s);
    m_logAtShoalStart = m_iptuxLog.size();
    m_shoal = std::make_unique<CliProcess>(m_net->ipPath(), args);
    return m_shoal->process.waitForStarted();
}

void tst_Iptux::harnessRawEntry()
{
    // The harness against iptux alone: a bare BR_ENTRY from host b, on the bridge's broadcast
    // address, makes iptux answer ANSENTRY (its nickname and group as configured) and list
    // the newcomer; a BR_EXIT takes it off again.
    const int fd = udpSocketIn(m_net->ns(u"b"_s), IpmsgPort);
    QVERIFY2(fd >= 0, "no UDP socket on port 2425 in host b");
    QUdpSocket raw;
    QVERIFY(raw.setSocketDescriptor(fd, QAbstractSocket::BoundState));
    const QHostAddress bridge(u"10.77.0.255"_s);
    raw.writeDatagram(ipmsgPacket(1000, 0x1, u"Raw探针"_s.toUtf8() + '\0' + u"原始组"_s.toUtf8()),
                      bridge,
                      IpmsgPort);
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            while (raw.hasPendingDatagrams()) {
                const QNetworkDatagram d = raw.receiveDatagram();
                const QList<QByteArray> f = d.data().split(':');
                if (d.senderAddress() == QHostAddress(u"10.77.0.1"_s) && f.size() >= 6
                    && (f.at(4).toUInt() & 0xff) == 0x03)
                    answer = d.data();
            }
            return !answer.isEmpty();
        }(),
        5000);
    QVERIFY2(answer.startsWith("1_iptux "), answer.constData());
    qsizetype start = 0; // the extra section, after the fifth ':'
    for (int i = 0; i < 5; ++i)
        start = answer.indexOf(':', start) + 1;
    const QByteArray extra = answer.mid(start);
    QCOMPARE(QString::fromUtf8(extra.split('\0').value(0)), IptuxNick);
    QCOMPARE(QString::fromUtf8(extra.split('\0').value(1)), IptuxGroup);

    const QString chat = openChatWith(u"Raw探针"_s);
    screenshot(u"raw-peer-listed"_s);
    QVERIFY2(!chat.isEmpty(), "iptux does not list the raw peer");
    closeWindow(chat);
    QTRY_VERIFY(windows(u"^Talk with Raw"_s).isEmpty());

    const qsizetype before = m_iptuxLog.size();
    raw.writeDatagram(ipmsgPacket(1001, 0x2, {}), bridge, IpmsgPort);
    QTRY_VERIFY(iptuxReceived(u"10.77.0.2"_s, u"BR_EXIT"_s, before));
    QVERIFY(openChatWith(u"Raw探针"_s).isEmpty());
}

void tst_Iptux::shoalListsIptux()
{
    if (!cliHelp().contains(u"--ipmsg-port"_s))
        QSKIP("this shoal-cli has no --ipmsg-port (IP Messenger not wired into shoal-cli yet)");
    QVERIFY(startShoal());
    QTRY_VERIFY(!m_shoal->id().isEmpty());
    auto isIptux = [](const QJsonObject &e) {
        return e.value(u"event"_s) == u"peer"_s && e.value(u"source"_s) == u"ipmsg"_s
               && e.value(u"name"_s) == IptuxNick && e.value(u"online"_s).toBool();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!m_shoal->find(isIptux).isEmpty(), 10000);
    m_iptuxId = m_shoal->find(isIptux).value(u"id"_s).toString();
    QVERIFY(!m_iptuxId.isEmpty());
    // Its group comes with the same entry (a second peer event may bring it).
    auto latest = [&] {
        const auto peers = m_shoal->all(u"peer"_s);
        for (auto it = peers.crbegin(); it != peers.crend(); ++it) {
            if (it->value(u"id"_s) == m_iptuxId)
                return *it;
        }
        return QJsonObject();
    };
    QTRY_COMPARE(latest().value(u"group"_s).toString(), IptuxGroup);
    const QJsonObject peer = latest();
    qInfo().noquote() << "Shoal sees iptux:" << QJsonDocument(peer).toJson(QJsonDocument::Compact);
    QCOMPARE(peer.value(u"name"_s).toString(), IptuxNick);
    QVERIFY(peer.value(u"online"_s).toBool());
    QCOMPARE(peer.value(u"address"_s).toString(), u"10.77.0.1:2425"_s);
    // Shoal does not list itself (iptux does: it has no own-address filter).
    QVERIFY(m_shoal
                ->find([](const QJsonObject &e) {
                    return e.value(u"event"_s) == u"peer"_s && e.value(u"name"_s) == ShoalName;
                })
                .isEmpty());
}

void tst_Iptux::iptuxListsShoal()
{
    if (m_iptuxId.isEmpty())
        QSKIP("Shoal is not running with IP Messenger (see shoalListsIptux)");
    // iptux heard Shoal's entry (or answer) from host b, with Shoal's name...
    QTRY_VERIFY(iptuxReceived(u"10.77.0.2"_s, u"BR_ENTRY"_s, m_logAtShoalStart)
                || iptuxReceived(u"10.77.0.2"_s, u"ANSENTRY"_s, m_logAtShoalStart));
    // ...and lists it: a row of its list opens a chat titled with Shoal's (decoded) name.
    // Why the window and not the log: iptux logs no line when it adds a user.
    m_shoalChat = openChatWith(ShoalName);
    screenshot(u"iptux-sees-shoal"_s);
    QVERIFY2(!m_shoalChat.isEmpty(), "no row of iptux's list opens a chat with Shoal");
    const QString title = QString::fromUtf8(
        onDisplay({u"xdotool"_s, u"getwindowname"_s, m_shoalChat}).trimmed());
    QVERIFY2(title.contains(u"IP:10.77.0.2"_s), qPrintable(title));
    // Room for the chat and its file panel; at a known place for the clicks below.
    onDisplay({u"xdotool"_s,
               u"windowmove"_s,
               m_shoalChat,
               u"280"_s,
               u"0"_s,
               u"windowsize"_s,
               m_shoalChat,
               u"1100"_s,
               u"860"_s});
    screenshot(u"chat-with-shoal"_s);
}

void tst_Iptux::messageShoalToIptux()
{
    if (m_iptuxId.isEmpty())
        QSKIP("Shoal is not running with IP Messenger (see shoalListsIptux)");
    const QString text = u"你好，iptux！这是 Shoal 发来的消息。"_s;
    m_shoal->send(
        {{u"cmd"_s, u"send"_s}, {u"to"_s, m_iptuxId}, {u"text"_s, text}, {u"ref"_s, u"c1"_s}});
    QTRY_VERIFY(
        !m_shoal->find([](const QJsonObject &e) { return e.value(u"ref"_s) == u"c1"_s; }).isEmpty());
    const QJsonObject first = m_shoal->find(
        [](const QJsonObject &e) { return e.value(u"ref"_s) == u"c1"_s; });
    QVERIFY2(first.value(u"event"_s) == u"state"_s, QJsonDocument(first).toJson());
    const QString id = first.value(u"id"_s).toString();
    // Delivered: iptux's RECVMSG came back.
    QTRY_VERIFY_WITH_TIMEOUT(!m_shoal
                                  ->find([&](const QJsonObject &e) {
                                      return e.value(u"event"_s) == u"state"_s
                                             && e.value(u"id"_s) == id
                                             && e.value(u"state"_s) == u"delivered"_s;
                                  })
                                  .isEmpty(),
                             10000);
    QTRY_VERIFY(chatLog().contains(text));
    const QString log = chatLog();
    QCOMPARE(log.count(u"[STRING]"_s + text), 1);
    QVERIFY2(log.contains(u"Recevied-From: Nickname:"_s + ShoalName), qPrintable(log));
    screenshot(u"shoal-to-iptux"_s);
}

void tst_Iptux::messageIptuxToShoal()
{
    if (m_shoalChat.isEmpty())
        QSKIP("iptux has no chat with Shoal (see iptuxListsShoal)");
    // Typed into iptux's input box and sent with Ctrl+Return. xdotool types CJK by mapping
    // each character to a spare key code for the moment; with a delay between keys GTK reads
    // every one right (checked: the text arrives exactly).
    const QString text = u"iptux 回复：收到，谢谢！"_s;
    const Geometry g = geometry(m_shoalChat);
    const qsizetype before = m_iptuxLog.size();
    onDisplay({u"xdotool"_s,
               u"mousemove"_s,
               QString::number(g.x + 300),
               QString::number(g.y + g.height - 100),
               u"click"_s,
               u"1"_s});
    onDisplay({u"xdotool"_s, u"type"_s, u"--delay"_s, u"60"_s, text});
    screenshot(u"iptux-typed"_s);
    onDisplay({u"xdotool"_s, u"key"_s, u"ctrl+Return"_s});
    auto fromIptux = [&] {
        QList<QJsonObject> out;
        for (const QJsonObject &m : m_shoal->all(u"message"_s)) {
            if (m.value(u"from"_s) == m_iptuxId)
                out.append(m);
        }
        return out;
    };
    QTRY_VERIFY_WITH_TIMEOUT(!fromIptux().isEmpty(), 10000);
    QCOMPARE(fromIptux().first().value(u"text"_s).toString(), text);
    // Shoal acknowledged it: iptux got its RECVMSG, so it sends no second copy...
    QTRY_VERIFY(iptuxReceived(u"10.77.0.2"_s, u"RECVMSG"_s, before));
    // ...and it sent the message once: one "Send-To" in its chat log, and Shoal showed it once.
    QCOMPARE(chatLog().count(u"[STRING]"_s + text), 1);
    QCOMPARE(fromIptux().size(), 1);
    // The message from Shoal is still shown once in iptux (no late duplicate).
    QCOMPARE(chatLog().count(u"[STRING]你好，iptux！这是 Shoal 发来的消息。"_s), 1);
    screenshot(u"iptux-to-shoal"_s);
}

void tst_Iptux::fileEachWay()
{
    if (m_shoalChat.isEmpty())
        QSKIP("iptux has no chat with Shoal (see iptuxListsShoal)");
    auto randomFile = [](const QString &path, int size) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        QByteArray bytes(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            bytes[i] = char((i * 7919 + i / 251) & 0xff);
        return f.write(bytes) == size;
    };
    const Geometry chat = geometry(m_shoalChat);

    // Shoal -> iptux: shoal-cli offers a file; in iptux's chat the offer shows under "Files to
    // be received" with an "Accept" button at the top of the right-hand panel, which asks for
    // a folder (its chooser opens in archive_path, set in the config) and downloads there.
    const QString toIptux = m_dir.filePath(u"发给iptux.bin"_s);
    QVERIFY(randomFile(toIptux, 300000));
    qsizetype before = m_iptuxLog.size();
    m_shoal->send({{u"cmd"_s, u"send-file"_s},
                   {u"to"_s, m_iptuxId},
                   {u"path"_s, toIptux},
                   {u"ref"_s, u"f1"_s}});
    QTRY_VERIFY(
        !m_shoal->find([](const QJsonObject &e) { return e.value(u"ref"_s) == u"f1"_s; }).isEmpty());
    const QJsonObject sent = m_shoal->find(
        [](const QJsonObject &e) { return e.value(u"ref"_s) == u"f1"_s; });
    QVERIFY2(sent.value(u"event"_s) == u"transfer"_s, QJsonDocument(sent).toJson());
    qInfo().noquote() << "Shoal offers:" << QJsonDocument(sent).toJson(QJsonDocument::Compact);
    QTRY_VERIFY(iptuxReceived(u"10.77.0.2"_s, u"SENDMSG"_s, before));
    screenshot(u"offer-in-iptux"_s);
    QStringList chooser;
    for (int i = 0; i < 5 && chooser.isEmpty(); ++i) {
        onDisplay({u"xdotool"_s,
                   u"mousemove"_s,
                   QString::number(chat.x + chat.width - 12),
                   QString::number(chat.y + 77),
                   u"click"_s,
                   u"1"_s});
        // The chooser opens within a few milliseconds of a click on the button, once the offer
        // is shown.
        QTest::qWaitFor([&] { return !(chooser = windows(u"^Please select a folder"_s)).isEmpty(); },
                        2000);
    }
    QVERIFY2(!chooser.isEmpty(), "iptux's Accept button did not open its folder chooser");
    screenshot(u"iptux-asks-folder"_s);
    const Geometry c = geometry(chooser.first());
    onDisplay({u"xdotool"_s,
               u"mousemove"_s,
               QString::number(c.x + c.width / 2),
               QString::number(c.y + c.height / 2),
               u"key"_s,
               u"alt+s"_s}); // "_Save": the folder shown, archive_path
    const QString saved = m_dir.filePath(u"home/Downloads/发给iptux.bin"_s);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(saved).size() == 300000, 15000);
    QCOMPARE(sha256(saved), sha256(toIptux));
    screenshot(u"iptux-received-file"_s);

    // iptux -> Shoal: "Attach File" (Ctrl+S) in the chat, its file chooser given the path
    // (pasted from the X clipboard with xclip where it is installed: GTK's location box
    // completes names while one types), then Send; shoal-cli accepts it (--accept-files).
    const QString fromIptux = m_dir.filePath(u"home/从iptux来.bin"_s);
    QVERIFY(randomFile(fromIptux, 250000));
    onDisplay({u"xdotool"_s,
               u"mousemove"_s,
               QString::number(chat.x + 300),
               QString::number(chat.y + chat.height - 100),
               u"click"_s,
               u"1"_s,
               u"key"_s,
               u"ctrl+s"_s});
    QTRY_VERIFY(!windows(u"^Choose enclosure files"_s).isEmpty());
    const Geometry f = geometry(windows(u"^Choose enclosure files"_s).first());
    onDisplay({u"xdotool"_s,
               u"mousemove"_s,
               QString::number(f.x + f.width / 2),
               QString::number(f.y + f.height / 2),
               u"key"_s,
               u"ctrl+l"_s,
               u"ctrl+a"_s});
    QProcess clipboard;
    if (!QStandardPaths::findExecutable(u"xclip"_s).isEmpty()) {
        clipboard.start(m_net->ipPath(),
                        {u"netns"_s,
                         u"exec"_s,
                         nsA(),
                         u"env"_s,
                         u"DISPLAY="_s + m_display,
                         u"xclip"_s,
                         u"-quiet"_s, // in the foreground: it serves the clipboard until killed
                         u"-selection"_s,
                         u"clipboard"_s});
        QVERIFY(clipboard.waitForStarted());
        clipboard.write(fromIptux.toUtf8());
        clipboard.closeWriteChannel();
        // It owns the clipboard once a reader gets the path back.
        QTRY_COMPARE(QString::fromUtf8(
                         onDisplay({u"xclip"_s, u"-o"_s, u"-selection"_s, u"clipboard"_s})),
                     fromIptux);
        onDisplay({u"xdotool"_s, u"key"_s, u"ctrl+v"_s});
    } else {
        onDisplay({u"xdotool"_s, u"type"_s, u"--delay"_s, u"120"_s, fromIptux});
    }
    screenshot(u"iptux-attach"_s);
    onDisplay({u"xdotool"_s, u"key"_s, u"Return"_s});
    if (clipboard.state() != QProcess::NotRunning) {
        clipboard.kill();
        clipboard.waitForFinished();
    }
    QTRY_VERIFY(windows(u"^Choose enclosure files"_s).isEmpty());
    onDisplay({u"xdotool"_s,
               u"mousemove"_s,
               QString::number(chat.x + 300),
               QString::number(chat.y + chat.height - 100),
               u"click"_s,
               u"1"_s,
               u"key"_s,
               u"ctrl+Return"_s});
    QTRY_VERIFY_WITH_TIMEOUT(!m_shoal
                                  ->find([&](const QJsonObject &e) {
                                      return e.value(u"event"_s) == u"offer"_s
                                             && e.value(u"from"_s) == m_iptuxId;
                                  })
                                  .isEmpty(),
                             10000);
    const QJsonObject offer = m_shoal->find([&](const QJsonObject &e) {
        return e.value(u"event"_s) == u"offer"_s && e.value(u"from"_s) == m_iptuxId;
    });
    QCOMPARE(offer.value(u"name"_s).toString(), u"从iptux来.bin"_s);
    const QString arrived = m_dir.filePath(u"shoal-inbox/从iptux来.bin"_s);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(arrived).size() == 250000, 15000);
    QCOMPARE(sha256(arrived), sha256(fromIptux));
    screenshot(u"iptux-sent-file"_s);
}

void tst_Iptux::quitRemovesFromLists()
{
    if (m_shoalChat.isEmpty())
        QSKIP("iptux has no chat with Shoal (see iptuxListsShoal)");
    // Shoal quits: its BR_EXIT takes it off iptux's list.
    closeWindow(m_shoalChat);
    QTRY_VERIFY(windows(u"^Talk with "_s + ShoalName).isEmpty());
    m_shoalChat.clear();
    qsizetype before = m_iptuxLog.size();
    m_shoal->send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(m_shoal->process.waitForFinished(10000));
    QTRY_VERIFY(iptuxReceived(u"10.77.0.2"_s, u"BR_EXIT"_s, before));
    QVERIFY2(openChatWith(ShoalName).isEmpty(), "iptux still lists Shoal after it quit");
    screenshot(u"shoal-quit"_s);

    // Shoal again (it finds iptux again), then iptux quits (Ctrl+Q, iptux's "quit": it sends
    // BR_EXIT to every user it knows; SIGTERM would end it without a word, and IP Messenger
    // has nothing else that tells a user is gone).
    QVERIFY(startShoal());
    auto iptuxOnline = [&](bool online) { return m_shoal->peerOnline(m_iptuxId, online); };
    QTRY_VERIFY_WITH_TIMEOUT(iptuxOnline(true), 10000);
    const QStringList main = windows(u"^Iptux$"_s);
    QVERIFY(!main.isEmpty());
    const Geometry g = geometry(main.first());
    onDisplay({u"xdotool"_s,
               u"mousemove"_s,
               QString::number(g.x + g.width / 2),
               QString::number(g.y + g.height / 2),
               u"key"_s,
               u"ctrl+q"_s});
    QTRY_VERIFY_WITH_TIMEOUT(iptuxOnline(false), 10000);
    screenshot(u"iptux-quit"_s);
    // iptux itself sometimes takes more than 10 s to end after its BR_EXIT (its threads);
    // cleanupTestCase ends it if it is still there.
}

QTEST_GUILESS_MAIN(tst_Iptux)
#include "tst_iptux.moc"
