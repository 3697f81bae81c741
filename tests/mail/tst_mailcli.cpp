// SPDX-License-Identifier: GPL-3.0-or-later
// E-mail notices (issue 16) end to end: shoal-cli peers on loopback (no discovery, no IP
// Messenger) and a real SMTP server (aiosmtpd, tests/mail/smtpserver.py) on 127.0.0.1 started
// here. Bob is offline: Alice's messages wait, and the notice reaches Bob's address after the
// (short) wait, once; none for a contact without an address; the text only when asked; the
// password through the keyring (a private D-Bus session with GNOME Keyring), or the clear error
// when there is no keyring.
#include "cliprocess.h"
#include "testports.h"

#include <QDir>
#include <QDirIterator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct ReceivedMail
{
    QByteArray raw;
    QByteArray rcptTo; // the envelope's, as the server saw it
    QByteArray to;
    QString subject;
    QString body;
};

QString decodeWords(const QByteArray &value)
{
    static const QRegularExpression word(u"=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?="_s,
                                         QRegularExpression::CaseInsensitiveOption);
    QByteArray bytes;
    auto it = word.globalMatch(QString::fromLatin1(value));
    while (it.hasNext())
        bytes += QByteArray::fromBase64(it.next().captured(1).toLatin1());
    return QString::fromUtf8(bytes);
}

ReceivedMail parseMail(const QByteArray &raw)
{
    ReceivedMail m;
    m.raw = raw;
    QByteArray text = raw;
    text.replace("\r\n", "\n");
    const qsizetype end = text.indexOf("\n\n");
    QByteArray name, value;
    const auto take = [&] {
        if (name.compare("Subject", Qt::CaseInsensitive) == 0)
            m.subject = decodeWords(value);
        else if (name.compare("To", Qt::CaseInsensitive) == 0)
            m.to = value.trimmed();
        else if (name.compare("X-RcptTo", Qt::CaseInsensitive) == 0)
            m.rcptTo = value.trimmed();
    };
    for (const QByteArray &line : text.left(end).split('\n')) {
        if (line.startsWith(' ') || line.startsWith('\t')) {
            value += line.trimmed();
            continue;
        }
        take();
        name = line.left(line.indexOf(':'));
        value = line.mid(line.indexOf(':') + 1).trimmed();
    }
    take();
    m.body = QString::fromUtf8(QByteArray::fromBase64(text.mid(end + 2)));
    return m;
}

// The Python that has aiosmtpd: Debian's (python3-aiosmtpd), which a python3 earlier on the PATH
// (pyenv, a virtualenv) may hide.
QString python()
{
    static const QString found = [] {
        for (const QString &candidate :
             {u"/usr/bin/python3"_s, QStandardPaths::findExecutable(u"python3"_s)}) {
            QProcess probe;
            probe.start(candidate, {u"-c"_s, u"import aiosmtpd"_s});
            if (probe.waitForFinished(20000) && probe.exitStatus() == QProcess::NormalExit
                && probe.exitCode() == 0)
                return candidate;
        }
        return QString();
    }();
    return found;
}

// smtpserver.py: a Maildir behind a real SMTP server on 127.0.0.1.
class SmtpServer
{
public:
    // `dir`/Maildir is made by the server.
    explicit SmtpServer(const QString &dir, const QString &credentials = {})
        : m_maildir(QDir(dir).filePath(u"Maildir"_s))
        , m_port(freeTcpPort())
    {
        QStringList args{QStringLiteral(SHOAL_SMTP_SCRIPT), QString::number(m_port), m_maildir};
        if (!credentials.isEmpty())
            args << credentials;
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(python(), args);
    }
    ~SmtpServer()
    {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    bool ready()
    {
        m_out += m_process.readAllStandardOutput();
        return m_out.contains("ready");
    }
    quint16 port() const { return m_port; }
    QList<ReceivedMail> mails() const
    {
        QList<ReceivedMail> out;
        for (const char *sub : {"new", "cur"}) {
            QDir dir(QDir(m_maildir).filePath(QString::fromLatin1(sub)));
            for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
                QFile f(dir.filePath(name));
                if (f.open(QIODevice::ReadOnly))
                    out.append(parseMail(f.readAll()));
            }
        }
        return out;
    }

private:
    QString m_maildir;
    quint16 m_port;
    QProcess m_process;
    QByteArray m_out;
};

QStringList cliArguments(const QString &profile, const QString &name)
{
    return isolatedCliArguments(profile, name) << u"--no-ipmsg"_s;
}

QJsonObject byRef(const CliProcess &p, int ref)
{
    return p.find([ref](const QJsonObject &e) { return e.value(u"ref"_s).toInt() == ref; });
}

