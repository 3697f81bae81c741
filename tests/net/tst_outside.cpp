// SPDX-License-Identifier: GPL-3.0-or-later
// Attacks from outside the TLS session: whatever arrives before, instead of or in the middle of
// a mutual TLS 1.3 handshake, on the listening side (Alice accepts) and on the dialling side
// (Alice dials a server that answers junk, as one spoofed discovery announcement would make
// every Shoal on a LAN do). After every attack the attacker's connections must be gone and Bob,
// a legitimate peer, must still chat with Alice both ways. A crash fails the whole run.
#include "../common/rawpeer.h"
#include "../common/testpeer.h"
#include "../common/testports.h"
#include "../common/tlsrecords.h"
#include "discovery/announcement.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "net/tlsconfiguration.h"
#include "storage/messagestore.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSslServer>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Alice's display name: if it shows up in what an attacker reads, her hello went out.
const QString AliceName = u"Alice-under-attack"_s;
// An attack connection Alice can tell is bad must be gone well before her handshake limit
// (the shipped 10 s): closed because of what was sent, not because time ran out.
constexpr int PromptMs = 3000;

std::unique_ptr<Messenger> makeUnthrottledPeer(const QString &name)
{
    MessengerConfig config = testPeerConfig(name);
    // Hundreds of attack connections come from 127.0.0.1 here: no rate limit in the way.
    config.timeouts.newConnectionsPerAddressPerSecond = 1'000'000;
    return startPeer(config);
}

QByteArray randomBytes(QRandomGenerator &random, qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = char(random.bounded(256));
    return bytes;
}

// A TLS record with this content type and body (version bytes 03 03).
QByteArray record(char type, const QByteArray &body)
{
    QByteArray r;
    r += type;
    r += "\x03\x03";
    r += char(body.size() >> 8);
    r += char(body.size() & 0xff);
    return r + body;
}

QSslConfiguration clientConfig(const Identity *identity)
{
    return identity ? Tls::configuration(*identity) : Tls::configuration();
}

// A plain TCP connection that records everything the other side sends.
struct RawTcp
{
    RawTcp()
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] {
            received += socket.readAll();
        });
    }
    bool closed() const { return socket.state() == QAbstractSocket::UnconnectedState; }
    QTcpSocket socket;
    QByteArray received;
};

// Between a real Shoal client and Alice: passes Alice's bytes through untouched, and the
// client's record by record until `keep` have gone; when the next one starts, cuts there.
class CuttingRelay : public QObject
{
public:
    enum class Cut {
        Close,      // FIN to Alice
        Reset,      // RST to Alice
        HalfRecord, // half of the next record, then FIN
        Junk,       // a record of random bytes instead, and the connection stays open
    };

    CuttingRelay(quint16 alicePort, int keep, Cut cut)
        : m_alicePort(alicePort)
        , m_keep(keep)
        , m_cut(cut)
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_client = m_server.nextPendingConnection();
            connect(m_client, &QTcpSocket::readyRead, this, &CuttingRelay::fromClient);
            connect(&m_alice, &QTcpSocket::connected, this, &CuttingRelay::fromClient);
            connect(&m_alice, &QTcpSocket::readyRead, this, [this] {
                const QByteArray bytes = m_alice.readAll();
                if (m_client->state() == QAbstractSocket::ConnectedState)
                    m_client->write(bytes);
            });
            m_alice.connectToHost(QHostAddress::LocalHost, m_alicePort);
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    int forwarded() const { return m_forwarded; }
    bool hasCut() const { return m_hasCut; }
    bool aliceClosed() const { return m_alice.state() == QAbstractSocket::UnconnectedState; }

private:
    void fromClient()
    {
        if (m_hasCut || m_alice.state() != QAbstractSocket::ConnectedState)
            return;
        m_pending += m_client->readAll();
        while (!m_pending.isEmpty()) {
            if (m_forwarded == m_keep) {
                cut();
                return;
            }
            const qsizetype size = TlsRecords::recordSize(m_pending);
            if (size == 0)
                return;
            m_alice.write(m_pending.left(size));
            m_pending.remove(0, size);
            ++m_forwarded;
        }
    }

