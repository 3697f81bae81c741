// SPDX-License-Identifier: GPL-3.0-or-later
#include "announcement.h"

#include "protocol/messages.h"

#include <QCborMap>
#include <QCborStreamReader>
#include <QCborValue>

using namespace Qt::StringLiterals;

QByteArray Announcement::encode() const
{
    QCborMap map;
    map.insert("m"_L1, u"shoal"_s);
    map.insert("v"_L1, Version);
    map.insert("t"_L1, kind == Kind::Hello ? u"hi"_s : u"bye"_s);
    map.insert("id"_L1, peerId);
    map.insert("inst"_L1, instance.toString(QUuid::WithoutBraces));
    if (kind == Kind::Hello) {
        map.insert("name"_L1, name);
        map.insert("port"_L1, port);
        map.insert("st"_L1, QString(Protocol::statusName(status)));
    }
    if (reply)
        map.insert("re"_L1, true);
    return map.toCborValue().toCbor();
}

std::optional<Announcement> Announcement::decode(const QByteArray &datagram, QString *error)
{
    if (datagram.size() > MaxDatagramSize) {
        *error = u"datagram of %1 bytes is over %2"_s.arg(datagram.size()).arg(MaxDatagramSize);
        return std::nullopt;
    }
    QCborStreamReader reader(datagram);
    const QCborValue value = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError) {
        *error = u"malformed CBOR: %1"_s.arg(reader.lastError().toString());
        return std::nullopt;
    }
    if (reader.currentOffset() != datagram.size() || !value.isMap()) {
        *error = u"not a single CBOR map"_s;
        return std::nullopt;
    }
    const QCborMap map = value.toMap();
    if (map.value("m"_L1).toString() != "shoal"_L1) {
        *error = u"wrong magic"_s;
        return std::nullopt;
    }
    const QCborValue v = map.value("v"_L1);
    if (!v.isInteger() || v.toInteger() != Version) {
        *error = u"unsupported discovery version"_s;
        return std::nullopt;
    }
    Announcement a;
    const QCborValue t = map.value("t"_L1);
    if (t.toString() == "hi"_L1)
        a.kind = Kind::Hello;
    else if (t.toString() == "bye"_L1)
        a.kind = Kind::Bye;
    else {
        *error = u"unknown or missing \"t\""_s;
        return std::nullopt;
    }
    const QCborValue id = map.value("id"_L1);
    if (!id.isString() || !Protocol::isValidPeerId(id.toString())) {
        *error = u"missing or bad \"id\""_s;
        return std::nullopt;
    }
    a.peerId = id.toString();
    const QCborValue inst = map.value("inst"_L1);
    a.instance = inst.isString() ? QUuid::fromString(inst.toString()) : QUuid();
    if (a.instance.isNull()) {
        *error = u"missing or bad \"inst\""_s;
        return std::nullopt;
    }
    if (a.kind == Kind::Hello) {
        const QCborValue name = map.value("name"_L1);
        const QCborValue port = map.value("port"_L1);
        if (!name.isString() || !port.isInteger() || port.toInteger() < 1
            || port.toInteger() > 65535) {
            *error = u"missing or bad \"name\" or \"port\""_s;
            return std::nullopt;
        }
        a.name = Protocol::singleLine(name.toString(), Protocol::MaxNameLength);
        a.port = quint16(port.toInteger());
        const QCborValue st = map.value("st"_L1);
        a.status = st.isString() ? Protocol::statusFromName(st.toString())
                                 : Protocol::Status::Available;
    }
    const QCborValue re = map.value("re"_L1);
    if (!re.isUndefined() && !re.isBool()) {
        *error = u"\"re\" is not a boolean"_s;
        return std::nullopt;
    }
    a.reply = re.toBool();
    return a;
}

QString Announcement::toString() const
{
    return u"%1(id=%2, inst=%3, name=%4, port=%5, re=%6, st=%7)"_s
        .arg(kind == Kind::Hello ? u"hi"_s : u"bye"_s,
             peerId,
             instance.toString(QUuid::WithoutBraces),
             name)
        .arg(port)
        .arg(reply)
        .arg(Protocol::statusName(status));
}

bool Announcement::operator==(const Announcement &o) const
{
    return kind == o.kind && peerId == o.peerId && instance == o.instance && name == o.name
           && port == o.port && reply == o.reply && status == o.status;
}
