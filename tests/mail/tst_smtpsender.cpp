// SPDX-License-Identifier: GPL-3.0-or-later
// E-mail notices (issue 16): SmtpSender never blocks the event loop, answers later (never from
// within send()), says what went wrong, and lets go at once when destroyed mid-send. Servers
// here are on 127.0.0.1 only (a silent one, a closed port).
#include "mail/smtpsender.h"
#include "testports.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

MailSettings loopbackServer(quint16 port)
{
    MailSettings s;
    s.enabled = true;
    s.host = u"127.0.0.1"_s;
    s.port = port;
    s.security = MailSettings::Security::None;
    s.fromAddress = u"alice@example.com"_s;
    return s;
}

MailMessage notice()
{
    MailMessage m;
    m.fromName = u"Alice"_s;
    m.fromAddress = u"alice@example.com"_s;
    m.toAddress = u"bob@example.org"_s;
    m.subject = u"Alice sent you 1 message(s) in Shoal"_s;
    m.body = u"hello"_s;
    return m;
}

} // namespace

class tst_SmtpSender : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void silentServerDoesNotBlock();
    void closedPort();
    void badAddressAnsweredLater();
    void passwordUnavailable();
    void destroyedMidSend();
};

void tst_SmtpSender::silentServerDoesNotBlock()
{
    QTcpServer silent; // accepts, never greets
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    SmtpSender sender;
    sender.setServer(loopbackServer(silent.serverPort()));
    sender.setTimeouts(1, 2);
    QSignalSpy finished(&sender, &MailTransport::finished);
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&ticks] { ++ticks; });
    tick.start(50);
    const quint64 ticket = sender.send(notice());
    QCOMPARE(finished.size(), 0);
    QVERIFY(finished.wait(10000));
    // The loop kept running while libcurl waited for the greeting (about 1 s).
    QVERIFY2(ticks >= 10, qPrintable(QString::number(ticks)));
    QCOMPARE(finished.first().at(0).toULongLong(), ticket);
    QCOMPARE(finished.first().at(1).toString(),
             u"The mail server 127.0.0.1 did not answer in time."_s);
}

void tst_SmtpSender::closedPort()
{
    SmtpSender sender;
    sender.setServer(loopbackServer(freeTcpPort())); // nobody listens there
    QSignalSpy finished(&sender, &MailTransport::finished);
    sender.send(notice());
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.first().at(1).toString().startsWith(
                 u"The mail server 127.0.0.1 could not be reached"_s),
             qPrintable(finished.first().at(1).toString()));
}

void tst_SmtpSender::badAddressAnsweredLater()
{
    SmtpSender sender;
    sender.setServer(loopbackServer(freeTcpPort()));
    QSignalSpy finished(&sender, &MailTransport::finished);
    MailMessage m = notice();
    m.toAddress = u"bob@example.org>\r\nRCPT TO:<eve@example.net"_s;
    sender.send(m);
    QCOMPARE(finished.size(), 0); // never from within send()
    QVERIFY(finished.wait(5000));
    QVERIFY(finished.first().at(1).toString().startsWith(u"Not an e-mail address"_s));
}

void tst_SmtpSender::passwordUnavailable()
{
    SmtpSender sender;
    MailSettings s = loopbackServer(freeTcpPort());
    s.user = u"alice"_s;
    sender.setServer(s);
    sender.setPassword({}, u"No keyring is available to keep the password; (test)"_s);
    QSignalSpy finished(&sender, &MailTransport::finished);
    sender.send(notice());
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().at(1).toString(),
             u"No keyring is available to keep the password; (test)"_s);
}

void tst_SmtpSender::destroyedMidSend()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    auto sender = std::make_unique<SmtpSender>();
    sender->setServer(loopbackServer(silent.serverPort()));
    QSignalSpy finished(sender.get(), &MailTransport::finished);
    sender->send(notice());
    QTRY_VERIFY(silent.hasPendingConnections()); // libcurl is connected and waiting
    QElapsedTimer t;
    t.start();
    sender.reset(); // the transfer is aborted, not waited for (20 s)
    QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(finished.size(), 0);
}

QTEST_GUILESS_MAIN(tst_SmtpSender)
#include "tst_smtpsender.moc"