    void cut()
    {
        m_hasCut = true;
        QRandomGenerator random(m_keep);
        switch (m_cut) {
        case Cut::Close:
            m_alice.disconnectFromHost();
            break;
        case Cut::Reset:
            m_alice.abort();
            break;
        case Cut::HalfRecord:
            m_alice.write(m_pending.left(std::max<qsizetype>(1, m_pending.size() / 2)));
            m_alice.disconnectFromHost();
            break;
        case Cut::Junk:
            m_alice.write(record(m_keep == 0 ? '\x16' : '\x17', randomBytes(random, 64)));
            break;
        }
        m_client->abort();
    }

    quint16 m_alicePort;
    int m_keep;
    Cut m_cut;
    QTcpServer m_server;
    QTcpSocket *m_client = nullptr;
    QTcpSocket m_alice;
    QByteArray m_pending;
    int m_forwarded = 0;
    bool m_hasCut = false;
};

} // namespace

Q_DECLARE_METATYPE(CuttingRelay::Cut)

class tst_Outside : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void everyVersionAndCipherOfOpenSsl_data();
    void everyVersionAndCipherOfOpenSsl();
    void junkBeforeTheHandshake_data();
    void junkBeforeTheHandshake();
    void randomBytesDuringTheHandshake();
    void handshakeCutAtEveryRecord_data();
    void handshakeCutAtEveryRecord();
    void oversizedCertificate_data();
    void oversizedCertificate();
    void clientWithoutCertificate();
    void dialledServerAnswersJunk_data();
    void dialledServerAnswersJunk();
    void spoofedAnnouncementPointsAtJunk();

private:
    // All attack connections gone, and Bob and Alice still exchange messages both ways.
    void verifyStillChatting();
    // Runs `openssl` with `args`, stdin at EOF, letting the event loop (Alice) run meanwhile.
    bool runOpenSsl(const QStringList &args, QByteArray *output, int ms = 10000);

    QString m_openssl;
    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
    int m_round = 0;
};

void tst_Outside::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
    m_openssl = QStandardPaths::findExecutable(u"openssl"_s);
}

void tst_Outside::init()
{
    m_alice = makeUnthrottledPeer(AliceName);
    m_bob = makeUnthrottledPeer(u"Bob"_s);
    QString error;
    QVERIFY(m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error));
    QTRY_VERIFY(m_alice->connections().isConnected(m_bob->id())
                && m_bob->connections().isConnected(m_alice->id()));
}

void tst_Outside::cleanup()
{
    m_bob.reset();
    m_alice.reset();
}

void tst_Outside::verifyStillChatting()
{
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->connections().connectionCount(), 1, PromptMs); // Bob
    QVERIFY(m_alice->connections().isConnected(m_bob->id()));
    ++m_round;
    QString error;
    const auto toAlice = m_bob->sendMessage(m_alice->id(),
                                            u"still there? %1"_s.arg(m_round),
                                            &error);
    const auto toBob = m_alice->sendMessage(m_bob->id(), u"still here %1"_s.arg(m_round), &error);
    QVERIFY2(toAlice && toBob, qPrintable(error));
    QTRY_COMPARE(m_bob->history().message(*toAlice)->state, MessageState::Delivered);
    QTRY_COMPARE(m_alice->history().message(*toBob)->state, MessageState::Delivered);
}

bool tst_Outside::runOpenSsl(const QStringList &args, QByteArray *output, int ms)
{
    QProcess process;
    process.start(m_openssl, args);
    process.closeWriteChannel();
    // Not waitForFinished(): that would block the event loop Alice answers from.
    const bool done = QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, ms);
    if (!done) {
        process.kill();
        process.waitForFinished(1000);
    }
    *output = process.readAllStandardOutput() + process.readAllStandardError();
    return done;
}

