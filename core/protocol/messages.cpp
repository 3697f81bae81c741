// SPDX-License-Identifier: GPL-3.0-or-later
#include "messages.h"

#include "cborfields.h"
#include "framedecoder.h"
#include "groups/grouplimits.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QScopedValueRollback>
#include <QStringDecoder>
#include <QtEndian>

#include <array>

using namespace Qt::StringLiterals;

namespace Protocol {

namespace {

// Set while decode() reads a payload that holds no UTF-8 U+FEFF at all: then no text in it
// starts with one, and the text is not encoded again to look (3 of a chat's decoding costs,
// ~4 % of a round trip). fromCbor() called on its own always looks.
thread_local bool t_payloadHasNoBom = false;

// Timestamps within what QDateTime represents sensibly (years 1970..9999), in ms.
constexpr qint64 MaxTimestamp = 253402300799999;

} // namespace

// Typed field readers: each returns nullopt and explains why when the field is absent or of the
// wrong type.
// A text string exactly as sent. QCborValue::toString() decodes with QString::fromUtf8(), which
// takes a leading U+FEFF for a byte-order mark and drops it; the UTF-8 bytes still hold it.
// Every text is read this way, so that what is decoded encodes to the same bytes again.
QString exactString(const QCborValue &v)
{
    QString text = v.toString();
    if (t_payloadHasNoBom)
        return text;
    const QByteArray cbor = v.toCbor(); // header, then the UTF-8 bytes
    if (cbor.isEmpty())
        return text;
    const int info = quint8(cbor.at(0)) & 0x1f;
    const qsizetype header = info < 24 ? 1 : info == 24 ? 2 : info == 25 ? 3 : info == 26 ? 5 : 9;
    if (cbor.size() >= header + 3 && cbor.sliced(header, 3) == QByteArrayView("\xEF\xBB\xBF"))
        text.prepend(QChar(0xFEFF));
    return text;
}

namespace {

std::optional<quint64> uintField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    const auto v = intField(map, key, error);
    if (!v)
        return std::nullopt;
    if (*v < 0) {
        *error = u"field \"%1\" is negative"_s.arg(key);
        return std::nullopt;
    }
    return quint64(*v);
}

std::optional<QUuid> uuidField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    const auto text = textField(map, key, error);
    if (!text)
        return std::nullopt;
    const QUuid id = QUuid::fromString(*text);
    if (id.isNull()) {
        *error = u"field \"%1\" is not a UUID"_s.arg(key);
        return std::nullopt;
    }
    return id;
}

// An unsigned integer of at most `max`.
std::optional<qint64> boundedField(const QCborMap &map,
                                   QLatin1StringView key,
                                   qint64 max,
                                   QString *error)
{
    const auto v = uintField(map, key, error);
    if (!v)
        return std::nullopt;
    if (*v > quint64(max)) {
        *error = u"field \"%1\" out of range"_s.arg(key);
        return std::nullopt;
    }
    return qint64(*v);
}

std::optional<QByteArray> hashField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    return fixedBytesField(map, key, Sha256Bytes, error);
}

QString hashText(const QByteArray &hash)
{
    return QString::fromLatin1(hash.left(8).toHex()) + (hash.size() > 8 ? u"…"_s : QString());
}

// The first three of `count` items as itemText(i) gives them, "…" for any more, joined by ", ".
template<typename ItemText>
QString firstThree(qsizetype count, ItemText itemText)
{
    QStringList shown;
    for (qsizetype i = 0; i < qMin<qsizetype>(count, 3); ++i)
        shown.append(itemText(i));
    if (count > shown.size())
        shown.append(u"…"_s);
    return shown.join(u", "_s);
}

QString uuidText(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces);
}

QCborMap typed(QLatin1StringView type)
{
    QCborMap map;
    map.insert("t"_L1, QString(type));
    return map;
}

} // namespace

// One line of at most `max` UTF-16 units, never ending in half a surrogate pair or a space, so
// that sanitising twice gives the same result.
QString singleLine(const QString &text, qsizetype max)
{
    QString out = text;
    // Tabs and newlines are controls too, but read as spaces: simplified() folds them.
    out.removeIf([](QChar c) { return c.category() == QChar::Other_Control && !c.isSpace(); });
    out = out.simplified();
    if (out.size() > max) {
        out.truncate(max);
        if (out.back().isHighSurrogate())
            out.chop(1);
        out = out.trimmed();
    }
    return out;
}

QString quoted(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'"';
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t c = text.at(i).unicode();
        qsizetype units = 1;
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(text.at(i), text.at(i + 1));
            units = 2;
        }
        const auto category = QChar::category(c);
        if (c == u'"' || c == u'\\') {
            out += u'\\';
            out += QChar(char16_t(c));
        } else if (!QChar::isPrint(c) || category == QChar::Separator_Line
                   || category == QChar::Separator_Paragraph) {
            out += c < 0x100     ? u"\\x%1"_s.arg(uint(c), 2, 16, QLatin1Char('0'))
                   : c < 0x10000 ? u"\\u%1"_s.arg(uint(c), 4, 16, QLatin1Char('0'))
                                 : u"\\U%1"_s.arg(uint(c), 8, 16, QLatin1Char('0'));
        } else {
            out += text.mid(i, units);
        }
        i += units - 1;
    }
    out += u'"';
    return out;
}

bool isValidPeerId(const QString &id)
{
    return isLowerHex(id, PeerIdLength);
}

// --- Presence (issue 15) ---
QLatin1StringView statusName(Status status)
{
    switch (status) {
    case Status::Away:
        return "away"_L1;
    case Status::Busy:
        return "busy"_L1;
    case Status::Available:
        break;
    }
    return "available"_L1;
}

Status statusFromName(QStringView name)
{
    if (name == "away"_L1)
        return Status::Away;
    if (name == "busy"_L1)
        return Status::Busy;
    return Status::Available;
}

namespace {

// The presence keys hello and pres share: "stx" and "av" when not empty; "st" in a hello only
// when not Available (absent reads as Available), so that a default hello is as in version 1.
void insertPresence(
    QCborMap &map, Status status, const QString &text, const QByteArray &avatar, bool alwaysStatus)
{
    if (alwaysStatus || status != Status::Available)
        map.insert("st"_L1, QString(statusName(status)));
    if (!text.isEmpty())
        map.insert("stx"_L1, text);
    if (!avatar.isEmpty())
        map.insert("av"_L1, avatar);
}

// Reads them: each optional; a value of the wrong type (or an "av" not of 32 bytes) is an error.
bool readPresence(
    const QCborMap &map, Status *status, QString *text, QByteArray *avatar, QString *error)
{
    const auto st = optionalField(map, "st"_L1, CborType::Text, error);
    const auto stx = st ? optionalTextField(map, "stx"_L1, error) : std::nullopt;
    if (!stx)
        return false;
    if (st->isString())
        *status = statusFromName(st->toString());
    *text = singleLine(*stx, MaxStatusTextLength);
    if (!map.value("av"_L1).isUndefined()) {
        const auto av = hashField(map, "av"_L1, error);
        if (!av)
            return false;
        *avatar = *av;
    }
    return true;
}

} // namespace

QCborMap Presence::toCbor() const
{
    QCborMap map = typed("pres"_L1);
    map.insert("name"_L1, name);
    insertPresence(map, status, statusText, avatarHash, true);
    return map;
}

std::optional<Presence> Presence::fromCbor(const QCborMap &map, QString *error)
{
    const auto name = textField(map, "name"_L1, error);
    if (!name)
        return std::nullopt;
    if (!typedField(map, "st"_L1, CborType::Text, error))
        return std::nullopt;
    Presence p;
    p.name = singleLine(*name, MaxNameLength);
    if (!readPresence(map, &p.status, &p.statusText, &p.avatarHash, error))
        return std::nullopt;
    return p;
}

