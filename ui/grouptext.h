// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "groups/groupinfo.h"

#include <QCoreApplication>
#include <QString>

#include <functional>

// How the window words groups: membership events ("Alice added Dave and Eve") from their
// compact JSON (docs/groups.md), and where an own group message stands ("delivered to 3 of 5",
// "read by 2") with the names behind the numbers.
class GroupText final
{
    Q_DECLARE_TR_FUNCTIONS(GroupText)

public:
    // The name of a peer by its ID ("You" for this profile is the caller's business: see
    // `self`).
    using NameOf = std::function<QString(const QString &peerId)>;

    // A GroupEvent row's text; `self` is this profile's ID (it is "You").
    static QString event(const QString &json, const QString &self, const NameOf &nameOf);
    // "1 member", "5 members".
    static QString members(int count);
    // "Bob", "Bob and Carol", "Bob, Carol and Dave".
    static QString nameList(const QStringList &names);
    // "delivered to 1 of 2", "read by 1 · delivered to 1 of 2", "read by 2".
    static QString deliverySummary(const QList<GroupDelivery> &deliveries);
    // One line per state with the members in it: "Read by: Bob", "Delivered to: Carol",
    // "Waiting for: Dave".
    static QString deliveryDetails(const QList<GroupDelivery> &deliveries, const NameOf &nameOf);
};