void tst_Outside::everyVersionAndCipherOfOpenSsl_data()
{
    // Each row: one protocol version; the test tries every cipher (suite) openssl has for it,
    // one connection each. Security level 0 lets openssl offer what it otherwise would not.
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("extra");
    QTest::newRow("TLS 1.0") << u"-tls1"_s << QString();
    QTest::newRow("TLS 1.1") << u"-tls1_1"_s << QString();
    QTest::newRow("TLS 1.2") << u"-tls1_2"_s << QString();
    QTest::newRow("TLS 1.3") << u"-tls1_3"_s << QString();
    // TLS 1.3 key exchange groups: a HelloRetryRequest, or none in common.
    for (const char *group : {"X448", "P-256", "P-384", "P-521", "ffdhe2048", "ffdhe8192"})
        QTest::addRow("TLS 1.3 group %s", group) << u"-tls1_3"_s << QString::fromLatin1(group);
    QTest::newRow("any version") << QString() << QString();
}

void tst_Outside::everyVersionAndCipherOfOpenSsl()
{
    if (m_openssl.isEmpty())
        QSKIP("the openssl command is not installed");
    QFETCH(QString, version);
    QFETCH(QString, extra);
    const QString connect = u"127.0.0.1:%1"_s.arg(m_alice->port());
    QList<QStringList> runs;
    if (!extra.isEmpty()) {
        runs.append({u"-groups"_s, extra});
    } else if (version == u"-tls1_3"_s) {
        for (const char *suite : {"TLS_AES_128_GCM_SHA256",
                                  "TLS_AES_256_GCM_SHA384",
                                  "TLS_CHACHA20_POLY1305_SHA256",
                                  "TLS_AES_128_CCM_SHA256",
                                  "TLS_AES_128_CCM_8_SHA256"}) {
            runs.append({u"-ciphersuites"_s, QString::fromLatin1(suite)});
        }
    } else if (version.isEmpty()) {
        runs.append({u"-cipher"_s, u"ALL:@SECLEVEL=0"_s});
    } else {
        QByteArray list;
        QVERIFY(runOpenSsl({u"ciphers"_s, u"-s"_s, version, u"ALL:COMPLEMENTOFALL:@SECLEVEL=0"_s},
                           &list));
        const auto ciphers = QString::fromLatin1(list).trimmed().split(u':', Qt::SkipEmptyParts);
        QVERIFY2(!ciphers.isEmpty(), list.constData());
        for (const QString &cipher : ciphers)
            runs.append({u"-cipher"_s, cipher + u":@SECLEVEL=0"_s});
    }
    int connected = 0;
    int handshakes = 0;
    for (const QStringList &run : std::as_const(runs)) {
        // -ign_eof: openssl keeps reading until Alice closes, so whatever she sends is seen.
        QStringList args{u"s_client"_s, u"-connect"_s, connect, u"-ign_eof"_s};
        if (!version.isEmpty())
            args.append(version);
        args += run;
        QByteArray output;
        QVERIFY2(runOpenSsl(args, &output),
                 qPrintable(
                     u"Alice kept `openssl %1` waiting: %2"_s.arg(args.join(u' '),
                                                                  QString::fromUtf8(output))));
        connected += output.contains("CONNECTED(");
        handshakes += output.contains("Cipher is TLS_");
        QVERIFY2(!output.contains(AliceName.toUtf8()),
                 qPrintable(u"Alice's hello reached `openssl %1`"_s.arg(args.join(u' '))));
    }
    qInfo() << runs.size() << "ClientHellos," << connected << "connected," << handshakes
            << "completed TLS 1.3 without a client certificate";
    QVERIFY(connected > 0);
    verifyStillChatting();
}

