// SPDX-License-Identifier: GPL-3.0-or-later
// Sealed envelopes (issue 16; docs/protocol.md, "Envelope"): what the recipient opens, and
// everything it must refuse: another recipient's, altered bytes, expired, re-addressed, a
// signature or certificate that is not the author's, a type that is not carried.
#include "identity/identity.h"
#include "identity/signer.h"
#include "protocol/messages.h"
#include "relay/envelope.h"
#include "relay/envelopeformat.h"

#include <QCborMap>
#include <QCborValue>
#include <QDateTime>
#include <QTest>

using namespace Qt::StringLiterals;
namespace Format = Relay::EnvelopeFormat;

Q_DECLARE_METATYPE(Protocol::Message)

class tst_Envelope : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTrip_data();
    void roundTrip();
    void largestChatFits();
    void wrongRecipient();
    void everyByteFlipped();
    void expiryAndSlack();
    void sealRefusesWhatNoOneReads();
    void reAddressedHeader();
    void signedByAnotherKey();
    void fromTheRecipientItself();
    void certificateNotTheAuthors();
    void nonCarriedTypeRefused();
    void truncatedAndOverSize();
    void readHeaderOnJunk_data();
    void readHeaderOnJunk();

private:
    // Seals `plaintext` for Bob as a Sealer would, with any inner content.
    QByteArray forge(const Format::Inner &inner, qint64 exp = 0);
    QByteArray sealChat(const QString &text, QByteArray *eid = nullptr);

    std::optional<Identity> m_alice;
    std::optional<Identity> m_bob;
    std::optional<Identity> m_carol;
    qint64 m_now = 0;
    qint64 m_exp = 0;
};

void tst_Envelope::initTestCase()
{
    QString error;
    m_alice = Identity::generate(&error);
    m_bob = Identity::generate(&error);
    m_carol = Identity::generate(&error);
    QVERIFY2(m_alice && m_bob && m_carol, qPrintable(error));
    m_now = QDateTime::currentMSecsSinceEpoch();
    m_exp = m_now + 3600 * 1000;
}

QByteArray tst_Envelope::sealChat(const QString &text, QByteArray *eid)
{
    Relay::Sealer sealer(*m_alice);
    QString error;
    const QByteArray envelope
        = sealer.seal(m_bob->certificate(),
                      Protocol::Chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), text},
                      m_exp,
                      eid,
                      &error);
    if (envelope.isEmpty())
        qWarning() << error;
    return envelope;
}

QByteArray tst_Envelope::forge(const Format::Inner &inner, qint64 exp)
{
    if (exp == 0)
        exp = m_exp;
    QString error;
    const QByteArray eid(Protocol::EnvelopeIdBytes, '\x42');
    const QByteArray envelope = Format::seal(m_bob->certificate().toDer(),
                                             m_bob->id(),
                                             eid,
                                             exp,
                                             Format::encodeInner(inner),
                                             &error);
    if (envelope.isEmpty())
        qWarning() << error;
    return envelope;
}

void tst_Envelope::roundTrip_data()
{
    QTest::addColumn<Protocol::Message>("message");
    const QDateTime ts = QDateTime::fromMSecsSinceEpoch(1'780'000'000'123, Qt::UTC);
    QTest::newRow("chat") << Protocol::Message(Protocol::Chat{QUuid::createUuid(), ts, u"hi Bob"_s});
    QTest::newRow("chat Chinese") << Protocol::Message(
        Protocol::Chat{QUuid::createUuid(), ts, u"你好，鲍勃！今天下午三点开会。\n第二行 🐟"_s});
    QTest::newRow("chat reply") << Protocol::Message(
        Protocol::Chat{QUuid::createUuid(), ts, u"好的"_s, QUuid::createUuid()});
    QTest::newRow("ack") << Protocol::Message(Protocol::Ack{QUuid::createUuid()});
    QTest::newRow("read") << Protocol::Message(Protocol::Read{QUuid::createUuid()});
    QTest::newRow("typing on") << Protocol::Message(Protocol::Typing{true});
    QTest::newRow("typing off") << Protocol::Message(Protocol::Typing{false});
}