QString Presence::toString() const
{
    return u"pres(name=%1, st=%2, stx=%3, av=%4)"_s.arg(quoted(name),
                                                        statusName(status),
                                                        quoted(statusText),
                                                        hashText(avatarHash));
}
// --- end presence ---

QCborMap Hello::toCbor() const
{
    QCborMap map = typed("hello"_L1);
    map.insert("v"_L1, version);
    map.insert("vmin"_L1, minVersion);
    map.insert("id"_L1, peerId);
    map.insert("name"_L1, name);
    map.insert("port"_L1, port);
    QCborArray caps;
    for (const QString &c : capabilities)
        caps.append(c);
    map.insert("caps"_L1, caps);
    if (stream == Stream::Bulk)
        map.insert("stream"_L1, u"bulk"_s);
    // --- Presence (issue 15) ---
    insertPresence(map, status, statusText, avatarHash, false);
    // --- end presence ---
    return map;
}

std::optional<Hello> Hello::fromCbor(const QCborMap &map, QString *error)
{
    Hello h;
    const auto v = uintField(map, "v"_L1, error);
    const auto vmin = v ? uintField(map, "vmin"_L1, error) : std::nullopt;
    const auto id = vmin ? textField(map, "id"_L1, error) : std::nullopt;
    const auto name = id ? textField(map, "name"_L1, error) : std::nullopt;
    const auto port = name ? uintField(map, "port"_L1, error) : std::nullopt;
    if (!port)
        return std::nullopt;
    if (*v > 0xffff || *vmin > *v) {
        *error = u"bad version range %1..%2"_s.arg(*vmin).arg(*v);
        return std::nullopt;
    }
    if (!isValidPeerId(*id)) {
        *error = u"field \"id\" is not a peer ID"_s;
        return std::nullopt;
    }
    if (*port > 0xffff) {
        *error = u"field \"port\" out of range"_s;
        return std::nullopt;
    }
    h.version = int(*v);
    h.minVersion = int(*vmin);
    h.peerId = *id;
    // A name is shown to people: keep it to one short line.
    h.name = singleLine(*name, MaxNameLength);
    h.port = quint16(*port);
    const auto caps = optionalField(map, "caps"_L1, CborType::Array, error);
    if (!caps)
        return std::nullopt;
    const QCborArray array = caps->toArray();
    for (const QCborValue &c : array) {
        if (c.isString() && h.capabilities.size() < MaxCapabilities)
            h.capabilities.append(exactString(c));
    }
    // A stream kind this version does not know is refused, never taken for chat: the dialler
    // meant something else, and chat on a second connection would replace the peer's first.
    const auto stream = optionalField(map, "stream"_L1, CborType::Text, error);
    if (!stream)
        return std::nullopt;
    if (stream->isString()) {
        const QString kind = stream->toString();
        if (kind == "bulk"_L1) {
            h.stream = Stream::Bulk;
        } else if (kind != "chat"_L1) {
            *error = u"unknown stream kind %1"_s.arg(quoted(kind.left(MaxNameLength)));
            return std::nullopt;
        }
    }
    // --- Presence (issue 15) ---
    if (!readPresence(map, &h.status, &h.statusText, &h.avatarHash, error))
        return std::nullopt;
    // --- end presence ---
    return h;
}

QString Hello::toString() const
{
    return u"hello(v=%1, vmin=%2, id=%3, name=%4, port=%5, caps=[%6], stream=%7, st=%8, stx=%9, "
           u"av=%10)"_s.arg(version)
               .arg(minVersion)
               .arg(peerId, quoted(name))
               .arg(port)
               .arg(capabilities.join(u','),
                    stream == Stream::Bulk ? u"bulk"_s : u"chat"_s,
                    statusName(status),
                    quoted(statusText),
                    hashText(avatarHash));
}

bool Hello::operator==(const Hello &o) const
{
    return version == o.version && minVersion == o.minVersion && peerId == o.peerId
           && name == o.name && port == o.port && capabilities == o.capabilities
           && stream == o.stream && status == o.status && statusText == o.statusText
           && avatarHash == o.avatarHash;
}

QCborMap Chat::toCbor() const
{
    QCborMap map = typed("chat"_L1);
    map.insert("mid"_L1, uuidText(id));
    map.insert("ts"_L1, sentAt.toMSecsSinceEpoch());
    map.insert("text"_L1, text);
    if (!replyTo.isNull())
        map.insert("re"_L1, uuidText(replyTo));
    return map;
}

std::optional<Chat> Chat::fromCbor(const QCborMap &map, QString *error)
{
    const auto id = uuidField(map, "mid"_L1, error);
    const auto ts = id ? intField(map, "ts"_L1, error) : std::nullopt;
    const auto text = ts ? textField(map, "text"_L1, error) : std::nullopt;
    if (!text)
        return std::nullopt;
    // Issue 15: the quoted message, optional; present, it must be a UUID.
    QUuid replyTo;
    if (map.contains("re"_L1)) {
        const auto re = uuidField(map, "re"_L1, error);
        if (!re)
            return std::nullopt;
        replyTo = *re;
    }
    if (text->toUtf8().size() > MaxTextBytes) {
        *error = u"text longer than %1 bytes"_s.arg(MaxTextBytes);
        return std::nullopt;
    }
    if (*ts < 0 || *ts > MaxTimestamp) {
        *error = u"field \"ts\" out of range"_s;
        return std::nullopt;
    }
    return Chat{*id, QDateTime::fromMSecsSinceEpoch(*ts, Qt::UTC), *text, replyTo};
}

QString Chat::toString() const
{
    return u"chat(mid=%1, ts=%2, text=%3%4)"_s.arg(uuidText(id),
                                                   sentAt.toString(Qt::ISODateWithMs),
                                                   text.left(40),
                                                   replyTo.isNull()
                                                       ? QString()
                                                       : u", re="_s + uuidText(replyTo));
}

bool Chat::operator==(const Chat &o) const
{
    return id == o.id && sentAt == o.sentAt && text == o.text && replyTo == o.replyTo;
}

// --- Typing and quoting (issue 15) ---
QCborMap Typing::toCbor() const
{
    QCborMap map = typed("typing"_L1);
    map.insert("on"_L1, on);
    return map;
}

std::optional<Typing> Typing::fromCbor(const QCborMap &map, QString *error)
{
    const auto on = boolField(map, "on"_L1, error);
    if (!on)
        return std::nullopt;
    return Typing{*on};
}

QString Typing::toString() const
{
    return u"typing(on=%1)"_s.arg(on ? u"true"_s : u"false"_s);
}
// --- end typing and quoting ---

template<typename Tag>
QCborMap MessageIdMessage<Tag>::toCbor() const
{
    QCborMap map = typed(QLatin1StringView(Tag::Name));
    map.insert("mid"_L1, uuidText(id));
    return map;
}

template<typename Tag>
std::optional<MessageIdMessage<Tag>> MessageIdMessage<Tag>::fromCbor(const QCborMap &map,
                                                                     QString *error)
{
    const auto id = uuidField(map, "mid"_L1, error);
    if (!id)
        return std::nullopt;
    return MessageIdMessage{*id};
}

template<typename Tag>
QString MessageIdMessage<Tag>::toString() const
{
    return QLatin1StringView(Tag::Name) + u"(mid=%1)"_s.arg(uuidText(id));
}

template struct MessageIdMessage<AckTag>;
template struct MessageIdMessage<ReadTag>;

QCborMap Resend::toCbor() const
{
    return typed("resend"_L1);
}

std::optional<Resend> Resend::fromCbor(const QCborMap &, QString *)
{
    return Resend{};
}

QString Resend::toString() const
{
    return u"resend"_s;
}

template<typename Tag>
QCborMap SequenceMessage<Tag>::toCbor() const
{
    QCborMap map = typed(QLatin1StringView(Tag::Name));
    map.insert("n"_L1, qint64(seq & 0x7fffffffffffffff));
    return map;
}