void tst_Outside::junkBeforeTheHandshake_data()
{
    QTest::addColumn<QByteArray>("bytes");
    // True: Alice can tell at once that this is not TLS 1.3 and must close by herself.
    QTest::addColumn<bool>("refusedAtOnce");
    QRandomGenerator random(20261204); // fixed: a failure can be replayed
    const QByteArray clientHello = TlsRecords::recordClientHello(clientConfig(nullptr));
    QVERIFY(!clientHello.isEmpty());
    QTest::newRow("junk shaped like a handshake record")
        << QByteArray("\x16\x03\x01\x00\x05hello", 10) << true;
    QTest::newRow("alert first") << record('\x15', QByteArray("\x02\x28", 2)) << true;
    QTest::newRow("change cipher spec first") << record('\x14', QByteArray(1, '\x01')) << true;
    QTest::newRow("application data first") << record('\x17', randomBytes(random, 32)) << true;
    QTest::newRow("record over the size limit")
        << QByteArray("\x16\x03\x01\xff\xff", 5) + randomBytes(random, 200) << true;
    QTest::newRow("HTTP request") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << true;
    QTest::newRow("SSLv2 ClientHello")
        << QByteArray("\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10", 11) + QByteArray(21, '\x01')
               + randomBytes(random, 16)
        << true;
    QTest::newRow("ClientHello, then a junk record")
        << clientHello + record('\x17', randomBytes(random, 48)) << true;
    QTest::newRow("ClientHello twice") << clientHello + clientHello << true;
    QByteArray lying = clientHello;
    lying[6] = lying[7] = '\0'; // the ClientHello claims 16 bytes; its record holds more
    lying[8] = '\x10';
    QTest::newRow("ClientHello shorter than its record") << lying << true;
    QTest::newRow("empty handshake record") << record('\x16', {}) << false;
    QTest::newRow("half a ClientHello") << clientHello.left(clientHello.size() / 2) << false;
    QTest::newRow("zeros") << QByteArray(4096, '\0') << false;
    for (int i = 0; i < 8; ++i)
        QTest::addRow("random %d", i) << randomBytes(random, 1 + random.bounded(70000)) << false;
}

void tst_Outside::junkBeforeTheHandshake()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, refusedAtOnce);
    RawTcp raw;
    raw.socket.connectToHost(QHostAddress::LocalHost, m_alice->port());
    QTRY_COMPARE(raw.socket.state(), QAbstractSocket::ConnectedState);
    raw.socket.write(bytes);
    if (refusedAtOnce)
        QTRY_VERIFY_WITH_TIMEOUT(raw.closed(), PromptMs);
    else
        QTRY_VERIFY(raw.socket.bytesToWrite() == 0 || raw.closed());
    raw.socket.disconnectFromHost();
    verifyStillChatting();
}

void tst_Outside::randomBytesDuringTheHandshake()
{
    // A real ClientHello; once Alice has answered it, random bytes, some shaped like records.
    QRandomGenerator random(4711);
    const QByteArray clientHello = TlsRecords::recordClientHello(clientConfig(nullptr));
    QVERIFY(!clientHello.isEmpty());
    for (int i = 0; i < 40; ++i) {
        RawTcp raw;
        raw.socket.connectToHost(QHostAddress::LocalHost, m_alice->port());
        QTRY_COMPARE(raw.socket.state(), QAbstractSocket::ConnectedState);
        raw.socket.write(clientHello);
        QTRY_VERIFY(!raw.received.isEmpty()); // her ServerHello .. Finished
        QByteArray junk = randomBytes(random, 1 + random.bounded(2000));
        if (i % 2)
            junk = record(char(0x14 + random.bounded(4)), junk.left(1 + random.bounded(300)));
        raw.socket.write(junk);
        QTRY_VERIFY(raw.socket.bytesToWrite() == 0 || raw.closed());
        raw.socket.disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(m_alice->connections().connectionCount(), 1, PromptMs);
    }
    verifyStillChatting();
}

void tst_Outside::handshakeCutAtEveryRecord_data()
{
    QTest::addColumn<CuttingRelay::Cut>("cut");
    QTest::newRow("closed") << CuttingRelay::Cut::Close;
    QTest::newRow("reset") << CuttingRelay::Cut::Reset;
    QTest::newRow("half a record, then closed") << CuttingRelay::Cut::HalfRecord;
    QTest::newRow("a junk record instead") << CuttingRelay::Cut::Junk;
}