QJsonObject mailSettings(quint16 port, int ref)
{
    return {{u"cmd"_s, u"mail"_s},
            {u"enabled"_s, true},
            {u"host"_s, u"127.0.0.1"_s},
            {u"port"_s, port},
            {u"security"_s, u"none"_s},
            {u"from"_s, u"alice@example.com"_s},
            {u"wait_seconds"_s, 2},
            {u"include_text"_s, false},
            {u"ref"_s, ref}};
}

// Starts a peer, lets `alice` meet it, and ends it: from then on it is offline for Alice.
QString meetAndLeave(CliProcess &alice, const QString &profile, const QString &name)
{
    CliProcess peer(QStringLiteral(SHOAL_CLI_PATH), cliArguments(profile, name));
    if (!QTest::qWaitFor([&] { return !peer.id().isEmpty(); }, 20000))
        return {};
    alice.send({{u"cmd"_s, u"connect"_s}, {u"address"_s, u"127.0.0.1:%1"_s.arg(peer.port())}});
    if (!QTest::qWaitFor([&] { return alice.peerOnline(peer.id(), true); }, 20000))
        return {};
    const QString id = peer.id();
    peer.send({{u"cmd"_s, u"quit"_s}});
    peer.process.waitForFinished(10000);
    if (!QTest::qWaitFor([&] { return alice.peerOnline(id, false); }, 20000))
        return {};
    return id;
}

} // namespace

class tst_MailCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void noticeAfterTheWait();
    void noKeyring();
    void passwordThroughTheKeyring();
};

void tst_MailCli::initTestCase()
{
    QVERIFY2(!python().isEmpty(), "python3-aiosmtpd is needed (scripts/setup.sh installs it)");
}

void tst_MailCli::noticeAfterTheWait()
{
    QTemporaryDir dirA, dirB, dirC, mailDir;
    SmtpServer smtp(mailDir.path());
    QTRY_VERIFY_WITH_TIMEOUT(smtp.ready(), 20000);

    auto alice = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                              cliArguments(dirA.path(), u"Alice"_s));
    QTRY_VERIFY(!alice->id().isEmpty());
    const QString bob = meetAndLeave(*alice, dirB.path(), u"Bob"_s);
    const QString carol = meetAndLeave(*alice, dirC.path(), u"Carol"_s);
    QVERIFY(!bob.isEmpty() && !carol.isEmpty());

    alice->send(mailSettings(smtp.port(), 1));
    QTRY_COMPARE(byRef(*alice, 1).value(u"event"_s).toString(), u"mail"_s);
    QCOMPARE(byRef(*alice, 1).value(u"wait_seconds"_s).toInt(), 2);
    // Bob has an address; Carol none. A bad one is refused and changes nothing.
    alice->send({{u"cmd"_s, u"contact"_s},
                 {u"peer"_s, bob},
                 {u"email"_s, u"bob@example.org\r\nBcc: eve@example.net"_s},
                 {u"ref"_s, 2}});
    QTRY_COMPARE(byRef(*alice, 2).value(u"event"_s).toString(), u"error"_s);
    alice->send({{u"cmd"_s, u"contact"_s},
                 {u"peer"_s, bob},
                 {u"email"_s, u"bob@example.org"_s},
                 {u"ref"_s, 3}});
    QTRY_COMPARE(byRef(*alice, 3).value(u"email"_s).toString(), u"bob@example.org"_s);

    for (const QString &text : {u"first secret"_s, u"second secret"_s})
        alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob}, {u"text"_s, text}});
    alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, carol}, {u"text"_s, u"for carol"_s}});
    QTRY_COMPARE(alice->all(u"state"_s).size(), 3);
    const qint64 queuedAt = CliProcess::now();

    // After the wait, one notice for Bob's two messages, without their text.
    QTRY_COMPARE_WITH_TIMEOUT(alice->all(u"mail-sent"_s).size(), 1, 20000);
    QVERIFY(CliProcess::now() - queuedAt >= 1500); // not before the wait (2 s, give or take)
    QCOMPARE(alice->event(u"mail-sent"_s).value(u"peer"_s).toString(), bob);
    QCOMPARE(alice->event(u"mail-sent"_s).value(u"count"_s).toInt(), 2);
    QTRY_COMPARE(smtp.mails().size(), 1);
    ReceivedMail mail = smtp.mails().first();
    QCOMPARE(mail.rcptTo, "bob@example.org");
    QCOMPARE(mail.to, "<bob@example.org>");
    QCOMPARE(mail.subject, u"Alice sent you 2 message(s) in Shoal"_s);
    QVERIFY2(mail.body.contains(u"Alice sent you 2 message(s) in Shoal"_s), qPrintable(mail.body));
    QVERIFY(!mail.body.contains(u"secret"_s));
    QVERIFY(!mail.raw.contains("secret"));

    // The text on: a new message's notice carries it, and only the new one is counted.
    QJsonObject withText = mailSettings(smtp.port(), 4);
    withText.insert(u"include_text"_s, true);
    alice->send(withText);
    QTRY_COMPARE(byRef(*alice, 4).value(u"include_text"_s).toBool(), true);
    alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob}, {u"text"_s, u"third: grüße 😀"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(alice->all(u"mail-sent"_s).size(), 2, 20000);
    QCOMPARE(alice->all(u"mail-sent"_s).at(1).value(u"count"_s).toInt(), 1);
    QTRY_COMPARE(smtp.mails().size(), 2);
    mail = smtp.mails().at(1).subject.contains(u"1 message"_s) ? smtp.mails().at(1)
                                                               : smtp.mails().at(0);
    QCOMPARE(mail.subject, u"Alice sent you 1 message(s) in Shoal"_s);
    QVERIFY2(mail.body.contains(u"third: grüße 😀"_s), qPrintable(mail.body));
    QVERIFY(!mail.body.contains(u"first secret"_s));
    // Carol has no address: nothing for her, though her message waited as long.
    for (const QJsonObject &e : alice->all(u"mail-sent"_s))
        QCOMPARE(e.value(u"peer"_s).toString(), bob);
    for (const ReceivedMail &m : smtp.mails())
        QCOMPARE(m.rcptTo, "bob@example.org");

    // A restart does not mail Bob's messages again (its first check is at start, before Carol
    // is given an address below: her notice comes after anything it would have sent).
    alice->send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(alice->process.waitForFinished(10000));
    alice = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                         cliArguments(dirA.path(), u"Alice"_s));
    QTRY_VERIFY(!alice->id().isEmpty());
    alice->send({{u"cmd"_s, u"contact"_s},
                 {u"peer"_s, carol},
                 {u"email"_s, u"carol@example.org"_s},
                 {u"ref"_s, 5}});
    QTRY_COMPARE(byRef(*alice, 5).value(u"email"_s).toString(), u"carol@example.org"_s);
    QTRY_COMPARE_WITH_TIMEOUT(alice->all(u"mail-sent"_s).size(), 1, 20000);
    QCOMPARE(alice->event(u"mail-sent"_s).value(u"peer"_s).toString(), carol);
    QTRY_COMPARE(smtp.mails().size(), 3);
    QCOMPARE(alice->all(u"mail-sent"_s).size(), 1);
    int toCarol = 0;
    for (const ReceivedMail &m : smtp.mails())
        toCarol += m.rcptTo == "carol@example.org" ? 1 : 0;
    QCOMPARE(toCarol, 1);
    QVERIFY(alice->all(u"mail-failed"_s).isEmpty());
}