template<typename Tag>
std::optional<SequenceMessage<Tag>> SequenceMessage<Tag>::fromCbor(const QCborMap &map,
                                                                   QString *error)
{
    const auto n = uintField(map, "n"_L1, error);
    if (!n)
        return std::nullopt;
    return SequenceMessage{*n};
}

template<typename Tag>
QString SequenceMessage<Tag>::toString() const
{
    return QLatin1StringView(Tag::Name) + u"(%1)"_s.arg(seq);
}

template struct SequenceMessage<PingTag>;
template struct SequenceMessage<PongTag>;

QCborMap Bye::toCbor() const
{
    QCborMap map = typed("bye"_L1);
    if (!reason.isEmpty())
        map.insert("reason"_L1, reason);
    return map;
}

std::optional<Bye> Bye::fromCbor(const QCborMap &map, QString *error)
{
    const auto reason = optionalTextField(map, "reason"_L1, error);
    if (!reason)
        return std::nullopt;
    return Bye{singleLine(*reason, MaxReasonLength)};
}

QString Bye::toString() const
{
    return u"bye(%1)"_s.arg(reason);
}

QCborMap Offer::toCbor() const
{
    QCborMap map = typed("offer"_L1);
    map.insert("xid"_L1, uuidText(id));
    map.insert("ts"_L1, sentAt.toMSecsSinceEpoch());
    map.insert("name"_L1, name);
    map.insert("size"_L1, size);
    map.insert("files"_L1, files);
    map.insert("n"_L1, entries);
    map.insert("folder"_L1, folder);
    map.insert("mh"_L1, manifestHash);
    return map;
}

std::optional<Offer> Offer::fromCbor(const QCborMap &map, QString *error)
{
    const auto id = uuidField(map, "xid"_L1, error);
    const auto ts = id ? intField(map, "ts"_L1, error) : std::nullopt;
    const auto name = ts ? textField(map, "name"_L1, error) : std::nullopt;
    const auto size = name ? boundedField(map, "size"_L1, MaxTransferValue, error) : std::nullopt;
    const auto files = size ? boundedField(map, "files"_L1, MaxManifestEntries, error)
                            : std::nullopt;
    const auto n = files ? boundedField(map, "n"_L1, MaxManifestEntries, error) : std::nullopt;
    const auto folder = n ? boolField(map, "folder"_L1, error) : std::nullopt;
    const auto mh = folder ? hashField(map, "mh"_L1, error) : std::nullopt;
    if (!mh)
        return std::nullopt;
    if (*ts < 0 || *ts > MaxTimestamp) {
        *error = u"field \"ts\" out of range"_s;
        return std::nullopt;
    }
    if (*n < 1) {
        *error = u"field \"n\" out of range"_s;
        return std::nullopt;
    }
    if (*files > *n) {
        *error = u"more files than manifest entries"_s;
        return std::nullopt;
    }
    return Offer{*id,
                 QDateTime::fromMSecsSinceEpoch(*ts, Qt::UTC),
                 singleLine(*name, MaxTransferNameLength),
                 *size,
                 *files,
                 *n,
                 *folder,
                 *mh};
}

QString Offer::toString() const
{
    return u"offer(xid=%1, ts=%2, name=%3, size=%4, files=%5, n=%6, folder=%7, mh=%8)"_s
        .arg(uuidText(id), sentAt.toString(Qt::ISODateWithMs), name.left(40))
        .arg(size)
        .arg(files)
        .arg(entries)
        .arg(folder ? u"true"_s : u"false"_s, hashText(manifestHash));
}

bool Offer::operator==(const Offer &o) const
{
    return id == o.id && sentAt == o.sentAt && name == o.name && size == o.size && files == o.files
           && entries == o.entries && folder == o.folder && manifestHash == o.manifestHash;
}

namespace {

// The wire names of TransferControl::Op, in its order (Unknown has none).
constexpr std::array<QLatin1StringView, 8> OpNames = {"seen"_L1,
                                                      "accept"_L1,
                                                      "decline"_L1,
                                                      "cancel"_L1,
                                                      "pause"_L1,
                                                      "resume"_L1,
                                                      "done"_L1,
                                                      "failed"_L1};

QLatin1StringView opName(TransferControl::Op op)
{
    const auto i = size_t(op);
    return i < OpNames.size() ? OpNames[i] : "unknown"_L1;
}

} // namespace

QCborMap TransferControl::toCbor() const
{
    QCborMap map = typed("xfer"_L1);
    map.insert("xid"_L1, uuidText(id));
    map.insert("op"_L1, QString(opName(op)));
    if (!reason.isEmpty())
        map.insert("reason"_L1, reason);
    return map;
}

std::optional<TransferControl> TransferControl::fromCbor(const QCborMap &map, QString *error)
{
    const auto id = uuidField(map, "xid"_L1, error);
    const auto opText = id ? textField(map, "op"_L1, error) : std::nullopt;
    const auto reason = opText ? optionalTextField(map, "reason"_L1, error) : std::nullopt;
    if (!reason)
        return std::nullopt;
    Op op = Op::Unknown;
    for (size_t i = 0; i < OpNames.size(); ++i) {
        if (*opText == OpNames[i])
            op = Op(i);
    }
    return TransferControl{*id, op, singleLine(*reason, MaxReasonLength)};
}

QString TransferControl::toString() const
{
    return u"xfer(xid=%1, op=%2, reason=%3)"_s.arg(uuidText(id), opName(op), reason);
}

bool TransferControl::operator==(const TransferControl &o) const
{
    return id == o.id && op == o.op && reason == o.reason;
}

QCborMap ManifestRequest::toCbor() const
{
    QCborMap map = typed("mreq"_L1);
    map.insert("xid"_L1, uuidText(id));
    map.insert("from"_L1, from);
    return map;
}

std::optional<ManifestRequest> ManifestRequest::fromCbor(const QCborMap &map, QString *error)
{
    const auto id = uuidField(map, "xid"_L1, error);
    const auto from = id ? boundedField(map, "from"_L1, MaxTransferValue, error) : std::nullopt;
    if (!from)
        return std::nullopt;
    return ManifestRequest{*id, *from};
}

QString ManifestRequest::toString() const
{
    return u"mreq(xid=%1, from=%2)"_s.arg(uuidText(id)).arg(from);
}

QCborMap ManifestPage::toCbor() const
{
    QCborMap map = typed("man"_L1);
    map.insert("xid"_L1, uuidText(id));
    map.insert("from"_L1, from);
    QCborArray array;
    for (const ManifestEntry &e : entries)
        array.append(QCborArray{e.path, e.size, e.folder});
    map.insert("e"_L1, array);
    map.insert("last"_L1, last);
    return map;
}

std::optional<ManifestPage> ManifestPage::fromCbor(const QCborMap &map, QString *error)
{
    const auto id = uuidField(map, "xid"_L1, error);
    const auto from = id ? boundedField(map, "from"_L1, MaxTransferValue, error) : std::nullopt;
    const auto last = from ? boolField(map, "last"_L1, error) : std::nullopt;
    const auto e = last ? arrayField(map, "e"_L1, error) : std::nullopt;
    if (!e)
        return std::nullopt;
    const QCborArray &array = *e;
    if (array.size() > MaxManifestPageEntries) {
        *error = u"more than %1 manifest entries in a page"_s.arg(MaxManifestPageEntries);
        return std::nullopt;
    }
    // A page that ends nothing and holds nothing would only be asked for again.
    if (array.isEmpty() && !*last) {
        *error = u"empty manifest page that is not the last"_s;
        return std::nullopt;
    }
    if (*from + array.size() > MaxTransferValue) {
        *error = u"field \"from\" out of range"_s;
        return std::nullopt;
    }
    ManifestPage page{*id, *from, {}, *last};
    page.entries.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QCborValue item = array.at(i);
        const QCborArray fields = item.toArray();
        const bool shaped = item.isArray() && fields.size() == 3 && fields.at(0).isString()
                            && fields.at(1).isInteger() && fields.at(2).isBool();
        const qint64 size = shaped ? fields.at(1).toInteger() : -1;
        if (!shaped || size < 0 || size > MaxTransferValue || (fields.at(2).toBool() && size != 0)) {
            *error = u"manifest entry %1 is not [path, size, folder]"_s.arg(*from + i);
            return std::nullopt;
        }
        // The path exactly as sent: the manifest's hash is over these bytes.
        page.entries.append({exactString(fields.at(0)), size, fields.at(2).toBool()});
    }
    return page;
}