void tst_Outside::handshakeCutAtEveryRecord()
{
    // A real Shoal client's handshake through a relay that lets its first k records through
    // and cuts at the next, for every k the handshake has.
    QFETCH(CuttingRelay::Cut, cut);
    QString error;
    const Identity mallory = *Identity::generate(&error);
    int records = 0;
    {
        CuttingRelay whole(m_alice->port(), std::numeric_limits<int>::max(), cut);
        RawPeer client(mallory);
        client.socket.connectToHostEncrypted(u"127.0.0.1"_s, whole.port());
        // Alice's hello arrives once she has the client's whole flight.
        QTRY_VERIFY(!client.received.isEmpty());
        records = whole.forwarded();
    }
    QVERIFY2(records >= 2, "a ClientHello and at least the client's Finished");
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->connections().connectionCount(), 1, PromptMs);
    // Three rounds: whether a cut crashed Alice (before the fix) depended on timing.
    for (int round = 0; round < 3 * records; ++round) {
        const int keep = round % records;
        CuttingRelay relay(m_alice->port(), keep, cut);
        RawPeer client(mallory);
        client.socket.connectToHostEncrypted(u"127.0.0.1"_s, relay.port());
        QTRY_VERIFY(relay.hasCut());
        if (cut == CuttingRelay::Cut::Junk) // Alice must see it is junk and close by herself
            QTRY_VERIFY_WITH_TIMEOUT(relay.aliceClosed(), PromptMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_alice->connections().connectionCount(), 1, PromptMs);
        QVERIFY(client.received.isEmpty());
    }
    qInfo() << "cut after each of" << records << "client records";
    verifyStillChatting();
}

void tst_Outside::oversizedCertificate_data()
{
    QTest::addColumn<int>("extensionBytes");
    QTest::addColumn<bool>("acceptable");
    // Over OpenSSL's 100 KiB limit the handshake fails (before the fix this crashed Alice,
    // depending on how much of the certificate had arrived when she gave up).
    QTest::newRow("101 KiB") << 101 * 1024 << false;
    QTest::newRow("200 KiB") << 200 * 1024 << false;
    QTest::newRow("1 MiB") << 1024 * 1024 << false;
    QTest::newRow("4 MiB") << 4 * 1024 * 1024 << false;
    QTest::newRow("60 KiB") << 60 * 1024 << true; // under it: a peer with a big certificate
}

void tst_Outside::oversizedCertificate()
{
    if (m_openssl.isEmpty())
        QSKIP("the openssl command is not installed");
    QFETCH(int, extensionBytes);
    QFETCH(bool, acceptable);
    QTemporaryDir dir;
    QFile cnf(dir.filePath(u"big.cnf"_s));
    QVERIFY(cnf.open(QIODevice::WriteOnly));
    cnf.write("[req]\ndistinguished_name=dn\nprompt=no\nx509_extensions=ext\n[dn]\nCN=big\n"
              "[ext]\n1.2.3.4.5.6=ASN1:UTF8String:"
              + QByteArray(extensionBytes, 'A') + "\n");
    cnf.close();
    QByteArray output;
    QVERIFY(runOpenSsl({u"req"_s,
                        u"-x509"_s,
                        u"-newkey"_s,
                        u"ec"_s,
                        u"-pkeyopt"_s,
                        u"ec_paramgen_curve:prime256v1"_s,
                        u"-nodes"_s,
                        u"-days"_s,
                        u"2"_s,
                        u"-config"_s,
                        cnf.fileName(),
                        u"-keyout"_s,
                        dir.filePath(u"k.pem"_s),
                        u"-out"_s,
                        dir.filePath(u"c.pem"_s)},
                       &output));
    const auto certificates = QSslCertificate::fromPath(dir.filePath(u"c.pem"_s));
    QFile keyFile(dir.filePath(u"k.pem"_s));
    QVERIFY2(certificates.size() == 1 && keyFile.open(QIODevice::ReadOnly), output.constData());
    QVERIFY(certificates.constFirst().toDer().size() > extensionBytes);
    QSslConfiguration config = clientConfig(nullptr);
    config.setLocalCertificate(certificates.constFirst());
    config.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec));
    QSslSocket client;
    client.setSslConfiguration(config);
    client.connectToHostEncrypted(u"127.0.0.1"_s, m_alice->port());
    if (acceptable) {
        QTRY_VERIFY(client.isEncrypted());
        client.disconnectFromHost();
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == QAbstractSocket::UnconnectedState, PromptMs);
        QVERIFY(!client.isEncrypted());
    }
    verifyStillChatting();
}

