// SPDX-License-Identifier: GPL-3.0-or-later
// Writes seeds for the fuzz targets: one frame per message type (corpus/fuzz_protocol), group
// message and receipt bodies of every kind (corpus/fuzz_groupbody), one
// datagram per announcement kind (corpus/fuzz_announcement), what a peer sends in a few
// typical sessions after its hello (corpus/fuzz_connection), and the frames of a real session
// between two peers over loopback TLS (both, as "real-session"), and what a client sends to
// a listening socket before TLS: real ClientHellos and junk shaped like records
// (corpus/fuzz_listener).
#include "discovery/announcement.h"
#include "groups/groupbody.h"
#include "groups/grouplimits.h"
#include "identity/identity.h"
#include "identity/signer.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/tlsconfiguration.h"
#include "protocol/framedecoder.h"
#include "protocol/messages.h"
#include "relay/envelope.h"
#include "relay/envelopeformat.h"
#include "storage/messagestore.h"

#include "../common/tlsrecords.h"
#include "fuzzenvelopeidentity.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QtEndian>

#include <cstdio>
#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

// A real session between two Shoal peers over loopback TLS: everything Bob sends to Alice
// after his hello (his messages, the acknowledgements and read receipts for hers), as the
// frames Alice received. Empty if it could not run.
QByteArray recordSession()
{
    QString error;
    auto makePeer = [&](const QString &name) {
        MessengerConfig config;
        config.name = name;
        config.listenAddress = QHostAddress::LocalHost;
        config.port = 0;
        return std::make_unique<Messenger>(*Identity::generate(&error), config);
    };
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    if (!alice->start() || !bob->start())
        return {};
    QByteArray stream;
    QObject::connect(&alice->connections(),
                     &ConnectionRegistry::messageReceived,
                     [&](const QString &, const Protocol::Message &m) {
                         stream += Protocol::encodeFrame(m);
                     });
    auto waitFor = [](const std::function<bool()> &done) {
        QDeadlineTimer deadline(10000);
        while (!done() && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return done();
    };
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    if (!waitFor([&] { return alice->connections().isConnected(bob->id()); }))
        return {};
    bob->setActiveConversation(alice->id(), true); // Bob reads what comes: read receipts
    for (int i = 0; i < 3; ++i) {
        bob->sendMessage(alice->id(), u"hello Alice %1, 你好"_s.arg(i), &error);
        alice->sendMessage(bob->id(), u"hi Bob %1\nsecond line"_s.arg(i), &error);
    }
    waitFor([&] {
        return !bob->history().hasUndelivered(alice->id())
               && !alice->history().hasUndelivered(bob->id()) && stream.count("read") >= 3;
    });
    stream += Protocol::encodeFrame(Protocol::Bye{u"shutting down"_s}); // as Bob's shutdown
    return stream;
}

// A frame around any CBOR map, well-formed or not as a message.
QByteArray rawFrame(const QCborMap &map)
{
    const QByteArray payload = map.toCborValue().toCbor();
    QByteArray out(4, '\0');
    qToBigEndian(quint32(payload.size()), out.data());
    return out + payload;
}

QCborMap with(QCborMap map, const QString &key, const QCborValue &value)
{
    map.insert(key, value);
    return map;
}

QCborMap without(QCborMap map, const QString &key)
{
    map.remove(key);
    return map;
}

// A group's log as its owner writes it: create, texts, add, rename, remove, leave; each body
// chained to the one before and signed.
struct GroupSeeds
{
    QString group;
    QList<std::pair<QString, QByteArray>> bodies; // (kind, body)
    QList<QPair<QByteArray, QByteArray>> signedBodies;
    QByteArray receipt;
    QByteArray receiptSig;
};

GroupSeeds groupSeeds(const Identity &owner, const QDateTime &ts)
{
    GroupSeeds out;
    const Signer signer(owner.privateKey());
    const QByteArray cert = owner.certificate().toDer();
    const QByteArray nonce(Groups::NonceBytes, '\x42');
    out.group = Groups::groupIdFor(owner.id(), nonce);
    const QByteArray otherCert = "a certificate: decode() only hashes it";
    const QString other = QString::fromLatin1(
        QCryptographicHash::hash(otherCert, QCryptographicHash::Sha256).toHex());
    Groups::Body b;
    b.group = out.group;
    b.author = owner.id();
    b.prev = QByteArray(Groups::LinkBytes, '\0');
    b.sentAt = ts;
    auto add = [&](Groups::Kind kind) {
        b.kind = kind;
        ++b.seq;
        ++b.lc;
        const QByteArray body = Groups::encode(b);
        const QByteArray sig = signer.sign(body);
        out.bodies.append({Groups::kindName(kind), body});
        out.signedBodies.append({body, sig});
        b.prev = Groups::linkHash(body, sig);
        b.text.clear();
        b.members.clear();
        b.removed.clear();
    };
    b.name = u"Seed group 鱼"_s;
    b.nonce = nonce;
    b.members = {{owner.id(), cert, u"Owner"_s}};
    add(Groups::Kind::Create);
    b.text = u"hello, group 你好"_s;
    add(Groups::Kind::Text);
    b.members = {{other, otherCert, u"Other"_s}};
    add(Groups::Kind::Add);
    b.name = u"Renamed"_s;
    add(Groups::Kind::Rename);
    b.removed = {{other, 3}};
    add(Groups::Kind::Remove);
    add(Groups::Kind::Leave);
    out.receipt = Groups::encodeReceipt({out.group, owner.id(), other, 7, 5, ts});
    out.receiptSig = signer.sign(out.receipt);
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc != 2)
        return 2;
    qputenv("SHOAL_LOOPBACK_ONLY", "1"); // nothing leaves this host
    QCoreApplication app(argc, argv);
    const QDir root(QString::fromLocal8Bit(argv[1]));
    if (!root.mkpath(u"fuzz_protocol"_s) || !root.mkpath(u"fuzz_announcement"_s)
        || !root.mkpath(u"fuzz_connection"_s) || !root.mkpath(u"fuzz_listener"_s)
        || !root.mkpath(u"fuzz_groupbody"_s))
        return 1;
    const QDir connection(root.filePath(u"fuzz_connection"_s));
    const QDir dir(root.filePath(u"fuzz_protocol"_s));
    const QDir announcements(root.filePath(u"fuzz_announcement"_s));
    Protocol::Hello hello;
    hello.peerId = QString(64, u'a');
    hello.name = u"Seed 种子"_s;
    hello.port = 47800;
    hello.capabilities = {u"chat"_s};
    // A second connection's hello: bulk data beside the chat (docs/protocol.md, "Streams").
    Protocol::Hello bulkHello = hello;
    bulkHello.capabilities = {QString::fromLatin1(Protocol::StreamsCapability)};
    bulkHello.stream = Protocol::Stream::Bulk;
    const QDateTime ts = QDateTime::fromMSecsSinceEpoch(1'780'000'000'000, Qt::UTC);
    // Issue 15: a hello with the presence keys.
    Protocol::Hello presenceHello = hello;
    presenceHello.status = Protocol::Status::Busy;
    presenceHello.statusText = u"in a meeting"_s;
    presenceHello.avatarHash = QByteArray(Protocol::Sha256Bytes, '\x5a');
    const QUuid id = QUuid::fromString(u"0b7a5d0e-8d9e-4c0f-9a7e-3f2b1c4d5e6f"_s);
    const QByteArray hash = QByteArray::fromHex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const QList<Protocol::ManifestEntry> manifest{{u"trip"_s, 0, true},
                                                  {u"trip/a.jpg"_s, 5, false},
                                                  {u"trip/空"_s, 0, true},
                                                  {u"trip/b.txt"_s, 11, false}};
    const Protocol::Offer offer{id, ts, u"trip"_s, 16, 2, 4, true, hash};
    QString groupError;
    const auto owner = Identity::generate(&groupError);
    if (!owner)
        return 1;
    const GroupSeeds group = groupSeeds(*owner, ts);
    const auto [firstBody, firstSig] = group.signedBodies.constFirst();
    const QHash<QString, qint64> heads{{owner->id(), 6}, {QString(64, u'b'), 0}};
    const QByteArray onePixel = QByteArray::fromHex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8"
        "cfc0000003010100c9fe92ef0000000049454e44ae426082");
    const QList<std::pair<const char *, Protocol::Message>> seeds = {
        {"hello", hello},
        {"hello-bulk", bulkHello},
        {"chat", Protocol::Chat{id, ts, u"hello, 你好\nsecond line"_s}},
        {"ack", Protocol::Ack{id}},
        {"read", Protocol::Read{id}},
        {"resend", Protocol::Resend{}},
        {"ping", Protocol::Ping{1}},
        {"pong", Protocol::Pong{1}},
        {"bye", Protocol::Bye{u"shutting down"_s}},
        // File transfers (docs/protocol.md, "Files").
        {"offer", offer},
        {"xfer", Protocol::TransferControl{id, Protocol::TransferControl::Op::Accept, {}}},
        {"xfer-failed",
         Protocol::TransferControl{id, Protocol::TransferControl::Op::Failed, u"disk full"_s}},
        {"mreq", Protocol::ManifestRequest{id, 0}},
        {"man", Protocol::ManifestPage{id, 0, manifest, true}},
        {"get", Protocol::FileGet{id, 1, 0, 0, {}}},
        {"get-resume", Protocol::FileGet{id, 2, 1, 5, hash}},
        {"data", Protocol::FileData{id, 2, 1, 5, QByteArrayLiteral("hello, file")}},
        {"fend", Protocol::FileEnd{id, 2, 1, hash}},
        // Groups (docs/protocol.md, "Groups").
        {"gmsg", Protocol::GroupMessage{firstBody, firstSig}},
        {"gpage", Protocol::GroupPage{group.group, group.signedBodies, false}},
        {"gsync", Protocol::GroupSync{group.group, heads}},
        {"gpull", Protocol::GroupPull{group.group, {{owner->id(), 2}}}},
        {"grcpt", Protocol::GroupReceipt{group.receipt, group.receiptSig}},
        // Peer exchange (docs/protocol.md, "Peer exchange").
        {"pex",
         Protocol::Pex{{{owner->id(), {u"192.168.1.20:47800"_s, u"[fd00::20]:47800"_s}},
                        {QString(64, u'b'), {u"10.0.0.2:5000"_s}}}}},
        // Avatars (issue 15; docs/protocol.md, "Avatars"): a 1×1 PNG and its hash.
        {"avget",
         Protocol::AvatarGet{QCryptographicHash::hash(onePixel, QCryptographicHash::Sha256)}},
        {"av",
         Protocol::Avatar{QCryptographicHash::hash(onePixel, QCryptographicHash::Sha256), onePixel}},
        // Presence (issue 15; docs/protocol.md, "Presence").
        {"hello-presence", presenceHello},
        {"pres", Protocol::Presence{u"Seed 种子"_s, Protocol::Status::Away, u"at lunch 午饭"_s, {}}},
        {"pres-avatar", Protocol::Presence{u"Seed"_s, Protocol::Status::Busy, {}, hash}},
        // Carried delivery (issue 16; docs/protocol.md, "Carried delivery").
        {"carry", Protocol::Carry{true, true}},
        {"routes",
         Protocol::Routes{{{owner->id(), u"Carol 小红"_s, owner->certificate().toDer()},
                           {QString(64, u'b'), u"Dave"_s, QByteArray(300, '\x30')}}}},
        {"rly", Protocol::RelayEnvelope{QByteArray(200, '\xa6')}},
        {"env", Protocol::DeliverEnvelope{QByteArray(200, '\xa6')}},
        {"hold", Protocol::HoldEnvelope{QByteArray(200, '\xa6')}},
        {"held", Protocol::Held{QByteArray(Protocol::EnvelopeIdBytes, '\x11'), true, {}}},
        {"held-refused",
         Protocol::Held{QByteArray(Protocol::EnvelopeIdBytes, '\x11'), false, u"quota"_s}},
        {"got",
         Protocol::Got{{QByteArray(Protocol::EnvelopeIdBytes, '\x11'),
                        QByteArray(Protocol::EnvelopeIdBytes, '\x22')}}},
    };
    QByteArray session;
    for (const auto &[name, message] : seeds) {
        const QByteArray frame = Protocol::encodeFrame(message);
        session += frame;
        QFile f(dir.filePath(QString::fromLatin1(name)));
        // Leading byte: the chunk size the fuzz target feeds the stream in.
        if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray(1, '\x07') + frame) < 0)
            return 1;
    }
    // The transfer messages as a hostile peer bends them, each at the edge of what is
    // refused (docs/protocol.md "Files", rule 7; tests/protocol/tst_messages has them all).
    // From these the fuzzer mutates around the limits instead of finding them first.
    const QCborMap offerMap = offer.toCbor();
    const QCborMap getMap = Protocol::FileGet{id, 2, 1, 5, hash}.toCbor();
    const QCborMap dataMap = Protocol::FileData{id, 2, 1, 5, QByteArrayLiteral("x")}.toCbor();
    const QCborMap fendMap = Protocol::FileEnd{id, 2, 1, hash}.toCbor();
    const QCborMap manMap = Protocol::ManifestPage{id, 0, manifest, true}.toCbor();
    const QCborMap mreqMap = Protocol::ManifestRequest{id, 0}.toCbor();
    const QCborMap xferMap
        = Protocol::TransferControl{id, Protocol::TransferControl::Op::Pause, {}}.toCbor();
    const qint64 max = Protocol::MaxTransferValue;
    const QCborMap gmsgMap = Protocol::GroupMessage{firstBody, firstSig}.toCbor();
    const QCborMap gpageMap = Protocol::GroupPage{group.group, group.signedBodies, true}.toCbor();
    const QCborMap gsyncMap = Protocol::GroupSync{group.group, heads}.toCbor();
    QCborMap tooManyHeads;
    for (int i = 0; i <= Groups::MaxHeads; ++i)
        tooManyHeads.insert(u"%1"_s.arg(i, 64, 16, QLatin1Char('0')), i);
    const QCborMap pexEntry{{u"id"_s, owner->id()}, {u"a"_s, QCborArray{u"10.0.0.1:1"_s}}};
    QCborArray pexTooMany;
    for (int i = 0; i <= Protocol::Pex::MaxPeers; ++i)
        pexTooMany.append(QCborMap{{u"id"_s, u"%1"_s.arg(i, 64, 16, QLatin1Char('0'))},
                                   {u"a"_s, QCborArray{u"10.0.0.1:1"_s}}});
    QCborArray nineAddresses;
    for (int i = 0; i <= Protocol::Pex::MaxAddresses; ++i)
        nineAddresses.append(u"10.0.0.%1:1"_s.arg(i + 1));
    const QCborMap pexMap{{u"t"_s, u"pex"_s}, {u"peers"_s, QCborArray{pexEntry}}};
    const QCborMap presMap
        = Protocol::Presence{u"Seed"_s, Protocol::Status::Away, u"x"_s, hash}.toCbor();
    const QList<std::pair<const char *, QCborMap>> hostile = {
        {"offer-more-files-than-n", with(offerMap, u"files"_s, 5)},
        {"offer-n-zero", with(offerMap, u"n"_s, 0)},
        {"offer-size-over-2^53", with(offerMap, u"size"_s, max + 1)},
        {"offer-mh-31-bytes", with(offerMap, u"mh"_s, hash.left(31))},
        {"offer-nil-xid", with(offerMap, u"xid"_s, QUuid().toString())},
        {"xfer-unknown-op", with(xferMap, u"op"_s, u"rewind"_s)},
        {"xfer-op-not-text", with(xferMap, u"op"_s, 6)},
        {"mreq-from-2^53", with(mreqMap, u"from"_s, max)},
        {"mreq-from-over-2^53", with(mreqMap, u"from"_s, max + 1)},
        {"man-entry-of-2", with(manMap, u"e"_s, QCborArray{QCborArray{u"a"_s, 1}})},
        {"man-folder-with-size", with(manMap, u"e"_s, QCborArray{QCborArray{u"a"_s, 1, true}})},
        {"man-dotdot", with(manMap, u"e"_s, QCborArray{QCborArray{u"../x"_s, 1, false}})},
        {"man-empty-not-last", with(with(manMap, u"e"_s, QCborArray()), u"last"_s, false)},
        {"man-last-past-2^53", with(manMap, u"from"_s, max)},
        {"get-resume-without-h", without(getMap, u"h"_s)},
        {"get-h-31-bytes", with(getMap, u"h"_s, hash.left(31))},
        {"get-g-max", with(getMap, u"g"_s, qint64(0xffffffff))},
        {"get-g-over-32-bits", with(getMap, u"g"_s, qint64(0x100000000))},
        {"data-empty", with(dataMap, u"d"_s, QByteArray())},
        {"data-max-chunk", with(dataMap, u"d"_s, QByteArray(Protocol::MaxChunkBytes, 'd'))},
        {"data-over-max-chunk", with(dataMap, u"d"_s, QByteArray(Protocol::MaxChunkBytes + 1, 'd'))},
        {"data-ends-past-2^53", with(dataMap, u"off"_s, max)},
        {"data-off-negative", with(dataMap, u"off"_s, -1)},
        {"fend-sha-33-bytes", with(fendMap, u"sha"_s, hash + 'x')},
        {"fend-i-over-2^53", with(fendMap, u"i"_s, max + 1)},
        {"gmsg-sig-81-bytes", with(gmsgMap, u"sig"_s, QByteArray(81, '\x30'))},
        {"gmsg-empty-body", with(gmsgMap, u"b"_s, QByteArray())},
        {"gpage-pair-of-3",
         with(gpageMap, u"m"_s, QCborArray{QCborArray{firstBody, firstSig, firstSig}})},
        {"gpage-g-peer-id", with(gpageMap, u"g"_s, owner->id())},
        {"gsync-key-group-id", with(gsyncMap, u"h"_s, QCborMap{{group.group, 1}})},
        {"gsync-head-over-2^53", with(gsyncMap, u"h"_s, QCborMap{{owner->id(), max + 1}})},
        {"gpull-257-heads", with(with(gsyncMap, u"t"_s, u"gpull"_s), u"h"_s, tooManyHeads)},
        {"pex-65-peers", with(pexMap, u"peers"_s, pexTooMany)},
        {"pex-9-addresses",
         with(pexMap, u"peers"_s, QCborArray{with(pexEntry, u"a"_s, nineAddresses)})},
        {"pex-peer-twice", with(pexMap, u"peers"_s, QCborArray{pexEntry, pexEntry})},
        // Presence (issue 15): at the edges of what is refused.
        {"pres-av-31-bytes", with(presMap, u"av"_s, QByteArray(31, 'a'))},
        {"pres-st-number", with(presMap, u"st"_s, 2)},
        {"pres-stx-long", with(presMap, u"stx"_s, QString(300, u'x'))},
        {"hello-av-33-bytes", with(hello.toCbor(), u"av"_s, QByteArray(33, 'a'))},
        {"pex-address-65-chars",
         with(pexMap, u"peers"_s, QCborArray{with(pexEntry, u"a"_s, QCborArray{QString(65, u'1')})})},
        // Avatars (issue 15).
        {"avget-h-31-bytes", QCborMap{{u"t"_s, u"avget"_s}, {u"h"_s, hash.left(31)}}},
        {"av-png-empty", QCborMap{{u"t"_s, u"av"_s}, {u"h"_s, hash}, {u"png"_s, QByteArray()}}},
        {"av-png-over-64k",
         QCborMap{{u"t"_s, u"av"_s},
                  {u"h"_s, hash},
                  {u"png"_s, QByteArray(Protocol::MaxAvatarBytes + 1, 'p')}}},
        {"av-png-text", QCborMap{{u"t"_s, u"av"_s}, {u"h"_s, hash}, {u"png"_s, u"png"_s}}},
        // Carried delivery (issue 16): at the edges of what is refused.
        {"hold-e-over-80k",
         QCborMap{{u"t"_s, u"hold"_s}, {u"e"_s, QByteArray(Protocol::MaxEnvelopeBytes + 1, 'e')}}},
        {"held-eid-15-bytes",
         QCborMap{{u"t"_s, u"held"_s},
                  {u"eid"_s, QByteArray(Protocol::EnvelopeIdBytes - 1, '\x11')},
                  {u"ok"_s, true}}},
        {"got-empty", QCborMap{{u"t"_s, u"got"_s}, {u"eids"_s, QCborArray()}}},
        {"routes-cert-over-4k",
         QCborMap{{u"t"_s, u"routes"_s},
                  {u"peers"_s,
                   QCborArray{
                       QCborMap{{u"id"_s, owner->id()},
                                {u"name"_s, u"x"_s},
                                {u"cert"_s, QByteArray(Protocol::MaxRouteCertBytes + 1, 'c')}}}}}},
    };
    for (const auto &[name, map] : hostile) {
        QFile f(dir.filePath(u"hostile-"_s + QString::fromLatin1(name)));
        if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray(1, '\x07') + rawFrame(map)) < 0)
            return 1;
    }
    // Signed bodies as they are, and bent at the edges of what is refused.
    const QDir bodies(root.filePath(u"fuzz_groupbody"_s));
    QList<std::pair<QString, QByteArray>> bodySeeds = group.bodies;
    bodySeeds.append({u"receipt"_s, group.receipt});
    const QCborMap text = QCborValue::fromCbor(group.bodies.at(1).second).toMap();
    const QCborMap create = QCborValue::fromCbor(group.bodies.at(0).second).toMap();
    const QCborMap receiptMap = QCborValue::fromCbor(group.receipt).toMap();
    // Group replies (issue 15): a text quoting the group's first message.
    const QString replyTo
        = Groups::messageId(group.group, owner->id(), 1).toString(QUuid::WithoutBraces);
    const QList<std::pair<QString, QCborMap>> hostileBodies = {
        {u"unknown-kind"_s, with(text, u"k"_s, u"poll"_s)},
        {u"text-without-text"_s, without(text, u"text"_s)},
        {u"s-zero"_s, with(text, u"s"_s, 0)},
        {u"lc-over-2^53"_s, with(text, u"lc"_s, Groups::MaxCounter + 1)},
        {u"p-31-bytes"_s, with(text, u"p"_s, QByteArray(31, 'p'))},
        {u"first-p-not-zeros"_s, with(create, u"p"_s, QByteArray(32, 'p'))},
        {u"create-without-nonce"_s, without(create, u"nonce"_s)},
        {u"member-cert-not-its-id"_s,
         with(create,
              u"m"_s,
              QCborArray{QCborMap{{u"id"_s, owner->id()},
                                  {u"cert"_s, QByteArray("x")},
                                  {u"name"_s, u"x"_s}}})},
        {u"receipt-read-beyond-delivered"_s, with(receiptMap, u"r"_s, 8)},
        {u"re-braces"_s, with(text, u"re"_s, u"{"_s + replyTo + u"}"_s)}, // issue 15
    };
    bodySeeds.append({u"text-reply"_s, with(text, u"re"_s, replyTo).toCborValue().toCbor()});
    for (const auto &[name, map] : hostileBodies)
        bodySeeds.append({u"hostile-"_s + name, map.toCborValue().toCbor()});
    for (const auto &[name, bytes] : bodySeeds) {
        QFile out(bodies.filePath(name));
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) < 0)
            return 1;
    }

    QFile f(dir.filePath(u"session"_s));
    if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray(1, '\xff') + session) < 0)
        return 1;

    // Sessions as a peer sends them after its hello (leading byte 0: the target sends the
    // hello): a conversation, receipts for unknown IDs, keepalive, a goodbye.
    QByteArray conversation;
    for (int i = 0; i < 5; ++i) {
        conversation += Protocol::encodeFrame(
            Protocol::Chat{QUuid::createUuid(), ts.addSecs(i), u"message %1 消息"_s.arg(i)});
        conversation += Protocol::encodeFrame(Protocol::Ping{quint64(i)});
    }
    const QList<std::pair<const char *, QByteArray>> sessions = {
        {"conversation", conversation},
        {"duplicate",
         Protocol::encodeFrame(Protocol::Chat{id, ts, u"twice"_s})
             + Protocol::encodeFrame(Protocol::Chat{id, ts, u"twice"_s})},
        {"receipts",
         Protocol::encodeFrame(Protocol::Ack{id}) + Protocol::encodeFrame(Protocol::Read{id})},
        {"keepalive",
         Protocol::encodeFrame(Protocol::Ping{7}) + Protocol::encodeFrame(Protocol::Pong{7})},
        {"bye", Protocol::encodeFrame(Protocol::Bye{u"shutting down"_s})},
        {"second-hello", Protocol::encodeFrame(hello)},
        // A transfer as a sender drives it, control and data on the one stream here.
        {"transfer",
         Protocol::encodeFrame(offer)
             + Protocol::encodeFrame(Protocol::ManifestPage{id, 0, manifest, true})
             + Protocol::encodeFrame(Protocol::FileData{id, 1, 1, 0, QByteArrayLiteral("hello")})
             + Protocol::encodeFrame(Protocol::FileEnd{id, 1, 1, hash})
             + Protocol::encodeFrame(
                 Protocol::TransferControl{id, Protocol::TransferControl::Op::Cancel, {}})},
        // Well-formed frames that make no sense for the transfer (rule 7): each ends that
        // transfer only. Bytes for an offer not accepted, for a request never made, past the
        // file's end, a manifest that leaves the folder, a checksum of something else.
        {"hostile-transfer",
         Protocol::encodeFrame(offer)
             + Protocol::encodeFrame(Protocol::FileData{id, 7, 1, 0, QByteArrayLiteral("early")})
             + Protocol::encodeFrame(Protocol::ManifestPage{
                 id, 0, {{u"../x"_s, 5, false}, {u"/etc/x"_s, 5, false}, {u"CON"_s, 6, false}}, true})
             + Protocol::encodeFrame(Protocol::FileData{id, 1, 1, 3, QByteArray(1000, 'z')})
             + Protocol::encodeFrame(Protocol::FileEnd{id, 1, 3, QByteArray(32, '\0')})
             + Protocol::encodeFrame(Protocol::FileGet{id, 1, 99, 0, {}})
             + Protocol::encodeFrame(Protocol::ManifestRequest{id, 5})
             + Protocol::encodeFrame(
                 Protocol::TransferControl{id, Protocol::TransferControl::Op::Unknown, {}})
             + Protocol::encodeFrame(
                 Protocol::TransferControl{id, Protocol::TransferControl::Op::Done, {}})},
    };
    for (const auto &[name, bytes] : sessions) {
        QFile out(connection.filePath(QString::fromLatin1(name)));
        if (!out.open(QIODevice::WriteOnly) || out.write(QByteArray(1, '\0') + bytes) < 0)
            return 1;
    }
    const QByteArray real = recordSession();
    if (real.isEmpty()) {
        std::fprintf(stderr, "fuzz_seedgen: could not record a session over loopback\n");
        return 1;
    }
    for (const auto &[d, lead] : {std::pair{connection, '\0'}, std::pair{dir, '\xff'}}) {
        QFile out(d.filePath(u"real-session"_s));
        if (!out.open(QIODevice::WriteOnly) || out.write(QByteArray(1, lead) + real) < 0)
            return 1;
    }
    QFile raw(connection.filePath(u"no-hello"_s)); // odd first byte: no hello sent for it
    if (!raw.open(QIODevice::WriteOnly) || raw.write(QByteArray(1, '\1') + conversation) < 0)
        return 1;

    // Before TLS. Leading byte: the size of the writes (0: all at once; 5: a record header alone).
    const QDir listener(root.filePath(u"fuzz_listener"_s));
    QString error;
    const Identity seeder = *Identity::generate(&error);
    const QSslConfiguration shoal = Tls::configuration(seeder);
    QSslConfiguration tls12 = shoal;
    tls12.setProtocol(QSsl::TlsV1_2);
    const QByteArray clientHello = TlsRecords::recordClientHello(shoal);
    const QByteArray clientHello12 = TlsRecords::recordClientHello(tls12);
    if (clientHello.isEmpty() || clientHello12.isEmpty()) {
        std::fprintf(stderr, "fuzz_seedgen: could not record a ClientHello over loopback\n");
        return 1;
    }
    const QList<std::pair<const char *, QByteArray>> beforeTls = {
        {"client-hello", QByteArray(1, '\0') + clientHello},
        {"client-hello-in-pieces", QByteArray(1, '\5') + clientHello},
        {"client-hello-tls12", QByteArray(1, '\0') + clientHello12},
        {"client-hello-twice", QByteArray(1, '\0') + clientHello + clientHello},
        {"junk-record", QByteArray("\0\x16\x03\x01\x00\x05hello", 11)},
        {"alert", QByteArray("\0\x15\x03\x03\x00\x02\x02\x28", 8)},
        {"http", QByteArray(1, '\0') + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
    };
    for (const auto &[name, bytes] : beforeTls) {
        QFile out(listener.filePath(QString::fromLatin1(name)));
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) < 0)
            return 1;
    }

    Announcement a;
    a.peerId = hello.peerId;
    a.instance = id;
    a.name = hello.name;
    a.port = 47800;
    for (const auto &[name, kind, reply] :
         {std::tuple{"hi", Announcement::Kind::Hello, false},
          std::tuple{"hi-reply", Announcement::Kind::Hello, true},
          std::tuple{"bye", Announcement::Kind::Bye, false},
          std::tuple{"hi-away", Announcement::Kind::Hello, false}}) {
        // Issue 15: a status other than available.
        a.status = QByteArrayView(name) == "hi-away" ? Protocol::Status::Away
                                                     : Protocol::Status::Available;
        a.kind = kind;
        a.reply = reply;
        QFile out(announcements.filePath(QString::fromLatin1(name)));
        if (!out.open(QIODevice::WriteOnly) || out.write(a.encode()) < 0)
            return 1;
    }

    // Carried delivery (issue 16): envelopes for fuzz_envelope's fixed identity, and what is
    // inside them (see fuzz_envelope.cpp for the leading byte).
    const auto recipient = fuzzEnvelopeIdentity();
    if (!recipient || !root.mkpath(u"fuzz_envelope"_s))
        return 1;
    const QDir envelopes(root.filePath(u"fuzz_envelope"_s));
    const Relay::Sealer sealer(*owner);
    const Signer ownerSigner(owner->privateKey());
    const QByteArray fixedId(Protocol::EnvelopeIdBytes, '\x5e'); // fuzz_envelope's
    const QList<std::pair<const char *, Protocol::Message>> carried = {
        {"chat", Protocol::Chat{id, ts, u"hello, 你好\nsecond line"_s}},
        {"chat-reply", Protocol::Chat{id, ts, u"yes"_s, id}},
        {"ack", Protocol::Ack{id}},
        {"read", Protocol::Read{id}},
        {"typing", Protocol::Typing{true}},
        {"bye", Protocol::Bye{u"not carried"_s}},
    };
    for (const auto &[name, message] : carried) {
        const QByteArray m = Protocol::encode(message);
        const QByteArray sig = ownerSigner.sign(
            Relay::EnvelopeFormat::signedBytes(recipient->id(), fixedId, FuzzEnvelopeExpiry, m));
        const QByteArray inner = Relay::EnvelopeFormat::encodeInner(
            {owner->certificate().toDer(), m, sig});
        QString error;
        const QByteArray envelope
            = sealer.seal(recipient->certificate(), message, FuzzEnvelopeExpiry, nullptr, &error);
        const QString base = QString::fromLatin1(name);
        const QList<std::pair<QString, QByteArray>> files = {
            {u"envelope-"_s + base, envelope.isEmpty() ? QByteArray() : '\0' + envelope},
            {u"inner-"_s + base, '\1' + inner},
            {u"message-"_s + base, '\2' + m},
        };
        for (const auto &[file, bytes] : files) {
            QFile out(envelopes.filePath(file));
            if (!bytes.isEmpty() && (!out.open(QIODevice::WriteOnly) || out.write(bytes) < 0))
                return 1;
        }
    }
    return 0;
}