QString ManifestPage::toString() const
{
    const QString shown = firstThree(entries.size(), [this](qsizetype i) {
        const ManifestEntry &e = entries.at(i);
        return u"%1:%2%3"_s.arg(e.path).arg(e.size).arg(e.folder ? u"/"_s : QString());
    });
    return u"man(xid=%1, from=%2, %3 entries [%4], last=%5)"_s.arg(uuidText(id))
        .arg(from)
        .arg(entries.size())
        .arg(shown, last ? u"true"_s : u"false"_s);
}

bool ManifestPage::operator==(const ManifestPage &o) const
{
    return id == o.id && from == o.from && entries == o.entries && last == o.last;
}

namespace {

// The file of a get, data or fend: the transfer ("xid"), the get it answers ("g"), the file's
// index in the manifest ("i"), first after the type, in that order.
struct FileAddress
{
    QUuid id;
    quint32 request = 0;
    qint64 index = 0;
};

QCborMap fileMessage(QLatin1StringView type, const QUuid &id, quint32 request, qint64 index)
{
    QCborMap map = typed(type);
    map.insert("xid"_L1, uuidText(id));
    map.insert("g"_L1, qint64(request));
    map.insert("i"_L1, index);
    return map;
}

std::optional<FileAddress> fileAddress(const QCborMap &map, QString *error)
{
    const auto id = uuidField(map, "xid"_L1, error);
    const auto g = id ? boundedField(map, "g"_L1, 0xffffffff, error) : std::nullopt;
    const auto i = g ? boundedField(map, "i"_L1, MaxTransferValue, error) : std::nullopt;
    if (!i)
        return std::nullopt;
    return FileAddress{*id, quint32(*g), *i};
}

} // namespace

QCborMap FileGet::toCbor() const
{
    QCborMap map = fileMessage("get"_L1, id, request, index);
    map.insert("off"_L1, offset);
    if (!prefixHash.isEmpty())
        map.insert("h"_L1, prefixHash);
    return map;
}

std::optional<FileGet> FileGet::fromCbor(const QCborMap &map, QString *error)
{
    const auto at = fileAddress(map, error);
    const auto off = at ? boundedField(map, "off"_L1, MaxTransferValue, error) : std::nullopt;
    if (!off)
        return std::nullopt;
    QByteArray prefixHash;
    // Resuming needs the hash of what the receiver holds: without it the sender could not
    // tell a prefix of the same file from one of an older version.
    if (*off > 0 || map.contains("h"_L1)) {
        const auto h = hashField(map, "h"_L1, error);
        if (!h)
            return std::nullopt;
        prefixHash = *h;
    }
    return FileGet{at->id, at->request, at->index, *off, prefixHash};
}

QString FileGet::toString() const
{
    return u"get(xid=%1, g=%2, i=%3, off=%4, h=%5)"_s.arg(uuidText(id))
        .arg(request)
        .arg(index)
        .arg(offset)
        .arg(hashText(prefixHash));
}

bool FileGet::operator==(const FileGet &o) const
{
    return id == o.id && request == o.request && index == o.index && offset == o.offset
           && prefixHash == o.prefixHash;
}

QCborMap FileData::toCbor() const
{
    QCborMap map = fileMessage("data"_L1, id, request, index);
    map.insert("off"_L1, offset);
    map.insert("d"_L1, data);
    return map;
}

std::optional<FileData> FileData::fromCbor(const QCborMap &map, QString *error)
{
    const auto at = fileAddress(map, error);
    const auto off = at ? boundedField(map, "off"_L1, MaxTransferValue, error) : std::nullopt;
    auto bytes = off ? bytesField(map, "d"_L1, MaxChunkBytes, error) : std::nullopt;
    if (!bytes)
        return std::nullopt;
    if (*off + bytes->size() > MaxTransferValue) {
        *error = u"field \"off\" out of range"_s;
        return std::nullopt;
    }
    return FileData{at->id, at->request, at->index, *off, std::move(*bytes)};
}

QString FileData::toString() const
{
    return u"data(xid=%1, g=%2, i=%3, off=%4, %5 bytes)"_s.arg(uuidText(id))
        .arg(request)
        .arg(index)
        .arg(offset)
        .arg(data.size());
}

bool FileData::operator==(const FileData &o) const
{
    return id == o.id && request == o.request && index == o.index && offset == o.offset
           && data == o.data;
}

QCborMap FileEnd::toCbor() const
{
    QCborMap map = fileMessage("fend"_L1, id, request, index);
    map.insert("sha"_L1, sha256);
    return map;
}

std::optional<FileEnd> FileEnd::fromCbor(const QCborMap &map, QString *error)
{
    const auto at = fileAddress(map, error);
    const auto sha = at ? hashField(map, "sha"_L1, error) : std::nullopt;
    if (!sha)
        return std::nullopt;
    return FileEnd{at->id, at->request, at->index, *sha};
}

QString FileEnd::toString() const
{
    return u"fend(xid=%1, g=%2, i=%3, sha=%4)"_s.arg(uuidText(id))
        .arg(request)
        .arg(index)
        .arg(hashText(sha256));
}

bool FileEnd::operator==(const FileEnd &o) const
{
    return id == o.id && request == o.request && index == o.index && sha256 == o.sha256;
}

namespace {

QString bytesText(const QByteArray &bytes)
{
    return u"%1 bytes"_s.arg(bytes.size());
}

} // namespace

template<typename Tag>
QCborMap SignedMessage<Tag>::toCbor() const
{
    QCborMap map = typed(QLatin1StringView(Tag::Name));
    map.insert("b"_L1, body);
    map.insert("sig"_L1, sig);
    return map;
}

template<typename Tag>
std::optional<SignedMessage<Tag>> SignedMessage<Tag>::fromCbor(const QCborMap &map, QString *error)
{
    const auto b = bytesField(map, "b"_L1, Groups::MaxGroupBody, error);
    const auto sig = b ? bytesField(map, "sig"_L1, Groups::MaxSignatureBytes, error) : std::nullopt;
    if (!sig)
        return std::nullopt;
    return SignedMessage{*b, *sig};
}

template<typename Tag>
QString SignedMessage<Tag>::toString() const
{
    return QLatin1StringView(Tag::Name) + u"(b=%1, sig=%2)"_s.arg(bytesText(body), hashText(sig));
}

template struct SignedMessage<GroupMessageTag>;
template struct SignedMessage<GroupReceiptTag>;

QCborMap GroupPage::toCbor() const
{
    QCborMap map = typed("gpage"_L1);
    map.insert("g"_L1, group);
    QCborArray array;
    for (const auto &[body, sig] : messages)
        array.append(QCborArray{body, sig});
    map.insert("m"_L1, array);
    map.insert("more"_L1, more);
    return map;
}

