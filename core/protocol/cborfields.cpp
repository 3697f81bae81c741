// SPDX-License-Identifier: GPL-3.0-or-later
#include "cborfields.h"

#include "groups/grouplimits.h"
#include "messages.h"

#include <QCborStreamReader>

using namespace Qt::StringLiterals;

namespace Protocol {

namespace {

bool isOfType(const QCborValue &v, CborType type)
{
    switch (type) {
    case CborType::Text:
        return v.isString();
    case CborType::Integer:
        return v.isInteger();
    case CborType::Boolean:
        return v.isBool();
    case CborType::Bytes:
        return v.isByteArray();
    case CborType::Array:
        return v.isArray();
    case CborType::Map:
        return v.isMap();
    }
    return false;
}

QLatin1StringView typeName(CborType type)
{
    switch (type) {
    case CborType::Text:
        return "a text string"_L1;
    case CborType::Integer:
        return "an integer"_L1;
    case CborType::Boolean:
        return "a boolean"_L1;
    case CborType::Bytes:
        return "a byte string"_L1;
    case CborType::Array:
        return "an array"_L1;
    case CborType::Map:
        return "a map"_L1;
    }
    return "of its type"_L1;
}

// The field as `type`, converted by `to` (exactString, QCborValue::toInteger...).
template<typename To>
auto fieldAs(const QCborMap &map, QLatin1StringView key, CborType type, QString *error, To to)
    -> std::optional<decltype(to(QCborValue()))>
{
    const auto v = typedField(map, key, type, error);
    if (!v)
        return std::nullopt;
    return to(*v);
}

} // namespace

std::optional<QCborValue> parseItem(const QByteArray &bytes, QString *error)
{
    QCborStreamReader reader(bytes);
    QCborValue value = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError) {
        *error = u"malformed CBOR: %1"_s.arg(reader.lastError().toString());
        return std::nullopt;
    }
    if (reader.currentOffset() != bytes.size()) {
        *error = u"trailing bytes after the CBOR item"_s;
        return std::nullopt;
    }
    return value;
}

std::optional<QCborValue> typedField(const QCborMap &map,
                                     QLatin1StringView key,
                                     CborType type,
                                     QString *error)
{
    QCborValue v = map.value(key);
    if (!isOfType(v, type)) {
        *error = v.isUndefined() ? u"missing field \"%1\""_s.arg(key)
                                 : u"field \"%1\" is not %2"_s.arg(key, typeName(type));
        return std::nullopt;
    }
    return v;
}

std::optional<QCborValue> optionalField(const QCborMap &map,
                                        QLatin1StringView key,
                                        CborType type,
                                        QString *error)
{
    QCborValue v = map.value(key);
    if (v.isUndefined())
        return v;
    return typedField(map, key, type, error);
}

std::optional<QString> optionalTextField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    const auto v = optionalField(map, key, CborType::Text, error);
    if (!v)
        return std::nullopt;
    return v->isString() ? exactString(*v) : QString();
}

std::optional<QString> textField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    return fieldAs(map, key, CborType::Text, error, exactString);
}

std::optional<qint64> intField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    return fieldAs(map, key, CborType::Integer, error, [](const QCborValue &v) {
        return v.toInteger();
    });
}

std::optional<bool> boolField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    return fieldAs(map, key, CborType::Boolean, error, [](const QCborValue &v) {
        return v.toBool();
    });
}

std::optional<QCborArray> arrayField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    return fieldAs(map, key, CborType::Array, error, [](const QCborValue &v) {
        return v.toArray();
    });
}

std::optional<QByteArray> bytesField(const QCborMap &map,
                                     QLatin1StringView key,
                                     qsizetype max,
                                     QString *error)
{
    const auto v = typedField(map, key, CborType::Bytes, error);
    if (!v)
        return std::nullopt;
    QByteArray bytes = v->toByteArray();
    if (bytes.isEmpty() || bytes.size() > max) {
        *error = u"field \"%1\" is not 1..%2 bytes"_s.arg(key).arg(max);
        return std::nullopt;
    }
    return bytes;
}

std::optional<QByteArray> fixedBytesField(const QCborMap &map,
                                          QLatin1StringView key,
                                          qsizetype size,
                                          QString *error)
{
    const auto v = typedField(map, key, CborType::Bytes, error);
    if (!v)
        return std::nullopt;
    QByteArray bytes = v->toByteArray();
    if (bytes.size() != size) {
        *error = u"field \"%1\" is not %2 bytes"_s.arg(key).arg(size);
        return std::nullopt;
    }
    return bytes;
}

std::optional<QString> peerField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    auto id = textField(map, key, error);
    if (id && !isValidPeerId(*id)) {
        *error = u"field \"%1\" is not a peer ID"_s.arg(key);
        return std::nullopt;
    }
    return id;
}

std::optional<QString> groupField(const QCborMap &map, QLatin1StringView key, QString *error)
{
    auto id = textField(map, key, error);
    if (id && !isLowerHex(*id, Groups::GroupIdLength)) {
        *error = u"field \"%1\" is not a group ID"_s.arg(key);
        return std::nullopt;
    }
    return id;
}

bool isLowerHex(QStringView text, qsizetype length)
{
    if (text.size() != length)
        return false;
    for (QChar c : text) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

} // namespace Protocol