void tst_Envelope::roundTrip()
{
    QFETCH(Protocol::Message, message);
    Relay::Sealer sealer(*m_alice);
    QString error;
    QByteArray eid;
    const QByteArray envelope = sealer.seal(m_bob->certificate(), message, m_exp, &eid, &error);
    QVERIFY2(!envelope.isEmpty(), qPrintable(error));
    QCOMPARE(eid.size(), Protocol::EnvelopeIdBytes);

    // A carrier reads the header, and nothing of the message in the clear.
    const auto header = Relay::readHeader(envelope, &error);
    QVERIFY2(header, qPrintable(error));
    QCOMPARE(header->to, m_bob->id());
    QCOMPARE(header->id, eid);
    QCOMPARE(header->expiresAt, m_exp);
    QCOMPARE(header->size, envelope.size());
    QVERIFY(!envelope.contains(m_alice->id().toLatin1()));
    QVERIFY(!envelope.contains(m_alice->certificate().toDer().left(64)));
    if (const auto *chat = std::get_if<Protocol::Chat>(&message))
        QVERIFY(!envelope.contains(chat->text.toUtf8()));

    Relay::Opener opener(*m_bob);
    const auto opened = opener.open(envelope, m_now, &error);
    QVERIFY2(opened, qPrintable(error));
    QCOMPARE(opened->author, m_alice->id());
    QCOMPARE(opened->authorCert, m_alice->certificate().toDer());
    QCOMPARE(opened->envelopeId, eid);
    QCOMPARE(opened->expiresAt, m_exp);
    QCOMPARE(Protocol::toString(opened->message), Protocol::toString(message));
    QVERIFY(opened->message == message);

    // Two seals of one message: other eids, other keys, other bytes.
    QByteArray eid2;
    const QByteArray again = sealer.seal(m_bob->certificate(), message, m_exp, &eid2, &error);
    QVERIFY(eid2 != eid);
    QVERIFY(again != envelope);
}

void tst_Envelope::largestChatFits()
{
    // The longest chat text (MaxTextBytes of UTF-8) seals within MaxEnvelopeBytes.
    const QString text = QString(Protocol::MaxTextBytes / 3, u'字') + u'x';
    QCOMPARE(text.toUtf8().size(), Protocol::MaxTextBytes);
    const QByteArray envelope = sealChat(text);
    QVERIFY(!envelope.isEmpty());
    QVERIFY(envelope.size() <= Protocol::MaxEnvelopeBytes);
    Relay::Opener opener(*m_bob);
    QString error;
    const auto opened = opener.open(envelope, m_now, &error);
    QVERIFY2(opened, qPrintable(error));
    QCOMPARE(std::get<Protocol::Chat>(opened->message).text, text);
}

void tst_Envelope::wrongRecipient()
{
    const QByteArray envelope = sealChat(u"for Bob only"_s);
    QString error;
    Relay::Opener carol(*m_carol);
    QVERIFY(!carol.open(envelope, m_now, &error));
    QVERIFY2(error.contains(u"not for us"_s), qPrintable(error));
    // Alice, its author, cannot open it either.
    Relay::Opener alice(*m_alice);
    QVERIFY(!alice.open(envelope, m_now, &error));
}

void tst_Envelope::everyByteFlipped()
{
    const QByteArray envelope = sealChat(u"不可更改"_s);
    QVERIFY(!envelope.isEmpty());
    Relay::Opener opener(*m_bob);
    QString error;
    QVERIFY2(opener.open(envelope, m_now, &error), qPrintable(error));
    int opened = 0;
    for (qsizetype i = 0; i < envelope.size(); ++i) {
        for (const char mask : {'\x01', '\x80', '\xff'}) {
            QByteArray bent = envelope;
            bent[i] = char(bent.at(i) ^ mask);
            if (opener.open(bent, m_now, &error)) {
                qWarning() << "opened with byte" << i << "xor" << int(quint8(mask));
                ++opened;
            }
        }
    }
    QCOMPARE(opened, 0);
}

