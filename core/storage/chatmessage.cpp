#include "chatmessage.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QtEndian>

using namespace Qt::StringLiterals;

QString messageStateName(MessageState state)
{
    switch (state) {
    case MessageState::Queued:
        return u"queued"_s;
    case MessageState::Sent:
        return u"sent"_s;
    case MessageState::Delivered:
        return u"delivered"_s;
    case MessageState::Read:
        return u"read"_s;
    case MessageState::Failed:
        return u"failed"_s;
    }
    return {};
}

QUuid newMessageId()
{
    quint8 bytes[16];
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes), 4);
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch());
    for (int i = 0; i < 6; ++i)
        bytes[i] = quint8(ms >> (8 * (5 - i)));
    bytes[6] = quint8(0x70 | (bytes[6] & 0x0f)); // version 7
    bytes[8] = quint8(0x80 | (bytes[8] & 0x3f)); // variant 10
    return QUuid::fromRfc4122(QByteArrayView(reinterpret_cast<const char *>(bytes), 16));
}
