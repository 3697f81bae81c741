// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QString>

#include <optional>

// Readers of CBOR fields shared by the message decoders (messages.cpp) and the signed group
// bodies (groups/groupbody.cpp), so that both refuse the same input in the same words: each
// returns nullopt and says why in *error ("missing field \"x\"", "field \"x\" is not a byte
// string", ...). textField() and exactString() are declared in messages.h.
namespace Protocol {

// What a field must hold.
enum class CborType { Text, Integer, Boolean, Bytes, Array, Map };

// One whole CBOR item, read so that the parser's error is always checked (truncated input can
// otherwise yield a half-built value) and trailing bytes are refused.
std::optional<QCborValue> parseItem(const QByteArray &bytes, QString *error);

// The value of `key`, which must be there and of `type`.
std::optional<QCborValue> typedField(const QCborMap &map,
                                     QLatin1StringView key,
                                     CborType type,
                                     QString *error);
// The value of `key` if it is there (else an undefined value); there, it must be of `type`.
std::optional<QCborValue> optionalField(const QCborMap &map,
                                        QLatin1StringView key,
                                        CborType type,
                                        QString *error);
// An optional text string exactly as sent; absent, an empty text.
std::optional<QString> optionalTextField(const QCborMap &map, QLatin1StringView key, QString *error);

std::optional<qint64> intField(const QCborMap &map, QLatin1StringView key, QString *error);
std::optional<bool> boolField(const QCborMap &map, QLatin1StringView key, QString *error);
std::optional<QCborArray> arrayField(const QCborMap &map, QLatin1StringView key, QString *error);
// A byte string of 1..max bytes.
std::optional<QByteArray> bytesField(const QCborMap &map,
                                     QLatin1StringView key,
                                     qsizetype max,
                                     QString *error);
// A byte string of exactly `size` bytes.
std::optional<QByteArray> fixedBytesField(const QCborMap &map,
                                          QLatin1StringView key,
                                          qsizetype size,
                                          QString *error);
// A text string that is a peer ID, or a group ID (both lowercase hex of their length).
std::optional<QString> peerField(const QCborMap &map, QLatin1StringView key, QString *error);
std::optional<QString> groupField(const QCborMap &map, QLatin1StringView key, QString *error);

// Exactly `length` lowercase hex digits: what peer and group IDs are made of.
bool isLowerHex(QStringView text, qsizetype length);

} // namespace Protocol
