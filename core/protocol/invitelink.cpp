// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/invitelink.h"

#include "protocol/messages.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QSet>
#include <QtEndian>

#include <cstring>

using namespace Qt::StringLiterals;

namespace {

constexpr auto Scheme = "shoal:"_L1;
constexpr auto Kind = "invite?"_L1;
constexpr qsizetype PeerIdBytes = 32;

QString notAnInvite()
{
    return InviteLink::tr("This is not a Shoal invite link.");
}

QString damaged()
{
    return InviteLink::tr("This invite link is damaged or incomplete; copy all of it again, or "
                          "ask for a new one.");
}

QString newer()
{
    return InviteLink::tr("This invite link is from a newer Shoal; update Shoal to use it.");
}

bool isBase64Url(QStringView text)
{
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if (!((u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9')
              || u == u'-' || u == u'_'))
            return false;
    }
    return true;
}

bool isDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

// An address as it goes on the wire: IPv4-mapped IPv6 as IPv4, so one host is one form.
QHostAddress plain(const QHostAddress &address)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    return mapped ? QHostAddress(v4) : address;
}

bool isDialable(const QHostAddress &address)
{
    return !address.isNull() && address != QHostAddress(QHostAddress::AnyIPv4)
           && address != QHostAddress(QHostAddress::AnyIPv6) && !address.isMulticast()
           && !address.isBroadcast();
}

QByteArray addressBytes(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        QByteArray bytes(4, Qt::Uninitialized);
        qToBigEndian(address.toIPv4Address(), bytes.data());
        return bytes;
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 16);
}

std::optional<QHostAddress> addressFromBytes(const QByteArray &bytes)
{
    if (bytes.size() == 4)
        return QHostAddress(qFromBigEndian<quint32>(bytes.constData()));
    if (bytes.size() == 16) {
        Q_IPV6ADDR v6;
        std::memcpy(v6.c, bytes.constData(), 16);
        const QHostAddress address(v6);
        bool mapped = false;
        address.toIPv4Address(&mapped);
        if (mapped)
            return std::nullopt; // the encoder writes these as 4 bytes
        return address;
    }
    return std::nullopt;
}

std::optional<InviteLink> fromCbor(const QByteArray &cbor)
{
    QCborParserError parserError;
    const QCborValue value = QCborValue::fromCbor(cbor, &parserError);
    // fromCbor ignores what follows the first value, and on truncated input can return a value
    // that crashes later (STYLE.md): both are refused here.
    if (parserError.error != QCborError::NoError || parserError.offset != cbor.size()
        || !value.isMap())
        return std::nullopt;
    const QCborMap map = value.toMap();
    QSet<QString> keys;
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        if (!it.key().isString())
            return std::nullopt;
        const QString key = it.key().toString();
        if (keys.contains(key))
            return std::nullopt; // which of two values counts would be a guess
        keys.insert(key);
    }
    const QCborValue id = map.value("id"_L1);
    const QCborValue name = map.value("n"_L1);
    const QCborValue addresses = map.value("a"_L1);
    const QCborValue port = map.value("p"_L1);
    if (!id.isByteArray() || id.toByteArray().size() != PeerIdBytes || !name.isString()
        || !addresses.isArray() || !port.isInteger())
        return std::nullopt;
    if (port.toInteger() < 1 || port.toInteger() > 0xffff)
        return std::nullopt;
    const QCborArray list = addresses.toArray();
    if (list.isEmpty() || list.size() > InviteLink::MaxAddresses)
        return std::nullopt;

    InviteLink link;
    link.peerId = QString::fromLatin1(id.toByteArray().toHex());
    link.name = Protocol::singleLine(name.toString(), Protocol::MaxNameLength);
    link.port = quint16(port.toInteger());
    for (const QCborValue &entry : list) {
        if (!entry.isByteArray())
            return std::nullopt;
        const auto address = addressFromBytes(entry.toByteArray());
        if (!address || !isDialable(*address) || link.addresses.contains(*address))
            return std::nullopt;
        link.addresses.append(*address);
    }
    return link;
}

} // namespace