std::optional<GroupPage> GroupPage::fromCbor(const QCborMap &map, QString *error)
{
    const auto group = groupField(map, "g"_L1, error);
    const auto more = group ? boolField(map, "more"_L1, error) : std::nullopt;
    const auto m = more ? arrayField(map, "m"_L1, error) : std::nullopt;
    if (!m)
        return std::nullopt;
    const QCborArray &array = *m;
    if (array.size() > Groups::MaxPageMessages) {
        *error = u"more than %1 messages in a page"_s.arg(Groups::MaxPageMessages);
        return std::nullopt;
    }
    GroupPage page{*group, {}, *more};
    page.messages.reserve(array.size());
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QCborValue item = array.at(i);
        const QCborArray pair = item.toArray();
        const bool shaped = item.isArray() && pair.size() == 2 && pair.at(0).isByteArray()
                            && pair.at(1).isByteArray();
        const QByteArray body = shaped ? pair.at(0).toByteArray() : QByteArray();
        const QByteArray sig = shaped ? pair.at(1).toByteArray() : QByteArray();
        if (body.isEmpty() || body.size() > Groups::MaxGroupBody || sig.isEmpty()
            || sig.size() > Groups::MaxSignatureBytes) {
            *error = u"page message %1 is not [body, sig]"_s.arg(i);
            return std::nullopt;
        }
        bytes += body.size();
        if (bytes > Groups::MaxPageBytes) {
            *error = u"page bodies over %1 bytes"_s.arg(Groups::MaxPageBytes);
            return std::nullopt;
        }
        page.messages.append({body, sig});
    }
    return page;
}

QString GroupPage::toString() const
{
    return u"gpage(g=%1, %2 messages, more=%3)"_s.arg(group)
        .arg(messages.size())
        .arg(more ? u"true"_s : u"false"_s);
}

bool GroupPage::operator==(const GroupPage &o) const
{
    return group == o.group && messages == o.messages && more == o.more;
}

template<typename Tag>
QCborMap HeadsMessage<Tag>::toCbor() const
{
    QCborMap map = typed(QLatin1StringView(Tag::Name));
    map.insert("g"_L1, group);
    // Sorted: the same heads always give the same bytes.
    QStringList authors = heads.keys();
    authors.sort();
    QCborMap h;
    for (const QString &author : std::as_const(authors))
        h.insert(author, heads.value(author));
    map.insert("h"_L1, h);
    return map;
}

template<typename Tag>
std::optional<HeadsMessage<Tag>> HeadsMessage<Tag>::fromCbor(const QCborMap &map, QString *error)
{
    const auto group = groupField(map, "g"_L1, error);
    const auto h = group ? typedField(map, "h"_L1, CborType::Map, error) : std::nullopt;
    if (!h)
        return std::nullopt;
    const QCborMap entries = h->toMap();
    if (entries.size() > Groups::MaxHeads) {
        *error = u"more than %1 heads"_s.arg(Groups::MaxHeads);
        return std::nullopt;
    }
    HeadsMessage out{*group, {}};
    out.heads.reserve(entries.size());
    for (auto it = entries.constBegin(); it != entries.constEnd(); ++it) {
        const QCborValue key = it.key();
        const QCborValue value = it.value();
        const QString author = key.isString() ? exactString(key) : QString();
        if (!isValidPeerId(author)) {
            *error = u"a head's key is not a peer ID"_s;
            return std::nullopt;
        }
        if (!value.isInteger() || value.toInteger() < 0 || value.toInteger() > Groups::MaxCounter) {
            *error = u"head of %1 out of range"_s.arg(author);
            return std::nullopt;
        }
        // A key given twice would let the two values disagree.
        if (out.heads.contains(author)) {
            *error = u"head of %1 given twice"_s.arg(author);
            return std::nullopt;
        }
        out.heads.insert(author, value.toInteger());
    }
    return out;
}

template<typename Tag>
QString HeadsMessage<Tag>::toString() const
{
    QStringList authors = heads.keys();
    authors.sort();
    const QString shown = firstThree(authors.size(), [&](qsizetype i) {
        return u"%1:%2"_s.arg(authors.at(i).left(8)).arg(heads.value(authors.at(i)));
    });
    return QLatin1StringView(Tag::Name) + u"(g=%1, h={%2})"_s.arg(group, shown);
}

template struct HeadsMessage<GroupSyncTag>;
template struct HeadsMessage<GroupPullTag>;

QCborMap Pex::toCbor() const
{
    QCborMap map = typed("pex"_L1);
    QCborArray array;
    for (const Peer &peer : peers) {
        QCborMap entry;
        entry.insert("id"_L1, peer.id);
        entry.insert("a"_L1, QCborArray::fromStringList(peer.addresses));
        array.append(entry);
    }
    map.insert("peers"_L1, array);
    return map;
}

namespace {

// The "peers" of a pex or a routes: at most maxPeers maps, each with a valid "id" given once;
// readRest(entry, &peer, error) reads the rest of one. An error names the entry as `entryName`
// and its index or ID ("pex peer 3 is not a map"), and the message as `in`.
template<typename Peer, typename ReadRest>
std::optional<QList<Peer>> peerList(const QCborMap &map,
                                    qsizetype maxPeers,
                                    QLatin1StringView in,
                                    QLatin1StringView entryName,
                                    QString *error,
                                    ReadRest readRest)
{
    const auto array = arrayField(map, "peers"_L1, error);
    if (!array)
        return std::nullopt;
    if (array->size() > maxPeers) {
        *error = u"more than %1 peers in %2"_s.arg(maxPeers).arg(in);
        return std::nullopt;
    }
    QList<Peer> peers;
    peers.reserve(array->size());
    for (qsizetype i = 0; i < array->size(); ++i) {
        const QCborValue item = array->at(i);
        if (!item.isMap()) {
            *error = u"%1 %2 is not a map"_s.arg(entryName).arg(i);
            return std::nullopt;
        }
        const QCborMap entry = item.toMap();
        const QCborValue id = entry.value("id"_L1);
        Peer peer;
        peer.id = id.isString() ? exactString(id) : QString();
        if (!isValidPeerId(peer.id)) {
            *error = u"%1 %2 has no valid \"id\""_s.arg(entryName).arg(i);
            return std::nullopt;
        }
        for (const Peer &seen : std::as_const(peers)) {
            if (seen.id == peer.id) {
                *error = u"%1 %2 given twice"_s.arg(entryName, peer.id);
                return std::nullopt;
            }
        }
        if (!readRest(entry, &peer, error))
            return std::nullopt;
        peers.append(peer);
    }
    return peers;
}

} // namespace

std::optional<Pex> Pex::fromCbor(const QCborMap &map, QString *error)
{
    // Where each peer is reached: 1..MaxAddresses texts.
    const auto readAddresses = [](const QCborMap &entry, Peer *peer, QString *error) {
        const QCborValue a = entry.value("a"_L1);
        const QCborArray addresses = a.toArray();
        if (!a.isArray() || addresses.isEmpty() || addresses.size() > MaxAddresses) {
            *error = u"pex peer %1: \"a\" is not an array of 1 to %2 addresses"_s.arg(peer->id).arg(
                MaxAddresses);
            return false;
        }
        for (const QCborValue &address : addresses) {
            const QString text = address.isString() ? exactString(address) : QString();
            if (text.isEmpty() || text.size() > MaxAddressLength) {
                *error = u"pex peer %1: an address is not text of 1 to %2 characters"_s
                             .arg(peer->id)
                             .arg(MaxAddressLength);
                return false;
            }
            peer->addresses.append(text);
        }
        return true;
    };
    auto peers = peerList<Peer>(map, MaxPeers, "a pex"_L1, "pex peer"_L1, error, readAddresses);
    if (!peers)
        return std::nullopt;
    return Pex{std::move(*peers)};
}

QString Pex::toString() const
{
    const QString shown = firstThree(peers.size(), [this](qsizetype i) {
        return u"%1@%2"_s.arg(peers.at(i).id.left(8), quoted(peers.at(i).addresses.join(u',')));
    });
    return u"pex(%1 peers: %2)"_s.arg(peers.size()).arg(shown);
}

// --- Avatars (issue 15) ---
QCborMap AvatarGet::toCbor() const
{
    QCborMap map = typed("avget"_L1);
    map.insert("h"_L1, hash);
    return map;
}

std::optional<AvatarGet> AvatarGet::fromCbor(const QCborMap &map, QString *error)
{
    const auto h = hashField(map, "h"_L1, error);
    if (!h)
        return std::nullopt;
    return AvatarGet{*h};
}

QString AvatarGet::toString() const
{
    return u"avget(h=%1)"_s.arg(hashText(hash));
}

