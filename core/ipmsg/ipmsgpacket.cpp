// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipmsgpacket.h"

#include <QCryptographicHash>
#include <QStringDecoder>
#include <QStringEncoder>

#include <limits>

using namespace Qt::StringLiterals;

namespace Ipmsg {

namespace {

constexpr char Nul = '\0';
constexpr char Bel = '\a';
// User, host and version fields: longer ones are refused (no real client comes near).
constexpr qsizetype MaxHeaderFieldSize = 255;
// Extra fields kept from one datagram; the rest are ignored.
constexpr qsizetype MaxExtraFields = 16;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// 1..10 decimal digits whose value fits 32 bits.
std::optional<quint32> parseDecimal32(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 10)
        return std::nullopt;
    quint64 value = 0;
    for (char c : text) {
        if (!isDigit(c))
            return std::nullopt;
        value = value * 10 + quint64(c - '0');
    }
    if (value > std::numeric_limits<quint32>::max())
        return std::nullopt;
    return quint32(value);
}

// 1..maxDigits hex digits (either case); maxDigits <= 16 so the value fits 64 bits.
std::optional<quint64> parseHex(QByteArrayView text, qsizetype maxDigits)
{
    if (text.isEmpty() || text.size() > maxDigits)
        return std::nullopt;
    quint64 value = 0;
    for (char c : text) {
        const int v = hexValue(c);
        if (v < 0)
            return std::nullopt;
        value = (value << 4) | quint64(v);
    }
    return value;
}

// What C's atoi() gives for the version field (IPMsg for Windows drops the packet unless it is
// 1): leading white space, an optional sign, digits; saturating instead of undefined.
qint64 atoiOf(QByteArrayView text)
{
    qsizetype i = 0;
    while (i < text.size()
           && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\v'
               || text[i] == '\f' || text[i] == '\r'))
        ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        negative = text[i] == '-';
        ++i;
    }
    qint64 value = 0;
    for (; i < text.size() && isDigit(text[i]); ++i) {
        if (value < (qint64(1) << 40))
            value = value * 10 + (text[i] - '0');
    }
    return negative ? -value : value;
}

// A header field as it may go out: no ':' (the spec: replaced by ';') and no NUL.
QByteArray headerField(const QByteArray &field)
{
    QByteArray out = field;
    out.replace(':', ';');
    out.replace(Nul, ';');
    return out;
}

QString cut(QString text, qsizetype max)
{
    if (text.size() <= max)
        return text;
    qsizetype n = max;
    if (n > 0 && text.at(n - 1).isHighSurrogate())
        --n;
    text.truncate(n);
    return text;
}

} // namespace

QByteArray shoalVersion()
{
#ifdef SHOAL_VERSION
    return QByteArrayLiteral("1_shoal " SHOAL_VERSION);
#else
    return QByteArrayLiteral("1_shoal");
#endif
}

bool isShoalVersion(const QByteArray &version)
{
    return version.startsWith("1_shoal");
}

QByteArray Packet::encode() const
{
    QByteArray out;
    out += headerField(version);
    out += ':';
    out += QByteArray::number(packetNo);
    out += ':';
    out += headerField(user);
    out += ':';
    out += headerField(host);
    out += ':';
    out += QByteArray::number(command);
    out += ':';
    for (qsizetype i = 0; i < extra.size(); ++i) {
        if (i > 0)
            out += Nul;
        out += extra.at(i);
    }
    out += Nul; // as IPMsg for Windows and iptux: the terminating NUL is sent
    return out;
}

