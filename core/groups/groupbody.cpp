// SPDX-License-Identifier: GPL-3.0-or-later
#include "groupbody.h"

#include "grouplimits.h"
#include "protocol/cborfields.h"
#include "protocol/messages.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QCryptographicHash>
#include <QSet>
#include <QtEndian>

#include <array>

using namespace Qt::StringLiterals;

namespace Groups {

namespace {

// Timestamps within what QDateTime represents sensibly (years 1970..9999), in ms; as a chat's.
constexpr qint64 MaxTimestamp = 253402300799999;

constexpr std::array<QLatin1StringView, 6> KindNames
    = {"text"_L1, "create"_L1, "add"_L1, "remove"_L1, "leave"_L1, "rename"_L1};

using Protocol::bytesField;
using Protocol::exactString;
using Protocol::fixedBytesField;
using Protocol::groupField;
using Protocol::peerField;
using Protocol::textField;

// The map of a whole CBOR item of at most maxBytes (a `what`: "body over 4096 bytes"), or
// nullopt and *error. Text keys given twice are refused: a signed body must mean one thing to
// every reader, whichever of the two it would look up.
std::optional<QCborMap> parseMap(const QByteArray &bytes,
                                 qsizetype maxBytes,
                                 QLatin1StringView what,
                                 QString *error)
{
    if (bytes.size() > maxBytes) {
        *error = u"%1 over %2 bytes"_s.arg(what).arg(maxBytes);
        return std::nullopt;
    }
    const auto value = Protocol::parseItem(bytes, error);
    if (!value)
        return std::nullopt;
    if (!value->isMap()) {
        *error = u"not a CBOR map"_s;
        return std::nullopt;
    }
    QCborMap map = value->toMap();
    QSet<QString> keys;
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        if (!it.key().isString())
            continue; // an unknown key
        const QString key = it.key().toString();
        if (keys.contains(key)) {
            *error = u"field \"%1\" given twice"_s.arg(key.left(16));
            return std::nullopt;
        }
        keys.insert(key);
    }
    return map;
}

// An integer in min..max.
std::optional<qint64> intField(
    const QCborMap &map, QLatin1StringView key, qint64 min, qint64 max, QString *error)
{
    const auto n = Protocol::intField(map, key, error);
    if (n && (*n < min || *n > max)) {
        *error = u"field \"%1\" out of range"_s.arg(key);
        return std::nullopt;
    }
    return n;
}

// A non-empty array of at most MaxMembers items.
std::optional<QCborArray> listField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    auto array = Protocol::arrayField(map, key, error);
    if (array && (array->isEmpty() || array->size() > MaxMembers)) {
        *error = u"field \"%1\" does not hold 1..%2 items"_s.arg(key).arg(MaxMembers);
        return std::nullopt;
    }
    return array;
}

std::optional<Member> memberOf(const QCborValue &v, qsizetype index, QString *error)
{
    if (!v.isMap()) {
        *error = u"member %1 is not a map"_s.arg(index);
        return std::nullopt;
    }
    const QCborMap map = v.toMap();
    const auto id = peerField(map, "id"_L1, error);
    const auto cert = id ? bytesField(map, "cert"_L1, MaxCertBytes, error) : std::nullopt;
    const auto name = cert ? textField(map, "name"_L1, error) : std::nullopt;
    if (!name) {
        *error = u"member %1: %2"_s.arg(index).arg(*error);
        return std::nullopt;
    }
    // The ID names the certificate: nobody can add a key under another's ID.
    const QByteArray hash = QCryptographicHash::hash(*cert, QCryptographicHash::Sha256);
    if (QString::fromLatin1(hash.toHex()) != *id) {
        *error = u"member %1: the certificate is not the ID's"_s.arg(index);
        return std::nullopt;
    }
    return Member{*id, *cert, Protocol::singleLine(*name, MaxMemberNameLength)};
}