void tst_Envelope::expiryAndSlack()
{
    Relay::Sealer sealer(*m_alice);
    Relay::Opener opener(*m_bob);
    QString error;
    const QByteArray envelope = sealer.seal(m_bob->certificate(),
                                            Protocol::Ack{QUuid::createUuid()},
                                            m_now,
                                            nullptr,
                                            &error);
    QVERIFY2(!envelope.isEmpty(), qPrintable(error));
    QVERIFY2(opener.open(envelope, m_now, &error), qPrintable(error));
    // Within the 2 minutes of slack: still opened; a millisecond past them: refused.
    QVERIFY2(opener.open(envelope, m_now + Relay::ClockSlackMs, &error), qPrintable(error));
    QVERIFY(!opener.open(envelope, m_now + Relay::ClockSlackMs + 1, &error));
    QVERIFY2(error.contains(u"expired"_s), qPrintable(error));
    // A carrier that moves the expiry later breaks the tag.
    auto fields = Format::decode(envelope, &error);
    QVERIFY(fields);
    fields->expiresAt += 24 * 3600 * 1000;
    QVERIFY(Relay::readHeader(Format::encode(*fields), &error)); // still an envelope's shape
    QVERIFY(!opener.open(Format::encode(*fields), m_now + Relay::ClockSlackMs + 1, &error));
    QVERIFY2(error.contains(u"does not open"_s), qPrintable(error));
}

void tst_Envelope::sealRefusesWhatNoOneReads()
{
    // What readHeader() and open() would refuse is not made: an expiry before 1970 (decode wants
    // exp >= 0), an eid that is not 16 bytes, a "to" that is not a peer ID.
    Relay::Sealer sealer(*m_alice);
    QString error;
    QByteArray eid("unchanged");
    QVERIFY(sealer.seal(m_bob->certificate(), Protocol::Typing{true}, -1, &eid, &error).isEmpty());
    QVERIFY2(error.contains(u"expiry"_s), qPrintable(error));
    QCOMPARE(eid, QByteArray("unchanged"));
    const QByteArray der = m_bob->certificate().toDer();
    const QByteArray id(Protocol::EnvelopeIdBytes, '\x42');
    QVERIFY(Format::seal(der, m_bob->id(), id, -1, "x", &error).isEmpty());
    QVERIFY(Format::seal(der, m_bob->id(), id.chopped(1), m_exp, "x", &error).isEmpty());
    QVERIFY(Format::seal(der, m_bob->id().toUpper(), id, m_exp, "x", &error).isEmpty());
    QVERIFY(Format::seal(der, m_bob->id(), id, m_exp, QByteArray(), &error).isEmpty());
    // The one made at the edge (exp 0) is read as made.
    const QByteArray edge = Format::seal(der, m_bob->id(), id, 0, "x", &error);
    QVERIFY2(!edge.isEmpty(), qPrintable(error));
    QVERIFY2(Relay::readHeader(edge, &error), qPrintable(error));
}

void tst_Envelope::reAddressedHeader()
{
    const QByteArray envelope = sealChat(u"for Bob"_s);
    QString error;
    auto fields = Format::decode(envelope, &error);
    QVERIFY2(fields, qPrintable(error));
    // Carol re-addresses it to herself: she cannot open it.
    Format::Fields toCarol = *fields;
    toCarol.to = m_carol->id();
    Relay::Opener carol(*m_carol);
    QVERIFY(!carol.open(Format::encode(toCarol), m_now, &error));
    // Another eid (to pass a replay off as new): Bob refuses it.
    Format::Fields otherId = *fields;
    otherId.id[0] = char(otherId.id.at(0) ^ 1);
    Relay::Opener bob(*m_bob);
    QVERIFY(!bob.open(Format::encode(otherId), m_now, &error));
    QVERIFY2(error.contains(u"does not open"_s), qPrintable(error));
    // Another ephemeral point (a valid one: Carol's own seal's).
    const QByteArray other = sealChat(u"another"_s);
    Format::Fields otherKey = *fields;
    otherKey.epk = Format::decode(other, &error)->epk;
    QVERIFY(!bob.open(Format::encode(otherKey), m_now, &error));
    // Unchanged, it still opens.
    QVERIFY2(bob.open(Format::encode(*fields), m_now, &error), qPrintable(error));
}