QCborMap Avatar::toCbor() const
{
    QCborMap map = typed("av"_L1);
    map.insert("h"_L1, hash);
    map.insert("png"_L1, png);
    return map;
}

std::optional<Avatar> Avatar::fromCbor(const QCborMap &map, QString *error)
{
    const auto h = hashField(map, "h"_L1, error);
    const auto png = h ? bytesField(map, "png"_L1, MaxAvatarBytes, error) : std::nullopt;
    if (!png)
        return std::nullopt;
    return Avatar{*h, *png};
}

QString Avatar::toString() const
{
    return u"av(h=%1, %2 bytes)"_s.arg(hashText(hash)).arg(png.size());
}
// --- end avatars ---

// --- Carried delivery (issue 16) ---
namespace {

// A byte string of exactly EnvelopeIdBytes.
std::optional<QByteArray> eidField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    return fixedBytesField(map, key, EnvelopeIdBytes, error);
}

QString eidText(const QByteArray &eid)
{
    return QString::fromLatin1(eid.left(4).toHex()) + (eid.size() > 4 ? u"…"_s : QString());
}

QString boolText(bool value)
{
    return value ? u"true"_s : u"false"_s;
}

} // namespace

QCborMap Carry::toCbor() const
{
    QCborMap map = typed("carry"_L1);
    map.insert("relay"_L1, relay);
    map.insert("hold"_L1, hold);
    return map;
}

std::optional<Carry> Carry::fromCbor(const QCborMap &map, QString *error)
{
    const auto relay = boolField(map, "relay"_L1, error);
    const auto hold = relay ? boolField(map, "hold"_L1, error) : std::nullopt;
    if (!hold)
        return std::nullopt;
    return Carry{*relay, *hold};
}

QString Carry::toString() const
{
    return u"carry(relay=%1, hold=%2)"_s.arg(boolText(relay), boolText(hold));
}

QCborMap Routes::toCbor() const
{
    QCborMap map = typed("routes"_L1);
    QCborArray array;
    for (const Peer &peer : peers) {
        QCborMap entry;
        entry.insert("id"_L1, peer.id);
        entry.insert("name"_L1, peer.name);
        entry.insert("cert"_L1, peer.cert);
        array.append(entry);
    }
    map.insert("peers"_L1, array);
    return map;
}

std::optional<Routes> Routes::fromCbor(const QCborMap &map, QString *error)
{
    // Each peer's name and certificate.
    const auto readCard = [](const QCborMap &entry, Peer *peer, QString *error) {
        QString fieldError;
        const auto name = textField(entry, "name"_L1, &fieldError);
        const auto cert = name ? bytesField(entry, "cert"_L1, MaxRouteCertBytes, &fieldError)
                               : std::nullopt;
        if (!cert) {
            *error = u"route %1: %2"_s.arg(peer->id, fieldError);
            return false;
        }
        peer->name = singleLine(*name, MaxNameLength);
        peer->cert = *cert;
        return true;
    };
    auto peers = peerList<Peer>(map, MaxPeers, "routes"_L1, "route"_L1, error, readCard);
    if (!peers)
        return std::nullopt;
    return Routes{std::move(*peers)};
}

QString Routes::toString() const
{
    const QString shown = firstThree(peers.size(), [this](qsizetype i) {
        return u"%1 %2"_s.arg(peers.at(i).id.left(8), quoted(peers.at(i).name));
    });
    return u"routes(%1 peers: %2)"_s.arg(peers.size()).arg(shown);
}

template<typename Tag>
QCborMap EnvelopeMessage<Tag>::toCbor() const
{
    QCborMap map = typed(QLatin1StringView(Tag::Name));
    map.insert("e"_L1, envelope);
    return map;
}

template<typename Tag>
std::optional<EnvelopeMessage<Tag>> EnvelopeMessage<Tag>::fromCbor(const QCborMap &map,
                                                                   QString *error)
{
    const auto e = bytesField(map, "e"_L1, MaxEnvelopeBytes, error);
    if (!e)
        return std::nullopt;
    return EnvelopeMessage{*e};
}

template<typename Tag>
QString EnvelopeMessage<Tag>::toString() const
{
    return QLatin1StringView(Tag::Name) + u"(e=%1)"_s.arg(bytesText(envelope));
}

template struct EnvelopeMessage<RelayTag>;
template struct EnvelopeMessage<DeliverTag>;
template struct EnvelopeMessage<HoldTag>;

QCborMap Held::toCbor() const
{
    QCborMap map = typed("held"_L1);
    map.insert("eid"_L1, envelopeId);
    map.insert("ok"_L1, ok);
    if (!why.isEmpty())
        map.insert("why"_L1, why);
    return map;
}

std::optional<Held> Held::fromCbor(const QCborMap &map, QString *error)
{
    const auto eid = eidField(map, "eid"_L1, error);
    const auto ok = eid ? boolField(map, "ok"_L1, error) : std::nullopt;
    const auto why = ok ? optionalTextField(map, "why"_L1, error) : std::nullopt;
    if (!why)
        return std::nullopt;
    return Held{*eid, *ok, singleLine(*why, MaxReasonLength)};
}

QString Held::toString() const
{
    return u"held(eid=%1, ok=%2, why=%3)"_s.arg(eidText(envelopeId), boolText(ok), quoted(why));
}

QCborMap Got::toCbor() const
{
    QCborMap map = typed("got"_L1);
    QCborArray array;
    for (const QByteArray &eid : envelopeIds)
        array.append(eid);
    map.insert("eids"_L1, array);
    return map;
}

std::optional<Got> Got::fromCbor(const QCborMap &map, QString *error)
{
    const auto e = arrayField(map, "eids"_L1, error);
    if (!e)
        return std::nullopt;
    const QCborArray &array = *e;
    if (array.isEmpty() || array.size() > MaxIds) {
        *error = u"\"eids\" is not 1 to %1 envelope IDs"_s.arg(MaxIds);
        return std::nullopt;
    }
    Got out;
    out.envelopeIds.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QCborValue item = array.at(i);
        const QByteArray eid = item.isByteArray() ? item.toByteArray() : QByteArray();
        if (eid.size() != EnvelopeIdBytes) {
            *error = u"envelope ID %1 is not %2 bytes"_s.arg(i).arg(EnvelopeIdBytes);
            return std::nullopt;
        }
        out.envelopeIds.append(eid);
    }
    return out;
}

QString Got::toString() const
{
    const QString shown = firstThree(envelopeIds.size(),
                                     [this](qsizetype i) { return eidText(envelopeIds.at(i)); });
    return u"got(%1 eids: %2)"_s.arg(envelopeIds.size()).arg(shown);
}
// --- end carried delivery ---

QString Unknown::toString() const
{
    return u"unknown(%1)"_s.arg(type);
}

namespace {

// CBOR written straight into the bytes of a frame, each head in its shortest form: what
// QCborStreamWriter writes, without a QBuffer, a writer, a UUID string and reallocations around
// every message (they were most of encodeFrame(), ~8 % of the main thread in a flood). The
// caller makes room for the most a message can take; a Cursor writes into it unchecked.
struct Cursor
{
    char *to;