// A UUID in its canonical text (36 lowercase characters, no braces), not the nil UUID.
std::optional<QUuid> uuidField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    const auto text = textField(map, key, error);
    if (!text)
        return std::nullopt;
    const QUuid id = text->size() == 36 ? QUuid::fromString(*text) : QUuid();
    if (id.isNull() || id.toString(QUuid::WithoutBraces) != *text) {
        *error = u"field \"%1\" is not a UUID"_s.arg(key);
        return std::nullopt;
    }
    return id;
}

QString timeText(const QDateTime &t)
{
    return t.toString(Qt::ISODateWithMs);
}

} // namespace

bool Body::operator==(const Body &o) const
{
    return group == o.group && author == o.author && seq == o.seq && lc == o.lc && prev == o.prev
           && sentAt == o.sentAt && kind == o.kind && text == o.text && name == o.name
           && nonce == o.nonce && members == o.members && removed == o.removed
           && replyTo == o.replyTo;
}

QString Body::toString() const
{
    QString details;
    switch (kind) {
    case Kind::Text:
        details = u"text=%1"_s.arg(Protocol::quoted(text.left(40)));
        if (!replyTo.isNull())
            details += u", re="_s + replyTo.toString(QUuid::WithoutBraces);
        break;
    case Kind::Create:
    case Kind::Add: {
        QStringList ids;
        for (const Member &m : members)
            ids.append(m.id.left(8));
        details = u"name=%1, m=[%2]"_s.arg(Protocol::quoted(name), ids.join(u','));
        break;
    }
    case Kind::Remove: {
        QStringList cuts;
        for (const auto &[id, cut] : removed)
            cuts.append(u"%1:%2"_s.arg(id.left(8)).arg(cut));
        details = u"r=[%1]"_s.arg(cuts.join(u','));
        break;
    }
    case Kind::Rename:
        details = u"name=%1"_s.arg(Protocol::quoted(name));
        break;
    case Kind::Leave:
        break;
    }
    return u"gbody(g=%1, a=%2, s=%3, lc=%4, ts=%5, k=%6%7)"_s.arg(group, author.left(8))
        .arg(seq)
        .arg(lc)
        .arg(timeText(sentAt), kindName(kind), details.isEmpty() ? QString() : u", "_s + details);
}

QByteArray encode(const Body &body)
{
    // QCborMap keeps insertion order and writes each head in its shortest form: one body, one
    // encoding. Only the kind's own fields are written.
    QCborMap map;
    map.insert("g"_L1, body.group);
    map.insert("a"_L1, body.author);
    map.insert("s"_L1, body.seq);
    map.insert("lc"_L1, body.lc);
    map.insert("p"_L1, body.prev);
    map.insert("ts"_L1, body.sentAt.toMSecsSinceEpoch());
    map.insert("k"_L1, kindName(body.kind));
    switch (body.kind) {
    case Kind::Text:
        map.insert("text"_L1, body.text);
        if (!body.replyTo.isNull()) // issue 15; absent otherwise: older bodies keep their bytes
            map.insert("re"_L1, body.replyTo.toString(QUuid::WithoutBraces));
        break;
    case Kind::Create:
    case Kind::Add: {
        if (body.kind == Kind::Create) {
            map.insert("name"_L1, body.name);
            map.insert("nonce"_L1, body.nonce);
        }
        QCborArray members;
        for (const Member &m : body.members) {
            QCborMap member;
            member.insert("id"_L1, m.id);
            member.insert("cert"_L1, m.cert);
            member.insert("name"_L1, m.name);
            members.append(member);
        }
        map.insert("m"_L1, members);
        break;
    }
    case Kind::Remove: {
        QCborArray removed;
        for (const auto &[id, cut] : body.removed)
            removed.append(QCborArray{id, cut});
        map.insert("r"_L1, removed);
        break;
    }
    case Kind::Rename:
        map.insert("name"_L1, body.name);
        break;
    case Kind::Leave:
        break;
    }
    return map.toCborValue().toCbor();
}