void tst_MailCli::noKeyring()
{
    QTemporaryDir dirA, dirB, mailDir;
    SmtpServer smtp(mailDir.path(), u"alice:s3cret"_s);
    QTRY_VERIFY_WITH_TIMEOUT(smtp.ready(), 20000);
    // No session bus and no display: no keyring can be reached.
    CliProcess alice(u"env"_s,
                     QStringList{u"-u"_s,
                                 u"DBUS_SESSION_BUS_ADDRESS"_s,
                                 u"-u"_s,
                                 u"DISPLAY"_s,
                                 QStringLiteral(SHOAL_CLI_PATH)}
                         + cliArguments(dirA.path(), u"Alice"_s));
    QTRY_VERIFY(!alice.id().isEmpty());
    const QString bob = meetAndLeave(alice, dirB.path(), u"Bob"_s);
    QVERIFY(!bob.isEmpty());
    QJsonObject settings = mailSettings(smtp.port(), 1);
    settings.insert(u"user"_s, u"alice"_s);
    settings.insert(u"password"_s, u"s3cret"_s);
    alice.send(settings);
    QTRY_COMPARE(byRef(alice, 1).value(u"event"_s).toString(), u"mail"_s);
    QVERIFY(!byRef(alice, 1).contains(u"password"_s));
    QTRY_VERIFY_WITH_TIMEOUT(!alice.event(u"mail-password"_s).isEmpty(), 20000);
    const QJsonObject answer = alice.event(u"mail-password"_s);
    QCOMPARE(answer.value(u"ok"_s).toBool(), false);
    QCOMPARE(answer.value(u"ref"_s).toInt(), 1);
    QVERIFY2(answer.value(u"error"_s)
                 .toString()
                 .startsWith(u"No keyring is available to keep the password;"_s),
             qPrintable(answer.value(u"error"_s).toString()));
    // A notice that needs the password fails with that reason, reported; nothing is sent.
    alice.send({{u"cmd"_s, u"contact"_s}, {u"peer"_s, bob}, {u"email"_s, u"bob@example.org"_s}});
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob}, {u"text"_s, u"hello"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(!alice.event(u"mail-failed"_s).isEmpty(), 20000);
    QCOMPARE(alice.event(u"mail-failed"_s).value(u"peer"_s).toString(), bob);
    QVERIFY(alice.event(u"mail-failed"_s).value(u"error"_s).toString().contains(u"keyring"_s));
    QVERIFY(smtp.mails().isEmpty());
    // The password is nowhere in the profile.
    QDirIterator it(dirA.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains("s3cret"), qPrintable(f.fileName()));
    }
}