    void head(quint8 major, quint64 value)
    {
        const char type = char(major << 5);
        if (value < 24) {
            *to++ = char(type | char(value));
            return;
        }
        const int bytes = value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffffffu ? 4 : 8;
        *to++ = char(type | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
        for (int i = bytes - 1; i >= 0; --i)
            *to++ = char(value >> (8 * i));
    }
    void integer(qint64 value)
    {
        if (value >= 0)
            head(0, quint64(value));
        else
            head(1, quint64(-1 - value));
    }
    void text(QLatin1StringView ascii)
    {
        head(3, quint64(ascii.size()));
        memcpy(to, ascii.data(), size_t(ascii.size()));
        to += ascii.size();
    }
    void text(QStringView text)
    {
        for (const QChar c : text) {
            if (c.unicode() >= 0x80) {
                // As QCborStreamWriter::append(QStringView); at most 3 bytes per UTF-16 unit.
                const QByteArray utf8 = text.toUtf8();
                head(3, quint64(utf8.size()));
                memcpy(to, utf8.constData(), size_t(utf8.size()));
                to += utf8.size();
                return;
            }
        }
        head(3, quint64(text.size()));
        for (const QChar c : text)
            *to++ = char(c.unicode());
    }
    void bytes(const QByteArray &bytes)
    {
        head(2, quint64(bytes.size()));
        memcpy(to, bytes.constData(), size_t(bytes.size()));
        to += bytes.size();
    }
    // As QUuid::toByteArray(QUuid::WithoutBraces): 8-4-4-4-12 lower-case hex digits.
    void uuid(const QUuid &id)
    {
        head(3, 36);
        hex(id.data1, 8);
        *to++ = '-';
        hex(id.data2, 4);
        *to++ = '-';
        hex(id.data3, 4);
        *to++ = '-';
        hex(quint64(id.data4[0]) << 8 | id.data4[1], 4);
        *to++ = '-';
        for (int i = 2; i < 8; ++i)
            hex(id.data4[i], 2);
    }
    void hex(quint64 value, int digits)
    {
        static constexpr char Digits[] = "0123456789abcdef";
        for (int i = digits - 1; i >= 0; --i)
            *to++ = Digits[(value >> (4 * i)) & 0xf];
    }
    // Cuts `out`, written into through this cursor, to what was written.
    bool finish(QByteArray &out) const
    {
        Q_ASSERT(to <= out.constData() + out.size());
        out.truncate(to - out.constData());
        return true;
    }
};

// The messages of every round trip (chat, ack, read) and file data written straight into their
// frame, behind `out`'s first `at` bytes: through a QCborMap, building the map, encoding it and
// copying it behind the frame's header took half of what a commit reports to the network (~8 %
// of a round trip). Byte for byte what toCbor().toCborValue().toCbor() gives: a definite-length map, its
// keys in toCbor()'s order (tst_messages checks it). Other types: false, and the general path.
template<typename M>
bool writeFast(QByteArray &out, qsizetype at, const M &m)
{
    constexpr qsizetype MaxHead = 9;
    // map, "t", its value (at most "chat"/"read"), "mid", the ID with its 2-byte head
    constexpr qsizetype MaxIdMessage = 1 + 2 + 5 + 4 + 2 + 36;
    if constexpr (std::is_same_v<M, Chat>) {
        if (!m.replyTo.isNull())
            return false; // a reply (issue 15): the general way
        out.resize(at + MaxIdMessage + 3 + MaxHead + 5 + MaxHead + 3 * m.text.size());
        Cursor w{out.data() + at};
        w.head(5, 4);
        w.text("t"_L1);
        w.text("chat"_L1);
        w.text("mid"_L1);
        w.uuid(m.id);
        w.text("ts"_L1);
        w.integer(m.sentAt.toMSecsSinceEpoch());
        w.text("text"_L1);
        w.text(QStringView(m.text));
        return w.finish(out);
    } else if constexpr (std::is_same_v<M, FileData>) {
        // The bulk of every transfer (~600 MB/s): the chunk is copied once, into the frame.
        constexpr qsizetype Keys = 2 + 4 + 2 + 2 + 4 + 2; // "t", "xid", "g", "i", "off", "d"
        // map, keys, "data", the ID with its head, g, i, off and the chunk's head, the chunk
        out.resize(at + 1 + Keys + 5 + 2 + 36 + 4 * MaxHead + m.data.size());
        Cursor w{out.data() + at};
        w.head(5, 6);
        w.text("t"_L1);
        w.text("data"_L1);
        w.text("xid"_L1);
        w.uuid(m.id);
        w.text("g"_L1);
        w.integer(qint64(m.request));
        w.text("i"_L1);
        w.integer(m.index);
        w.text("off"_L1);
        w.integer(m.offset);
        w.text("d"_L1);
        w.bytes(m.data);
        return w.finish(out);
    } else if constexpr (std::is_same_v<M, Ack> || std::is_same_v<M, Read>) {
        out.resize(at + MaxIdMessage);
        Cursor w{out.data() + at};
        w.head(5, 2);
        w.text("t"_L1);
        w.text(std::is_same_v<M, Ack> ? "ack"_L1 : "read"_L1);
        w.text("mid"_L1);
        w.uuid(m.id);
        return w.finish(out);
    } else {
        return false;
    }
}

} // namespace

QByteArray encode(const Message &message)
{
    return std::visit(
        [](const auto &m) -> QByteArray {
            QByteArray out;
            if (writeFast(out, 0, m))
                return out;
            if constexpr (std::is_same_v<std::decay_t<decltype(m)>, Unknown>)
                return typed("unknown"_L1).toCborValue().toCbor();
            else
                return m.toCbor().toCborValue().toCbor();
        },
        message);
}

QByteArray encodeFrame(const Message &message)
{
    constexpr qsizetype FrameHeader = 4; // FrameDecoder::encode()'s big-endian length
    return std::visit(
        [&](const auto &m) -> QByteArray {
            QByteArray out;
            if (!writeFast(out, FrameHeader, m))
                return FrameDecoder::encode(encode(message));
            qToBigEndian<quint32>(quint32(out.size() - FrameHeader), out.data());
            return out;
        },
        message);
}

namespace {

// The bytes of a payload, read front to back; every read checks that they are there.
class ByteCursor
{
public:
    explicit ByteCursor(QByteArrayView bytes)
        : m_bytes(bytes)
    {}
    bool atEnd() const { return m_pos == m_bytes.size(); }
    bool skip(QByteArrayView expected)
    {
        if (!m_bytes.sliced(m_pos).startsWith(expected))
            return false;
        m_pos += expected.size();
        return true;
    }
    // The argument of a CBOR head of major type `major` (any length form), or nullopt.
    std::optional<quint64> head(int major)
    {
        if (m_pos >= m_bytes.size() || quint8(m_bytes.at(m_pos)) >> 5 != major)
            return std::nullopt;
        const int info = quint8(m_bytes.at(m_pos++)) & 0x1f;
        if (info < 24)
            return quint64(info);
        const qsizetype n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
        if (n == 0 || m_bytes.size() - m_pos < n)
            return std::nullopt;
        quint64 v = 0;
        for (qsizetype i = 0; i < n; ++i)
            v = v << 8 | quint8(m_bytes.at(m_pos++));
        return v;
    }
    std::optional<QByteArrayView> text(quint64 maxBytes) { return string(3, maxBytes); }
    std::optional<QByteArrayView> bytes(quint64 maxBytes) { return string(2, maxBytes); }

private:
    // A text (major type 3) or byte string (2) of at most maxBytes, as it stands in the payload.
    std::optional<QByteArrayView> string(int major, quint64 maxBytes)
    {
        const auto n = head(major);
        if (!n || *n > maxBytes || quint64(m_bytes.size() - m_pos) < *n)
            return std::nullopt;
        const QByteArrayView out = m_bytes.sliced(m_pos, qsizetype(*n));
        m_pos += qsizetype(*n);
        return out;
    }