void tst_Envelope::signedByAnotherKey()
{
    // Carol seals a chat claiming Alice's certificate, signed with her own key.
    const QByteArray eid(Protocol::EnvelopeIdBytes, '\x42');
    const QByteArray m = Protocol::encode(
        Protocol::Chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"I am Alice"_s});
    Signer carolSigner(m_carol->privateKey());
    const QByteArray sig = carolSigner.sign(Format::signedBytes(m_bob->id(), eid, m_exp, m));
    QString error;
    Relay::Opener bob(*m_bob);
    QVERIFY(!bob.open(forge({m_alice->certificate().toDer(), m, sig}), m_now, &error));
    QVERIFY2(error.contains(u"signature"_s), qPrintable(error));
    // The same with her own certificate opens (the forge itself is sound), as Carol's.
    const auto opened = bob.open(forge({m_carol->certificate().toDer(), m, sig}), m_now, &error);
    QVERIFY2(opened, qPrintable(error));
    QCOMPARE(opened->author, m_carol->id());
    // Alice's signature over another recipient's bytes (Bob passing it to Carol): refused.
    Signer aliceSigner(m_alice->privateKey());
    const QByteArray forCarol = aliceSigner.sign(Format::signedBytes(m_carol->id(), eid, m_exp, m));
    QVERIFY(!bob.open(forge({m_alice->certificate().toDer(), m, forCarol}), m_now, &error));
    // A signature over another expiry: refused.
    const QByteArray otherExp = aliceSigner.sign(
        Format::signedBytes(m_bob->id(), eid, m_exp + 1, m));
    QVERIFY(!bob.open(forge({m_alice->certificate().toDer(), m, otherExp}), m_now, &error));
}

void tst_Envelope::fromTheRecipientItself()
{
    const QByteArray eid(Protocol::EnvelopeIdBytes, '\x42');
    const QByteArray m = Protocol::encode(Protocol::Ack{QUuid::createUuid()});
    Signer bobSigner(m_bob->privateKey());
    const QByteArray sig = bobSigner.sign(Format::signedBytes(m_bob->id(), eid, m_exp, m));
    QString error;
    Relay::Opener bob(*m_bob);
    QVERIFY(!bob.open(forge({m_bob->certificate().toDer(), m, sig}), m_now, &error));
    QVERIFY2(error.contains(u"from us"_s), qPrintable(error));
    // And a Sealer of Bob's own, for himself.
    Relay::Sealer sealer(*m_bob);
    const QByteArray own
        = sealer.seal(m_bob->certificate(), Protocol::Typing{true}, m_exp, nullptr, &error);
    QVERIFY(!own.isEmpty());
    QVERIFY(!bob.open(own, m_now, &error));
}

void tst_Envelope::certificateNotTheAuthors()
{
    const QByteArray eid(Protocol::EnvelopeIdBytes, '\x42');
    const QByteArray m = Protocol::encode(Protocol::Read{QUuid::createUuid()});
    Signer aliceSigner(m_alice->privateKey());
    const QByteArray sig = aliceSigner.sign(Format::signedBytes(m_bob->id(), eid, m_exp, m));
    const QByteArray der = m_alice->certificate().toDer();
    QString error;
    Relay::Opener bob(*m_bob);
    QVERIFY2(bob.open(forge({der, m, sig}), m_now, &error), qPrintable(error));
    // Alice's certificate with a byte after it: another ID than Alice's, and not a certificate.
    QVERIFY(!bob.open(forge({der + '\0', m, sig}), m_now, &error));
    // Alice's certificate cut short, or bytes that are no certificate.
    QVERIFY(!bob.open(forge({der.chopped(1), m, sig}), m_now, &error));
    QVERIFY(!bob.open(forge({QByteArray(300, '\x30'), m, sig}), m_now, &error));
    // Carol's certificate with Alice's signature: Carol's ID, not Alice's, and the check fails.
    QVERIFY(!bob.open(forge({m_carol->certificate().toDer(), m, sig}), m_now, &error));
    QVERIFY2(error.contains(u"signature"_s), qPrintable(error));
}