void tst_MailCli::passwordThroughTheKeyring()
{
    const QString runSession = QStandardPaths::findExecutable(u"dbus-run-session"_s);
    const QString keyringDaemon = QStandardPaths::findExecutable(u"gnome-keyring-daemon"_s);
    if (runSession.isEmpty() || keyringDaemon.isEmpty())
        QSKIP("needs dbus-run-session and gnome-keyring-daemon (scripts/setup.sh installs them)");
    QTemporaryDir dirA, dirB, mailDir, home;
    SmtpServer smtp(mailDir.path(), u"alice:s3cret"_s);
    QTRY_VERIFY_WITH_TIMEOUT(smtp.ready(), 20000);
    // A private session bus and keyring (in a home of its own), unlocked, then shoal-cli in it.
    QStringList cli{QStringLiteral(SHOAL_CLI_PATH)};
    cli += cliArguments(dirA.path(), u"Alice"_s);
    QString command = u"export HOME='%1'; unset DISPLAY; "
                      u"echo -n test | gnome-keyring-daemon --unlock --components=secrets "
                      u">/dev/null 2>&1; exec"_s.arg(home.path());
    for (const QString &arg : cli)
        command += u" '"_s + arg + u"'"_s;
    CliProcess alice(runSession, {u"--"_s, u"sh"_s, u"-c"_s, command});
    // Whatever happens below: shoal-cli ends at the end of its input, and dbus-run-session then
    // ends the private bus and, with it, the keyring daemon (a kill would leave both behind).
    const auto endSession = qScopeGuard([&alice] {
        alice.process.closeWriteChannel();
        alice.process.waitForFinished(10000);
    });
    QTRY_VERIFY_WITH_TIMEOUT(!alice.id().isEmpty(), 20000);
    const QString bob = meetAndLeave(alice, dirB.path(), u"Bob"_s);
    QVERIFY(!bob.isEmpty());

    QJsonObject settings = mailSettings(smtp.port(), 1);
    settings.insert(u"user"_s, u"alice"_s);
    settings.insert(u"password"_s, u"s3cret"_s);
    alice.send(settings);
    QTRY_VERIFY_WITH_TIMEOUT(!alice.event(u"mail-password"_s).isEmpty(), 20000);
    QVERIFY2(alice.event(u"mail-password"_s).value(u"ok"_s).toBool(),
             qPrintable(alice.event(u"mail-password"_s).value(u"error"_s).toString()));
    alice.send({{u"cmd"_s, u"contact"_s}, {u"peer"_s, bob}, {u"email"_s, u"bob@example.org"_s}});
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob}, {u"text"_s, u"hello"_s}});
    // The server takes it only with the right password (AUTH required).
    QTRY_VERIFY_WITH_TIMEOUT(!alice.event(u"mail-sent"_s).isEmpty(), 20000);
    QCOMPARE(alice.event(u"mail-sent"_s).value(u"count"_s).toInt(), 1);
    QTRY_COMPARE(smtp.mails().size(), 1);
    QCOMPARE(smtp.mails().first().rcptTo, "bob@example.org");
    QVERIFY(alice.all(u"mail-failed"_s).isEmpty());

    // A wrong password in the keyring: the server refuses, the failure is reported.
    alice.send({{u"cmd"_s, u"mail"_s}, {u"password"_s, u"wrong"_s}, {u"ref"_s, 2}});
    QTRY_COMPARE_WITH_TIMEOUT(alice.all(u"mail-password"_s).size(), 2, 20000);
    QVERIFY(alice.all(u"mail-password"_s).at(1).value(u"ok"_s).toBool());
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob}, {u"text"_s, u"again"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(!alice.event(u"mail-failed"_s).isEmpty(), 20000);
    QVERIFY2(alice.event(u"mail-failed"_s).value(u"error"_s).toString().contains(u"refused"_s),
             qPrintable(alice.event(u"mail-failed"_s).value(u"error"_s).toString()));
    QCOMPARE(smtp.mails().size(), 1);
    for (const QString &dir : {dirA.path()}) {
        QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains("s3cret"), qPrintable(f.fileName()));
        }
    }
}

QTEST_GUILESS_MAIN(tst_MailCli)
#include "tst_mailcli.moc"