    QByteArrayView m_bytes;
    qsizetype m_pos = 0;
};

// A hex digit's value, -1 for any other byte.
constexpr std::array<qint8, 256> HexValues = [] {
    std::array<qint8, 256> values{};
    for (int c = 0; c < 256; ++c) {
        values[c] = qint8(c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1);
    }
    return values;
}();

// 8-4-4-4-12 hex digits, read here without QUuid::fromString()'s generality (~2 % of the main
// thread in a flood); anything else: nullopt, and fromString() decides.
std::optional<QUuid> hexUuid(QByteArrayView text)
{
    if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        return std::nullopt;
    // Where each byte's two digits start.
    static constexpr std::array<quint8, 16> At
        = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    std::array<quint8, 16> bytes{};
    int bad = 0;
    for (size_t i = 0; i < At.size(); ++i) {
        const int high = HexValues[quint8(text[At[i]])];
        const int low = HexValues[quint8(text[At[i] + 1])];
        bad |= high | low; // negative if either is not a digit
        bytes[i] = quint8((high & 0x0f) << 4 | (low & 0x0f));
    }
    if (bad < 0)
        return std::nullopt;
    return QUuid::fromRfc4122(
        QByteArrayView(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())));
}

std::optional<QUuid> fastUuid(ByteCursor &in)
{
    const auto text = in.text(36);
    if (!text || text->size() != 36)
        return std::nullopt;
    const auto hex = hexUuid(*text);
    const QUuid id = hex ? *hex : QUuid::fromString(QLatin1StringView(*text));
    if (id.isNull())
        return std::nullopt;
    return id;
}

// The messages of every round trip, and file data, read straight from their bytes when laid out
// exactly as writeFast() writes them (building a QCborValue first was a quarter of the main
// thread's time in a flood). Anything else, valid or not, is left to the general way (nullopt),
// which alone explains refusals; what this accepts, the general way decodes to the same message
// (the fuzz target checks it).
std::optional<Message> decodeFast(QByteArrayView payload)
{
    ByteCursor in(payload);
    if (in.skip("\xA4\x61t\x64"
                "chat\x63mid")) {
        const auto id = fastUuid(in);
        if (!id || !in.skip("\x62ts"))
            return std::nullopt;
        const auto ts = in.head(0);
        if (!ts || *ts > quint64(MaxTimestamp) || !in.skip("\x64text"))
            return std::nullopt;
        const auto utf8 = in.text(MaxTextBytes);
        if (!utf8 || !in.atEnd())
            return std::nullopt;
        // U+FEFF at the start is text, not a byte-order mark (as exactString()).
        QStringDecoder toUtf16(QStringConverter::Utf8,
                               QStringConverter::Flag::Stateless
                                   | QStringConverter::Flag::ConvertInitialBom);
        QString text = toUtf16(*utf8);
        if (toUtf16.hasError())
            return std::nullopt;
        return Chat{*id, QDateTime::fromMSecsSinceEpoch(qint64(*ts), Qt::UTC), std::move(text)};
    }
    if (in.skip("\xA6\x61t\x64"
                "data\x63xid")) {
        const auto id = fastUuid(in);
        if (!id || !in.skip("\x61g"))
            return std::nullopt;
        const auto g = in.head(0);
        if (!g || *g > 0xffffffff || !in.skip("\x61i"))
            return std::nullopt;
        const auto i = in.head(0);
        if (!i || *i > quint64(MaxTransferValue) || !in.skip("\x63off"))
            return std::nullopt;
        const auto off = in.head(0);
        if (!off || *off > quint64(MaxTransferValue) || !in.skip("\x61\x64")) // "d"
            return std::nullopt;
        const auto d = in.bytes(MaxChunkBytes);
        if (!d || d->isEmpty() || *off + quint64(d->size()) > quint64(MaxTransferValue)
            || !in.atEnd())
            return std::nullopt;
        // The one copy: the payload's bytes belong to the connection's read buffer.
        return FileData{*id, quint32(*g), qint64(*i), qint64(*off), d->toByteArray()};
    }
    const bool ack = in.skip("\xA2\x61t\x63"
                             "ack\x63mid");
    if (ack || in.skip("\xA2\x61t\x64read\x63mid")) {
        const auto id = fastUuid(in);
        if (!id || !in.atEnd())
            return std::nullopt;
        return ack ? Message(Ack{*id}) : Message(Read{*id});
    }
    return std::nullopt;
}

} // namespace

std::optional<Message> decode(const QByteArray &payload, QString *error)
{
    if (auto fast = decodeFast(payload))
        return fast;
    return decodeGeneral(payload, error);
}

std::optional<Message> decodeGeneral(const QByteArray &payload, QString *error)
{
    const QScopedValueRollback<bool> noBom(t_payloadHasNoBom,
                                           !payload.contains(QByteArrayView("\xEF\xBB\xBF", 3)));
    const auto value = parseItem(payload, error);
    if (!value)
        return std::nullopt;
    if (!value->isMap()) {
        *error = u"payload is not a CBOR map"_s;
        return std::nullopt;
    }
    const QCborMap map = value->toMap();
    const QCborValue t = map.value("t"_L1);
    if (!t.isString()) {
        *error = u"missing or non-text message type \"t\""_s;
        return std::nullopt;
    }
    const QString type = exactString(t);
    auto wrap = [](auto opt) -> std::optional<Message> {
        if (!opt)
            return std::nullopt;
        return Message(std::move(*opt));
    };
    if (type == "hello"_L1)
        return wrap(Hello::fromCbor(map, error));
    if (type == "chat"_L1)
        return wrap(Chat::fromCbor(map, error));
    if (type == "ack"_L1)
        return wrap(Ack::fromCbor(map, error));
    if (type == "read"_L1)
        return wrap(Read::fromCbor(map, error));
    if (type == "resend"_L1)
        return wrap(Resend::fromCbor(map, error));
    if (type == "ping"_L1)
        return wrap(Ping::fromCbor(map, error));
    if (type == "pong"_L1)
        return wrap(Pong::fromCbor(map, error));
    if (type == "bye"_L1)
        return wrap(Bye::fromCbor(map, error));
    if (type == "offer"_L1)
        return wrap(Offer::fromCbor(map, error));
    if (type == "xfer"_L1)
        return wrap(TransferControl::fromCbor(map, error));
    if (type == "mreq"_L1)
        return wrap(ManifestRequest::fromCbor(map, error));
    if (type == "man"_L1)
        return wrap(ManifestPage::fromCbor(map, error));
    if (type == "get"_L1)
        return wrap(FileGet::fromCbor(map, error));
    if (type == "data"_L1)
        return wrap(FileData::fromCbor(map, error));
    if (type == "fend"_L1)
        return wrap(FileEnd::fromCbor(map, error));
    if (type == "gmsg"_L1)
        return wrap(GroupMessage::fromCbor(map, error));
    if (type == "gpage"_L1)
        return wrap(GroupPage::fromCbor(map, error));
    if (type == "gsync"_L1)
        return wrap(GroupSync::fromCbor(map, error));
    if (type == "gpull"_L1)
        return wrap(GroupPull::fromCbor(map, error));
    if (type == "grcpt"_L1)
        return wrap(GroupReceipt::fromCbor(map, error));
    if (type == "pex"_L1)
        return wrap(Pex::fromCbor(map, error));
    if (type == "typing"_L1) // issue 15
        return wrap(Typing::fromCbor(map, error));
    // --- Avatars (issue 15) ---
    if (type == "avget"_L1)
        return wrap(AvatarGet::fromCbor(map, error));
    if (type == "av"_L1)
        return wrap(Avatar::fromCbor(map, error));
    // --- end avatars ---
    if (type == "pres"_L1) // issue 15
        return wrap(Presence::fromCbor(map, error));
    // --- Carried delivery (issue 16) ---
    if (type == "carry"_L1)
        return wrap(Carry::fromCbor(map, error));
    if (type == "routes"_L1)
        return wrap(Routes::fromCbor(map, error));
    if (type == "rly"_L1)
        return wrap(RelayEnvelope::fromCbor(map, error));
    if (type == "env"_L1)
        return wrap(DeliverEnvelope::fromCbor(map, error));
    if (type == "hold"_L1)
        return wrap(HoldEnvelope::fromCbor(map, error));
    if (type == "held"_L1)
        return wrap(Held::fromCbor(map, error));
    if (type == "got"_L1)
        return wrap(Got::fromCbor(map, error));
    // --- end carried delivery ---
    return Message(Unknown{singleLine(type, MaxNameLength)});
}

QString toString(const Message &message)
{
    return std::visit([](const auto &m) { return m.toString(); }, message);
}

} // namespace Protocol