void tst_Envelope::nonCarriedTypeRefused()
{
    Relay::Sealer sealer(*m_alice);
    QString error;
    const QList<Protocol::Message> refused{
        Protocol::Bye{u"bye"_s},
        Protocol::Resend{},
        Protocol::Carry{true, true},
        Protocol::HoldEnvelope{QByteArray(10, 'e')},
        Protocol::GroupMessage{QByteArray(10, 'b'), QByteArray(10, 's')},
        Protocol::Unknown{u"x"_s},
    };
    Relay::Opener bob(*m_bob);
    Signer aliceSigner(m_alice->privateKey());
    const QByteArray eid(Protocol::EnvelopeIdBytes, '\x42');
    for (const Protocol::Message &message : refused) {
        QVERIFY(!Relay::isCarried(message));
        error.clear();
        QVERIFY(sealer.seal(m_bob->certificate(), message, m_exp, nullptr, &error).isEmpty());
        QVERIFY2(error.contains(u"not carried"_s), qPrintable(error));
        if (std::holds_alternative<Protocol::Unknown>(message))
            continue;
        // Sealed and signed anyway, by hand: Bob refuses it.
        const QByteArray m = Protocol::encode(message);
        const QByteArray sig = aliceSigner.sign(Format::signedBytes(m_bob->id(), eid, m_exp, m));
        QVERIFY(!bob.open(forge({m_alice->certificate().toDer(), m, sig}), m_now, &error));
        QVERIFY2(error.contains(u"not carried"_s), qPrintable(error));
    }
    // An inner "m" that is no wire message at all, signed.
    const QByteArray junk("\xa1\x61t\x01", 4);
    const QByteArray sig = aliceSigner.sign(Format::signedBytes(m_bob->id(), eid, m_exp, junk));
    QVERIFY(!bob.open(forge({m_alice->certificate().toDer(), junk, sig}), m_now, &error));
    QVERIFY2(error.contains(u"malformed"_s), qPrintable(error));
}