std::optional<Body> decode(const QByteArray &bytes, QString *error)
{
    const auto parsed = parseMap(bytes, MaxGroupBody, "body"_L1, error);
    if (!parsed)
        return std::nullopt;
    const QCborMap &map = *parsed;
    const auto group = groupField(map, "g"_L1, error);
    const auto author = group ? peerField(map, "a"_L1, error) : std::nullopt;
    const auto seq = author ? intField(map, "s"_L1, 1, MaxCounter, error) : std::nullopt;
    const auto lc = seq ? intField(map, "lc"_L1, 1, MaxCounter, error) : std::nullopt;
    const auto prev = lc ? fixedBytesField(map, "p"_L1, LinkBytes, error) : std::nullopt;
    const auto ts = prev ? intField(map, "ts"_L1, 0, MaxTimestamp, error) : std::nullopt;
    const auto k = ts ? textField(map, "k"_L1, error) : std::nullopt;
    if (!k)
        return std::nullopt;
    // The first message has nothing before it to name.
    if (*seq == 1 && *prev != QByteArray(LinkBytes, '\0')) {
        *error = u"field \"p\" is not zeros in a first message"_s;
        return std::nullopt;
    }
    Body body;
    body.group = *group;
    body.author = *author;
    body.seq = *seq;
    body.lc = *lc;
    body.prev = *prev;
    body.sentAt = QDateTime::fromMSecsSinceEpoch(*ts, Qt::UTC);
    const auto kind = std::find(KindNames.begin(), KindNames.end(), *k);
    if (kind == KindNames.end()) {
        // No forward compatibility inside a signed log: every member must judge every message.
        *error = u"unknown kind %1"_s.arg(Protocol::quoted(k->left(16)));
        return std::nullopt;
    }
    body.kind = Kind(kind - KindNames.begin());
    switch (body.kind) {
    case Kind::Text: {
        const auto text = textField(map, "text"_L1, error);
        if (!text)
            return std::nullopt;
        if (text->toUtf8().size() > MaxTextBytes) {
            *error = u"text longer than %1 bytes"_s.arg(MaxTextBytes);
            return std::nullopt;
        }
        body.text = *text;
        // Issue 15: a reply. Present, it must be a canonical UUID text: every member reads a
        // signed body the same way.
        if (map.contains("re"_L1)) {
            const auto re = uuidField(map, "re"_L1, error);
            if (!re)
                return std::nullopt;
            body.replyTo = *re;
        }
        break;
    }
    case Kind::Create:
    case Kind::Rename: {
        const auto name = textField(map, "name"_L1, error);
        if (!name)
            return std::nullopt;
        body.name = Protocol::singleLine(*name, MaxNameLength);
        if (body.name.isEmpty()) {
            *error = u"field \"name\" is empty"_s;
            return std::nullopt;
        }
        if (body.kind == Kind::Rename)
            break;
        const auto nonce = fixedBytesField(map, "nonce"_L1, NonceBytes, error);
        if (!nonce)
            return std::nullopt;
        body.nonce = *nonce;
        [[fallthrough]];
    }
    case Kind::Add: {
        const auto list = listField(map, "m"_L1, error);
        if (!list)
            return std::nullopt;
        QSet<QString> ids;
        body.members.reserve(list->size());
        for (qsizetype i = 0; i < list->size(); ++i) {
            auto member = memberOf(list->at(i), i, error);
            if (!member)
                return std::nullopt;
            if (ids.contains(member->id)) {
                *error = u"member %1 listed twice"_s.arg(member->id);
                return std::nullopt;
            }
            ids.insert(member->id);
            body.members.append(std::move(*member));
        }
        break;
    }
    case Kind::Remove: {
        const auto list = listField(map, "r"_L1, error);
        if (!list)
            return std::nullopt;
        QSet<QString> ids;
        body.removed.reserve(list->size());
        for (qsizetype i = 0; i < list->size(); ++i) {
            const QCborValue item = list->at(i);
            const QCborArray pair = item.toArray();
            const bool shaped = item.isArray() && pair.size() == 2 && pair.at(0).isString()
                                && pair.at(1).isInteger();
            const QString id = shaped ? exactString(pair.at(0)) : QString();
            const qint64 cut = shaped ? pair.at(1).toInteger() : -1;
            if (!Protocol::isValidPeerId(id) || cut < 0 || cut > MaxCounter) {
                *error = u"removal %1 is not [peer-id, cut]"_s.arg(i);
                return std::nullopt;
            }
            if (ids.contains(id)) {
                *error = u"member %1 removed twice"_s.arg(id);
                return std::nullopt;
            }
            ids.insert(id);
            body.removed.append({id, cut});
        }
        break;
    }
    case Kind::Leave:
        break;
    }
    return body;
}