void tst_Outside::clientWithoutCertificate()
{
    // TLS 1.3 completes without a client certificate (Alice only asks for one). Such a client
    // must learn nothing about Alice (no hello: name, ID, port) and be closed at once.
    QSslSocket anonymous;
    anonymous.setSslConfiguration(clientConfig(nullptr));
    QByteArray received;
    QElapsedTimer clock;
    qint64 closedAfterMs = -1;
    connect(&anonymous, &QSslSocket::encrypted, &anonymous, [&] { clock.start(); });
    connect(&anonymous, &QSslSocket::disconnected, &anonymous, [&] {
        closedAfterMs = clock.elapsed();
    });
    connect(&anonymous, &QSslSocket::readyRead, &anonymous, [&] {
        received += anonymous.readAll();
    });
    anonymous.connectToHostEncrypted(u"127.0.0.1"_s, m_alice->port());
    QTRY_VERIFY(clock.isValid()); // the handshake completed
    QTRY_VERIFY_WITH_TIMEOUT(anonymous.state() == QAbstractSocket::UnconnectedState, PromptMs);
    qInfo() << "closed" << closedAfterMs << "ms after the handshake";
    FrameDecoder decoder(Protocol::MaxFrameSize);
    QList<QByteArray> frames;
    QVERIFY(decoder.feed(received, &frames));
    for (const QByteArray &frame : std::as_const(frames)) {
        QString error;
        const auto message = Protocol::decode(frame, &error);
        QVERIFY2(message, qPrintable(error));
        QVERIFY2(std::holds_alternative<Protocol::Bye>(*message),
                 qPrintable(Protocol::toString(*message)));
    }
    QVERIFY(!received.contains(AliceName.toUtf8()));
    QVERIFY(!received.contains(m_alice->id().toLatin1()));
    verifyStillChatting();
}

void tst_Outside::dialledServerAnswersJunk_data()
{
    QTest::addColumn<QString>("server");
    QTest::newRow("garbage at once") << u"garbage"_s;
    QTest::newRow("junk record after the ClientHello") << u"junk-record"_s;
    QTest::newRow("random bytes after the ClientHello") << u"random"_s;
    QTest::newRow("HTTP answer") << u"http"_s;
    QTest::newRow("fatal alert") << u"alert"_s;
    QTest::newRow("closes at once") << u"close"_s;
    QTest::newRow("resets at once") << u"reset"_s;
    QTest::newRow("TLS 1.2 only (QSslServer)") << u"tls12"_s;
    QTest::newRow("TLS 1.2 only (openssl s_server)") << u"s_server"_s;
}

void tst_Outside::dialledServerAnswersJunk()
{
    QFETCH(QString, server);
    QRandomGenerator random(99);
    QString error;
    const Identity trap = *Identity::generate(&error);
    QSslConfiguration tls12 = Tls::configuration(trap);
    tls12.setProtocol(QSsl::TlsV1_2);
    QSslServer sslServer;
    sslServer.setSslConfiguration(tls12);
    QTcpServer plainServer;
    QTcpServer &listener = server == u"tls12"_s ? sslServer : plainServer;
    quint16 port = 0;
    QTemporaryDir dir;
    QProcess sServer;
    if (server == u"s_server"_s) {
        if (m_openssl.isEmpty())
            QSKIP("the openssl command is not installed");
        QFile cert(dir.filePath(u"c.pem"_s));
        QFile key(dir.filePath(u"k.pem"_s));
        QVERIFY(cert.open(QIODevice::WriteOnly) && key.open(QIODevice::WriteOnly));
        cert.write(trap.certificate().toPem());
        key.write(trap.privateKey().toPem());
        cert.close();
        key.close();
        QTcpServer probe; // a free port on loopback for openssl to take
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
        probe.close();
        sServer.start(m_openssl,
                      {u"s_server"_s,
                       u"-accept"_s,
                       u"127.0.0.1:%1"_s.arg(port),
                       u"-tls1_2"_s,
                       u"-naccept"_s,
                       u"1"_s,
                       u"-cert"_s,
                       cert.fileName(),
                       u"-key"_s,
                       key.fileName()});
        QByteArray said;
        QTRY_VERIFY((said += sServer.readAllStandardOutput()).contains("ACCEPT")
                    || sServer.state() == QProcess::NotRunning);
        QCOMPARE(sServer.state(), QProcess::Running);
    } else {
        QVERIFY(listener.listen(QHostAddress::LocalHost));
        port = listener.serverPort();
        connect(&listener, &QTcpServer::pendingConnectionAvailable, this, [&] {
            QTcpSocket *s = listener.nextPendingConnection();
            if (server == u"garbage"_s)
                s->write(randomBytes(random, 4096));
            else if (server == u"close"_s)
                s->disconnectFromHost();
            else if (server == u"reset"_s)
                s->abort();
            connect(s, &QTcpSocket::readyRead, s, [&, s] {
                s->readAll();
                if (server == u"junk-record"_s)
                    s->write(QByteArray("\x16\x03\x03\x00\x05hello", 10));
                else if (server == u"random"_s)
                    s->write(randomBytes(random, 1 + random.bounded(3000)));
                else if (server == u"http"_s)
                    s->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                else if (server == u"alert"_s)
                    s->write(record('\x15', QByteArray("\x02\x28", 2)));
            });
        });
    }
    QSignalSpy finished(m_alice.get(), &Messenger::connectFinished);
    const int attempt = m_alice->connectToAddress(u"127.0.0.1:%1"_s.arg(port), &error);
    QVERIFY2(attempt, qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, PromptMs);
    QCOMPARE(finished.at(0).at(0).toInt(), attempt);
    QVERIFY(finished.at(0).at(1).toString().isEmpty());  // no peer
    QVERIFY(!finished.at(0).at(2).toString().isEmpty()); // a reason for the person
    qInfo() << "refused:" << finished.at(0).at(2).toString();
    verifyStillChatting();
    if (sServer.state() != QProcess::NotRunning) {
        sServer.kill();
        sServer.waitForFinished(1000);
    }
}