void tst_Envelope::truncatedAndOverSize()
{
    const QByteArray envelope = sealChat(u"short"_s);
    Relay::Opener bob(*m_bob);
    QString error;
    for (qsizetype n = 0; n < envelope.size(); ++n) {
        QVERIFY(!Relay::readHeader(envelope.left(n), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!bob.open(envelope.left(n), m_now, &error));
    }
    QVERIFY(!Relay::readHeader(envelope + '\0', &error)); // trailing bytes
    // An envelope's shape over MaxEnvelopeBytes: refused by the header's reader.
    auto fields = Format::decode(envelope, &error);
    QVERIFY(fields);
    fields->ct = QByteArray(Protocol::MaxEnvelopeBytes, 'c');
    QVERIFY(!Relay::readHeader(Format::encode(*fields), &error));
    QVERIFY2(error.contains(u"bytes"_s), qPrintable(error));
    // Sealing something that would not fit: refused at seal.
    QVERIFY(Format::seal(m_bob->certificate().toDer(),
                         m_bob->id(),
                         fields->id,
                         m_exp,
                         QByteArray(Protocol::MaxEnvelopeBytes, 'p'),
                         &error)
                .isEmpty());
    // A recipient certificate without a usable key.
    QVERIFY(Format::seal(QByteArray(100, '\x30'), m_bob->id(), fields->id, m_exp, "x", &error)
                .isEmpty());
    Relay::Sealer sealer(*m_alice);
    QVERIFY(
        sealer.seal(QSslCertificate(), Protocol::Typing{true}, m_exp, nullptr, &error).isEmpty());
}

void tst_Envelope::readHeaderOnJunk_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QString error;
    const QByteArray good = sealChat(u"x"_s);
    const auto fields = Format::decode(good, &error);
    QVERIFY(fields);
    const QCborMap map = QCborValue::fromCbor(good).toMap();
    const auto bent = [&](const QString &key, const QCborValue &value) {
        QCborMap m = map;
        if (value.isUndefined())
            m.remove(key);
        else
            m.insert(key, value);
        return m.toCborValue().toCbor();
    };
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("zeros") << QByteArray(200, '\0');
    QTest::newRow("text") << QByteArray("an envelope, honest");
    QTest::newRow("CBOR array") << QCborValue(QCborArray{1, 2}).toCbor();
    QTest::newRow("CBOR integer") << QCborValue(7).toCbor();
    QTest::newRow("empty map") << QCborValue(QCborMap()).toCbor();
    QTest::newRow("deep nesting") << QByteArray(5000, '\x81');
    QTest::newRow("indefinite map") << QByteArray("\xbf\x61v\x01\xff", 5);
    QTest::newRow("v 2") << bent(u"v"_s, 2);
    QTest::newRow("v text") << bent(u"v"_s, u"1"_s);
    QTest::newRow("without to") << bent(u"to"_s, QCborValue());
    QTest::newRow("to upper case") << bent(u"to"_s, fields->to.toUpper());
    QTest::newRow("to bytes") << bent(u"to"_s, fields->to.toLatin1());
    QTest::newRow("eid 15 bytes") << bent(u"eid"_s, fields->id.chopped(1));
    QTest::newRow("eid 17 bytes") << bent(u"eid"_s, fields->id + 'x');
    QTest::newRow("exp negative") << bent(u"exp"_s, -1);
    QTest::newRow("exp text") << bent(u"exp"_s, u"tomorrow"_s);
    QTest::newRow("exp float") << bent(u"exp"_s, 1.5e12);
    QTest::newRow("epk 64 bytes") << bent(u"epk"_s, fields->epk.chopped(1));
    QTest::newRow("epk compressed") << bent(u"epk"_s, '\x02' + fields->epk.mid(1, 32));
    QTest::newRow("ct only a tag") << bent(u"ct"_s, QByteArray(Format::TagBytes, 't'));
    QTest::newRow("without ct") << bent(u"ct"_s, QCborValue());
    QTest::newRow("an extra key") << bent(u"x"_s, 1);
    QCborMap reordered;
    reordered.insert(u"to"_s, map.value(u"to"_s));
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        if (it.key().toString() != u"to"_s)
            reordered.insert(it.key(), it.value());
    }
    QTest::newRow("keys reordered") << reordered.toCborValue().toCbor();
    // "exp" in a longer form than needed (a 64-bit head for a 41-bit value).
    QByteArray longExp = good;
    const qsizetype at = longExp.indexOf("\x63"
                                         "exp");
    QVERIFY(at > 0);
    QCOMPARE(quint8(longExp.at(at + 4)), quint8(0x1b)); // already 8 bytes: a time in ms
    longExp.replace(at + 4, 9, QByteArray("\x3b", 1) + QByteArray(8, '\0')); // -1: negative
    QTest::newRow("exp negative head") << longExp;
    // "v" in a longer form than needed (a 1-byte argument for 1): another encoding, refused.
    QByteArray longV = good;
    QVERIFY(longV.startsWith("\xa6\x61v\x01"));
    longV.replace(3, 1, QByteArray("\x18\x01", 2));
    QTest::newRow("v in a long form") << longV;
}

void tst_Envelope::readHeaderOnJunk()
{
    QFETCH(QByteArray, bytes);
    QString error;
    QVERIFY(!Relay::readHeader(bytes, &error));
    QVERIFY(!error.isEmpty());
    Relay::Opener bob(*m_bob);
    QVERIFY(!bob.open(bytes, m_now, &error));
}

QTEST_GUILESS_MAIN(tst_Envelope)
#include "tst_envelope.moc"
