// SPDX-License-Identifier: GPL-3.0-or-later
#include "groupbody.h"

#include "grouplimits.h"

using namespace Qt::StringLiterals;

namespace Groups {

bool Body::operator==(const Body &o) const
{
    return group == o.group && author == o.author && seq == o.seq && lc == o.lc && prev == o.prev
           && sentAt == o.sentAt && kind == o.kind && text == o.text && name == o.name
           && nonce == o.nonce && members == o.members && removed == o.removed;
}

QString Body::toString() const
{
    return {};
}

QByteArray encode(const Body &)
{
    return {};
}

std::optional<Body> decode(const QByteArray &, QString *error)
{
    *error = u"not implemented"_s;
    return std::nullopt;
}

QString groupIdFor(const QString &, const QByteArray &)
{
    return {};
}

QUuid messageId(const QString &, const QString &, qint64)
{
    return {};
}

QByteArray linkHash(const QByteArray &, const QByteArray &)
{
    return {};
}

bool isValidGroupId(const QString &)
{
    return false;
}

QString kindName(Kind)
{
    return {};
}

bool ReceiptBody::operator==(const ReceiptBody &o) const
{
    return group == o.group && member == o.member && author == o.author && delivered == o.delivered
           && read == o.read && sentAt == o.sentAt;
}

QString ReceiptBody::toString() const
{
    return {};
}

QByteArray encodeReceipt(const ReceiptBody &)
{
    return {};
}

std::optional<ReceiptBody> decodeReceipt(const QByteArray &, QString *error)
{
    *error = u"not implemented"_s;
    return std::nullopt;
}

} // namespace Groups