std::optional<Packet> Packet::decode(const QByteArray &datagram, QString *error)
{
    if (datagram.size() > MaxDatagramSize) {
        *error = u"datagram of %1 bytes is over %2"_s.arg(datagram.size()).arg(MaxDatagramSize);
        return std::nullopt;
    }
    // The five header fields end at the first five colons; the rest is the extra section.
    QByteArrayView header[5];
    qsizetype start = 0;
    for (int i = 0; i < 5; ++i) {
        const qsizetype colon = datagram.indexOf(':', start);
        if (colon < 0) {
            *error = u"fewer than 5 ':' (not an IPMsg datagram)"_s;
            return std::nullopt;
        }
        header[i] = QByteArrayView(datagram).sliced(start, colon - start);
        start = colon + 1;
    }
    for (int i = 0; i < 5; ++i) {
        if (header[i].contains(Nul)) {
            *error = u"NUL in the header"_s;
            return std::nullopt;
        }
    }
    Packet p;
    if (header[0].size() > MaxHeaderFieldSize) {
        *error = u"version field of %1 bytes is over %2"_s.arg(header[0].size())
                     .arg(MaxHeaderFieldSize);
        return std::nullopt;
    }
    if (atoiOf(header[0]) != 1) {
        *error = u"version is not 1"_s;
        return std::nullopt;
    }
    p.version = header[0].toByteArray();
    const auto packetNo = parseDecimal32(header[1]);
    if (!packetNo) {
        *error = u"packet number is not 1 to 10 decimal digits under 2^32"_s;
        return std::nullopt;
    }
    p.packetNo = *packetNo;
    if (header[2].size() > MaxHeaderFieldSize || header[3].size() > MaxHeaderFieldSize) {
        *error = u"user or host name over %1 bytes"_s.arg(MaxHeaderFieldSize);
        return std::nullopt;
    }
    p.user = header[2].toByteArray();
    p.host = header[3].toByteArray();
    const auto command = parseDecimal32(header[4]);
    if (!command) {
        *error = u"command is not 1 to 10 decimal digits under 2^32"_s;
        return std::nullopt;
    }
    p.command = *command;

    QByteArrayView rest = QByteArrayView(datagram).sliced(start);
    if (rest.endsWith(Nul)) // the terminating NUL adds no field
        rest.chop(1);
    qsizetype from = 0;
    while (p.extra.size() < MaxExtraFields) {
        const qsizetype nul = rest.indexOf(Nul, from);
        if (nul < 0) {
            p.extra.append(rest.sliced(from).toByteArray());
            break;
        }
        p.extra.append(rest.sliced(from, nul - from).toByteArray());
        from = nul + 1;
    }
    return p;
}

QByteArray encodeFileList(const QList<FileEntry> &files)
{
    QByteArray out;
    for (const FileEntry &f : files) {
        QByteArray name = f.name;
        name.replace(":", "::");
        out += QByteArray::number(f.fileId);
        out += ':';
        out += name;
        out += ':';
        out += QByteArray::number(f.size, 16);
        out += ':';
        out += QByteArray::number(quint64(f.mtime), 16);
        out += ':';
        out += QByteArray::number(f.attributes, 16);
        out += ':';
        out += Bel;
    }
    return out;
}

std::optional<QList<FileEntry>> decodeFileList(const QByteArray &field, QString *error)
{
    QList<FileEntry> files;
    const qsizetype n = field.size();
    qsizetype i = 0;
    // The next token up to a ':' (consumed), a BEL or the end (not consumed).
    auto token = [&]() {
        const qsizetype from = i;
        while (i < n && field[i] != ':' && field[i] != Bel)
            ++i;
        const QByteArrayView t = QByteArrayView(field).sliced(from, i - from);
        if (i < n && field[i] == ':')
            ++i;
        return t;
    };
    auto fail = [&](const QString &why) {
        *error = u"file %1: %2"_s.arg(files.size() + 1).arg(why);
        return std::nullopt;
    };
    while (i < n) {
        if (files.size() >= MaxFilesPerOffer) {
            *error = u"more than %1 files in one offer"_s.arg(MaxFilesPerOffer);
            return std::nullopt;
        }
        FileEntry f;
        const auto id = parseDecimal32(token());
        if (!id)
            return fail(u"file ID is not 1 to 10 decimal digits under 2^32"_s);
        f.fileId = *id;
        // The name: up to a single ':'; "::" is a ':' inside it.
        QByteArray name;
        for (;;) {
            if (i >= n)
                return fail(u"name not ended by ':'"_s);
            if (field[i] == ':') {
                if (i + 1 < n && field[i + 1] == ':') {
                    name += ':';
                    i += 2;
                    continue;
                }
                ++i;
                break;
            }
            name += field[i];
            ++i;
        }
        if (name.isEmpty())
            return fail(u"empty name"_s);
        f.name = name;
        const auto size = parseHex(token(), 16);
        if (!size)
            return fail(u"size is not 1 to 16 hex digits"_s);
        f.size = *size;
        const auto mtime = parseHex(token(), 16);
        if (!mtime || *mtime > quint64(std::numeric_limits<qint64>::max()))
            return fail(u"modification time is not 1 to 16 hex digits under 2^63"_s);
        f.mtime = qint64(*mtime);
        const auto attributes = parseHex(token(), 8);
        if (!attributes)
            return fail(u"attributes are not 1 to 8 hex digits"_s);
        f.attributes = quint32(*attributes);
        // Extended attributes ("key=value", IPMsg for Windows) up to the BEL: skipped.
        while (i < n && field[i] != Bel) {
            const QByteArrayView ext = token();
            if (!ext.isEmpty() && !ext.contains('='))
                return fail(u"extended attribute without '='"_s);
        }
        if (i < n) {
            ++i;                          // the BEL
            if (i < n && field[i] == ':') // protocol.txt 3.5 allows it; iptux always sends it
                ++i;
        }
        files.append(f);
    }
    if (files.isEmpty()) {
        *error = u"empty file list"_s;
        return std::nullopt;
    }
    return files;
}

