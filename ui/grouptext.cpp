// SPDX-License-Identifier: GPL-3.0-or-later
#include "grouptext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

QString GroupText::members(int count)
{
    return count == 1 ? tr("1 member") : tr("%n members", nullptr, count);
}

QString GroupText::nameList(const QStringList &names)
{
    if (names.isEmpty())
        return {};
    if (names.size() == 1)
        return names.first();
    return tr("%1 and %2", "the last two names of a list")
        .arg(names.mid(0, names.size() - 1).join(tr(", ", "between names of a list")), names.last());
}

QString GroupText::event(const QString &json, const QString &self, const NameOf &nameOf)
{
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    const QString op = o.value(u"op"_s).toString();
    const QString by = o.value(u"by"_s).toString();
    const QString name = o.value(u"name"_s).toString();
    const bool mine = !by.isEmpty() && by == self;
    const QString who = nameOf(by);
    QStringList others;
    bool youToo = false;
    for (const QJsonValue &id : o.value(u"ids"_s).toArray()) {
        const QString peer = id.toString();
        if (peer == by && op == u"create")
            continue; // the creator is a member of its own group: no need to say so
        if (peer == self)
            youToo = true;
        else
            others.append(nameOf(peer));
    }
    if (youToo)
        others.prepend(tr("you", "as in 'Alice added you'"));
    const QString list = nameList(others);

    if (op == u"create") {
        if (mine)
            return list.isEmpty() ? tr("You created the group “%1”").arg(name)
                                  : tr("You created the group “%1” with %2").arg(name, list);
        return list.isEmpty() ? tr("%1 created the group “%2”").arg(who, name)
                              : tr("%1 created the group “%2” with %3").arg(who, name, list);
    }
    if (op == u"add")
        return mine ? tr("You added %1").arg(list) : tr("%1 added %2").arg(who, list);
    if (op == u"remove")
        return mine ? tr("You removed %1").arg(list) : tr("%1 removed %2").arg(who, list);
    if (op == u"leave")
        return mine ? tr("You left the group") : tr("%1 left").arg(who);
    if (op == u"rename")
        return mine ? tr("You renamed the group to “%1”").arg(name)
                    : tr("%1 renamed the group to “%2”").arg(who, name);
    return tr("The group changed");
}

QString GroupText::deliverySummary(const QList<GroupDelivery> &deliveries)
{
    const int total = int(deliveries.size());
    int delivered = 0;
    int read = 0;
    for (const GroupDelivery &d : deliveries) {
        delivered += d.state == MessageState::Delivered || d.state == MessageState::Read;
        read += d.state == MessageState::Read;
    }
    if (total == 0)
        return tr("sent", "a group message when no one else is left in the group");
    if (read == 0)
        return tr("delivered to %1 of %2").arg(delivered).arg(total);
    if (delivered < total)
        return tr("read by %1 · delivered to %2 of %3").arg(read).arg(delivered).arg(total);
    return tr("read by %1").arg(read);
}

QString GroupText::deliveryDetails(const QList<GroupDelivery> &deliveries, const NameOf &nameOf)
{
    QStringList read;
    QStringList delivered;
    QStringList waiting;
    for (const GroupDelivery &d : deliveries) {
        const QString name = nameOf(d.member);
        if (d.state == MessageState::Read)
            read.append(name);
        else if (d.state == MessageState::Delivered)
            delivered.append(name);
        else
            waiting.append(name);
    }
    QStringList lines;
    if (!read.isEmpty())
        lines.append(tr("Read by: %1").arg(read.join(tr(", ", "between names of a list"))));
    if (!delivered.isEmpty())
        lines.append(
            tr("Delivered to: %1").arg(delivered.join(tr(", ", "between names of a list"))));
    if (!waiting.isEmpty())
        lines.append(tr("Waiting for: %1").arg(waiting.join(tr(", ", "between names of a list"))));
    return lines.join(u'\n');
}
