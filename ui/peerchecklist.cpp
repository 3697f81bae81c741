// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerchecklist.h"

#include "ipmsgtext.h" // issue 17
#include "models/peerlistmodel.h"

#include <algorithm>

PeerCheckList::PeerCheckList(QWidget *parent)
    : QListWidget(parent)
{
    setSelectionMode(QAbstractItemView::SingleSelection);
    setUniformItemSizes(true);
    connect(this, &QListWidget::itemChanged, this, &PeerCheckList::checkedChanged);
}

void PeerCheckList::setPeers(const QList<PeerInfo> &peers,
                             const QStringList &leaveOut,
                             const QStringList &checked)
{
    QList<PeerInfo> shown;
    for (const PeerInfo &p : peers) {
        if (!leaveOut.contains(p.id))
            shown.append(p);
    }
    std::stable_sort(shown.begin(), shown.end(), [](const PeerInfo &a, const PeerInfo &b) {
        if (a.online != b.online)
            return a.online;
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });
    const QSignalBlocker quiet(this);
    clear();
    for (const PeerInfo &p : shown) {
        const QString name = p.name.isEmpty() ? PeerListModel::shortId(p.id) : p.name;
        auto *item
            = new QListWidgetItem(p.online
                                      ? tr("%1 (online)", "a peer in a list to pick from").arg(name)
                                      : name,
                                  this);
        item->setData(IdRole, p.id);
        item->setData(NameRole, name);
        item->setToolTip(tr("ID %1").arg(p.id));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(p.id) ? Qt::Checked : Qt::Unchecked);
        // --- IP Messenger (issue 17) ---
        if (p.ipmsg) {
            item->setText(tr("%1 (IP Messenger)", "a peer in a list to pick from").arg(name));
            item->setToolTip(IpmsgText::warning());
            if (m_forGroup) {
                item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsUserCheckable); // not enabled
                item->setCheckState(Qt::Unchecked);
                item->setToolTip(tr("IP Messenger users cannot be in a Shoal group: its messages "
                                    "are signed and encrypted."));
            }
        }
        // --- end IP Messenger ---
    }
    Q_EMIT checkedChanged();
}

QStringList PeerCheckList::checkedIds() const
{
    QStringList ids;
    for (int i = 0; i < count(); ++i) {
        if (item(i)->checkState() == Qt::Checked)
            ids.append(item(i)->data(IdRole).toString());
    }
    return ids;
}

QStringList PeerCheckList::checkedNames() const
{
    QStringList names;
    for (int i = 0; i < count(); ++i) {
        if (item(i)->checkState() == Qt::Checked)
            names.append(item(i)->data(NameRole).toString());
    }
    return names;
}

void PeerCheckList::setChecked(const QString &peerId, bool checked)
{
    for (int i = 0; i < count(); ++i) {
        if (item(i)->data(IdRole).toString() == peerId)
            item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    }
}