QByteArray FileRequest::encode() const
{
    return QByteArray::number(packetNo, 16) + ':' + QByteArray::number(fileId, 16) + ':'
           + QByteArray::number(offset, 16);
}

std::optional<FileRequest> FileRequest::decode(const QByteArray &field, QString *error)
{
    const QList<QByteArray> parts = field.split(':');
    if (parts.size() < 3) {
        *error = u"file request without packet number, file ID and offset"_s;
        return std::nullopt;
    }
    const auto packetNo = parseHex(parts.at(0), 8);
    const auto fileId = parseHex(parts.at(1), 8);
    const auto offset = parseHex(parts.at(2), 16);
    if (!packetNo || !fileId || !offset) {
        *error = u"file request's packet number, file ID or offset is not hex"_s;
        return std::nullopt;
    }
    FileRequest r;
    r.packetNo = quint32(*packetNo);
    r.fileId = quint32(*fileId);
    r.offset = *offset;
    return r;
}

Decoded decodeText(const QByteArray &bytes, bool utf8Option)
{
    QByteArrayView text(bytes);
    while (text.endsWith(Nul))
        text.chop(1);
    Decoded out;
    // Stateless: a sequence cut at the end is an error, not a state kept for more input.
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString asUtf8 = utf8.decode(text);
    if (utf8Option || !utf8.hasError()) {
        out.text = cut(std::move(asUtf8), MaxTextLength);
        out.encoding = Encoding::Utf8;
        return out;
    }
    QStringDecoder gb("GB18030", QStringDecoder::Flag::Stateless);
    out.encoding = Encoding::Gb18030;
    // Without ICU there is no GB18030: the UTF-8 reading (with U+FFFD) is the best there is.
    out.text = cut(gb.isValid() ? QString(gb.decode(text)) : std::move(asUtf8), MaxTextLength);
    return out;
}

QByteArray encodeText(const QString &text, Encoding encoding)
{
    if (encoding == Encoding::Gb18030) {
        QStringEncoder gb("GB18030", QStringEncoder::Flag::Stateless);
        if (gb.isValid())
            return gb.encode(text);
    }
    return text.toUtf8();
}

Encoding replyEncoding(const QByteArray &version, Encoding lastSeen)
{
    if (version.startsWith("1_lbt")) // FeiQ: GBK, both ways, always
        return Encoding::Gb18030;
    return lastSeen;
}

QString peerIdFor(const QHostAddress &host, quint16 port)
{
    // IPv4-mapped IPv6 (a dual-stack socket's view) is the IPv4 address: one host, one ID.
    bool isV4 = false;
    const quint32 v4 = host.toIPv4Address(&isV4);
    const QHostAddress plain = isV4 ? QHostAddress(v4) : host;
    const QByteArray input = "shoal-ipmsg:" + plain.toString().toLatin1() + ':'
                             + QByteArray::number(port);
    return QString::fromLatin1(QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex());
}

bool isPeerIdFor(const QString &peerId, const QString &hostPort)
{
    const qsizetype colon = hostPort.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    bool ok = false;
    const uint port = QStringView(hostPort).sliced(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return false;
    QStringView host = QStringView(hostPort).first(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.sliced(1, host.size() - 2);
    QHostAddress address;
    if (!address.setAddress(host.toString()))
        return false;
    return peerIdFor(address, quint16(port)) == peerId;
}

} // namespace Ipmsg