QString InviteLink::encode() const
{
    QCborArray list;
    QList<QHostAddress> written;
    for (const QHostAddress &a : addresses) {
        const QHostAddress address = plain(a);
        if (written.size() == MaxAddresses || !isDialable(address) || written.contains(address))
            continue;
        written.append(address);
        list.append(addressBytes(address));
    }
    QCborMap map;
    map.insert("id"_L1, QByteArray::fromHex(peerId.toLatin1()));
    map.insert("n"_L1, Protocol::singleLine(name, Protocol::MaxNameLength));
    map.insert("a"_L1, list);
    map.insert("p"_L1, port);
    const QByteArray data = map.toCborValue().toCbor().toBase64(QByteArray::Base64UrlEncoding
                                                                | QByteArray::OmitTrailingEquals);
    return Scheme + Kind + u"v=%1&d="_s.arg(Version) + QString::fromLatin1(data);
}

std::optional<InviteLink> InviteLink::decode(const QString &text, QString *error)
{
    // Whitespace is dropped wherever it is: a mail client may have wrapped the link anywhere.
    // Copying stops one past the limit, so a huge paste costs no more than a long link.
    QString compact;
    compact.reserve(std::min(text.size(), MaxLength + 1));
    for (QChar c : text) {
        if (c.isSpace())
            continue;
        if (compact.size() > MaxLength)
            break;
        compact.append(c);
    }
    if (!compact.startsWith(Scheme, Qt::CaseInsensitive)
        || !QStringView(compact).sliced(Scheme.size()).startsWith(Kind, Qt::CaseInsensitive)) {
        *error = notAnInvite();
        return std::nullopt;
    }
    if (compact.size() > MaxLength) {
        *error = damaged();
        return std::nullopt;
    }

    std::optional<QStringView> version;
    std::optional<QStringView> data;
    bool wellFormed = true;
    const QStringView query = QStringView(compact).sliced(Scheme.size() + Kind.size());
    for (QStringView pair : query.split(u'&')) {
        const qsizetype eq = pair.indexOf(u'=');
        if (eq < 0) {
            wellFormed = false;
            continue;
        }
        const QStringView key = pair.first(eq);
        const QStringView value = pair.sliced(eq + 1);
        std::optional<QStringView> *slot = key == u"v" ? &version : key == u"d" ? &data : nullptr;
        if (!slot || *slot)
            wellFormed = false; // an unknown or repeated key
        else
            *slot = value;
    }
    // A later version may change everything after "v": it is read first, whatever else is there.
    if (version && isDigits(*version) && *version != u"1" && !version->startsWith(u'0')) {
        *error = newer();
        return std::nullopt;
    }
    if (!wellFormed || !version || *version != u"1" || !data || data->isEmpty()
        || !isBase64Url(*data) || data->size() % 4 == 1) {
        *error = damaged();
        return std::nullopt;
    }
    const QByteArray base64 = data->toLatin1();
    const auto options = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
    const auto decoded
        = QByteArray::fromBase64Encoding(base64, options | QByteArray::AbortOnBase64DecodingErrors);
    // Canonical only: unused bits set in the last character would give a second spelling.
    if (!decoded || decoded.decoded.toBase64(options) != base64) {
        *error = damaged();
        return std::nullopt;
    }
    auto link = fromCbor(decoded.decoded);
    if (!link) {
        *error = damaged();
        return std::nullopt;
    }
    return link;
}

QString InviteLink::toString() const
{
    QStringList list;
    for (const QHostAddress &a : addresses)
        list.append(a.toString());
    return u"invite(id=%1, name=%2, addresses=[%3], port=%4)"_s
        .arg(peerId, Protocol::quoted(name), list.join(u", "_s))
        .arg(port);
}

bool InviteLink::operator==(const InviteLink &o) const
{
    return peerId == o.peerId && name == o.name && addresses == o.addresses && port == o.port;
}