void tst_Outside::spoofedAnnouncementPointsAtJunk()
{
    // Discovery makes every Shoal dial what is announced: one datagram naming a junk server
    // made every Shoal that heard it dial it (and, before the fix, crash).
    QString error;
    MessengerConfig config;
    config.name = u"Carol"_s;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    const quint16 lanPort = freeUdpPort();
    config.discovery = DiscoveryConfig{lanPort, {QHostAddress(u"127.255.255.255"_s)}, 30'000};
    Messenger carol(*Identity::generate(&error), config);
    QVERIFY2(carol.start(), qPrintable(carol.errorString()));
    int dialled = 0;
    QTcpServer junk;
    QVERIFY(junk.listen(QHostAddress::LocalHost));
    connect(&junk, &QTcpServer::pendingConnectionAvailable, this, [&] {
        QTcpSocket *s = junk.nextPendingConnection();
        ++dialled;
        connect(s, &QTcpSocket::readyRead, s, [s] {
            s->readAll();
            s->write(QByteArray("\x16\x03\x03\x00\x05hello", 10));
        });
    });
    Announcement spoof;
    spoof.kind = Announcement::Kind::Hello;
    spoof.peerId = QString(64, u'f'); // above Carol's ID: she dials at once
    spoof.instance = QUuid::createUuid();
    spoof.name = u"Bob"_s;
    spoof.port = junk.serverPort();
    QUdpSocket eve;
    QVERIFY(eve.bind(QHostAddress::LocalHost, 0));
    QCOMPARE(eve.writeDatagram(spoof.encode(), QHostAddress::LocalHost, lanPort),
             qint64(spoof.encode().size()));
    QTRY_VERIFY(dialled >= 1);
    QTRY_COMPARE_WITH_TIMEOUT(carol.connections().connectionCount(), 0, PromptMs);
    // Carol is still there for a real peer. (Bob keeps her to himself: Alice, told of her by
    // peer exchange, would connect to her, and verifyStillChatting() counts Alice's
    // connections.)
    m_bob->setPeerExchange(false);
    QVERIFY(m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(carol.port()), &error));
    QTRY_VERIFY(carol.connections().isConnected(m_bob->id()));
    const auto id = m_bob->sendMessage(carol.id(), u"hi Carol"_s, &error);
    QVERIFY2(id, qPrintable(error));
    QTRY_COMPARE(m_bob->history().message(*id)->state, MessageState::Delivered);
    verifyStillChatting();
}

QTEST_GUILESS_MAIN(tst_Outside)
#include "tst_outside.moc"