QString groupIdFor(const QString &ownerId, const QByteArray &nonce)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(ownerId.toUtf8());
    hash.addData(nonce);
    return QString::fromLatin1(hash.result().left(GroupIdLength / 2).toHex());
}

QUuid messageId(const QString &group, const QString &author, qint64 seq)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView("shoal-gmsg"));
    hash.addData(group.toUtf8());
    hash.addData(author.toUtf8());
    std::array<char, 8> counter{};
    qToBigEndian(quint64(seq), counter.data());
    hash.addData(QByteArrayView(counter.data(), qsizetype(counter.size())));
    QByteArray b = hash.result().left(16);
    // Version 8 (RFC 9562, custom): derived, so never mistaken for a random (version 4) ID.
    b[6] = char((quint8(b[6]) & 0x0f) | 0x80);
    b[8] = char((quint8(b[8]) & 0x3f) | 0x80);
    return QUuid::fromRfc4122(b);
}

QByteArray linkHash(const QByteArray &body, const QByteArray &sig)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(body);
    hash.addData(sig);
    return hash.result();
}

bool isValidGroupId(const QString &id)
{
    return Protocol::isLowerHex(id, GroupIdLength);
}

QString kindName(Kind kind)
{
    const auto i = size_t(kind);
    return i < KindNames.size() ? QString(KindNames[i]) : u"?"_s;
}

bool ReceiptBody::operator==(const ReceiptBody &o) const
{
    return group == o.group && member == o.member && author == o.author && delivered == o.delivered
           && read == o.read && sentAt == o.sentAt;
}

QString ReceiptBody::toString() const
{
    return u"rbody(g=%1, m=%2, a=%3, d=%4, r=%5, ts=%6)"_s
        .arg(group, member.left(8), author.left(8))
        .arg(delivered)
        .arg(read)
        .arg(timeText(sentAt));
}

QByteArray encodeReceipt(const ReceiptBody &receipt)
{
    QCborMap map;
    map.insert("g"_L1, receipt.group);
    map.insert("m"_L1, receipt.member);
    map.insert("a"_L1, receipt.author);
    map.insert("d"_L1, receipt.delivered);
    map.insert("r"_L1, receipt.read);
    map.insert("ts"_L1, receipt.sentAt.toMSecsSinceEpoch());
    return map.toCborValue().toCbor();
}

std::optional<ReceiptBody> decodeReceipt(const QByteArray &bytes, QString *error)
{
    const auto parsed = parseMap(bytes, MaxReceiptBody, "receipt"_L1, error);
    if (!parsed)
        return std::nullopt;
    const QCborMap &map = *parsed;
    const auto group = groupField(map, "g"_L1, error);
    const auto member = group ? peerField(map, "m"_L1, error) : std::nullopt;
    const auto author = member ? peerField(map, "a"_L1, error) : std::nullopt;
    const auto d = author ? intField(map, "d"_L1, 0, MaxCounter, error) : std::nullopt;
    const auto r = d ? intField(map, "r"_L1, 0, MaxCounter, error) : std::nullopt;
    const auto ts = r ? intField(map, "ts"_L1, 0, MaxTimestamp, error) : std::nullopt;
    if (!ts)
        return std::nullopt;
    // Nobody reads what has not arrived.
    if (*r > *d) {
        *error = u"read %1 beyond delivered %2"_s.arg(*r).arg(*d);
        return std::nullopt;
    }
    return ReceiptBody{*group,
                       *member,
                       *author,
                       *d,
                       *r,
                       QDateTime::fromMSecsSinceEpoch(*ts, Qt::UTC)};
}

} // namespace Groups
