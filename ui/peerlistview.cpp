// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerlistview.h"

#include "accessiblerows.h"
#include "ipmsgtext.h" // issue 17
#include "models/peerlistmodel.h"
#include "peerdelegate.h"
#include "peerstatus.h"

#include <QPainter>

#include <algorithm>

PeerListView::PeerListView(PeerListModel *model, QWidget *parent)
    : QListView(parent)
    , m_model(model)
    , m_rows(new AccessibleRows(
          model,
          [](const QModelIndex &index) {
              const int unread = index.data(PeerListModel::UnreadRole).toInt();
              if (index.data(PeerListModel::IsGroupRole).toBool()) {
                  const QString group
                      = tr("%1, group of %n, %2 online",
                           "name, members, others online",
                           index.data(PeerListModel::MemberCountRole).toInt())
                            .arg(index.data(PeerListModel::NameRole).toString())
                            .arg(index.data(PeerListModel::OnlineMemberCountRole).toInt());
                  return unread > 0 ? tr("%1, %Ln unread", "group, unread", unread).arg(group)
                                    : group;
              }
              QString state = PeerStatus::text(index);
              QString name = index.data(PeerListModel::NameRole).toString();
              // --- IP Messenger (issue 17): what it is, before whether it is there ---
              if (index.data(PeerListModel::IpmsgRole).toBool()) {
                  name = IpmsgText::nameWithGroup(name,
                                                  index.data(PeerListModel::IpmsgGroupRole)
                                                      .toString());
                  state = tr("%1, %2", "IP Messenger mark, online state")
                              .arg(IpmsgText::accessibleMark(), state);
              }
              // --- end IP Messenger ---
              return unread > 0
                         ? tr("%1, %2, %Ln unread", "name, online state", unread).arg(name, state)
                         : tr("%1, %2", "name, online state").arg(name, state);
          },
          this))
{
    // --- IP Messenger (issue 17): an IPMsg user's row says what it is on hover ---
    m_rows->setToolTips([](const QModelIndex &index) {
        if (!index.data(PeerListModel::IpmsgRole).toBool())
            return QString();
        return IpmsgText::toolTip(index.data(PeerListModel::IpmsgGroupRole).toString(),
                                  index.data(PeerListModel::AddressRole).toString());
    });
    // --- end IP Messenger ---
    setModel(m_rows);
    setItemDelegate(new PeerDelegate(this));
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setAccessibleName(tr("Peers"));
    // The rows cut their text at the list's width: a scroll bar under a narrow list scrolled
    // nothing but the rows' empty right edge.
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Selection, not the current index: the view makes the first row current by itself, and
    // that must not open (and mark read) a conversation the person did not choose.
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        Q_EMIT peerSelected(currentPeerId());
    });
}

QString PeerListView::currentPeerId() const
{
    // The row clicked last, when it is selected (Ctrl+click may have just unselected it).
    const QModelIndex current = currentIndex();
    if (current.isValid() && selectionModel()->isSelected(current))
        return current.data(PeerListModel::IdRole).toString();
    const QModelIndexList selected = selectionModel()->selectedIndexes();
    return selected.isEmpty() ? QString() : selected.first().data(PeerListModel::IdRole).toString();
}

QStringList PeerListView::selectedPeerIds() const
{
    QModelIndexList selected = selectionModel()->selectedIndexes();
    std::sort(selected.begin(), selected.end(), [](const QModelIndex &a, const QModelIndex &b) {
        return a.row() < b.row();
    });
    QStringList ids;
    for (const QModelIndex &index : selected) {
        if (!index.data(PeerListModel::IsGroupRole).toBool())
            ids.append(index.data(PeerListModel::IdRole).toString());
    }
    return ids;
}

void PeerListView::selectPeer(const QString &peerId)
{
    const int row = m_model->rowOf(peerId);
    if (row >= 0)
        selectionModel()->setCurrentIndex(m_rows->index(row, 0),
                                          QItemSelectionModel::ClearAndSelect);
}

void PeerListView::keyPressEvent(QKeyEvent *event)
{
    m_fromKeyboard = true;
    QListView::keyPressEvent(event);
    m_fromKeyboard = false;
}

QItemSelectionModel::SelectionFlags PeerListView::selectionCommand(const QModelIndex &index,
                                                                   const QEvent *event) const
{
    // A click below the last peer would clear the selection, and close the conversation.
    // Ctrl+click on the only selected peer would do the same; on one of several it unselects it.
    const auto command = QListView::selectionCommand(index, event);
    if (!index.isValid())
        return QItemSelectionModel::NoUpdate;
    if ((command & (QItemSelectionModel::Deselect | QItemSelectionModel::Toggle))
        && !(command & QItemSelectionModel::Clear) && selectionModel()->isSelected(index)
        && selectionModel()->selectedIndexes().size() <= 1)
        return QItemSelectionModel::NoUpdate;
    return command;
}

void PeerListView::paintEvent(QPaintEvent *event)
{
    QListView::paintEvent(event);
    if (m_model->rowCount() > 0)
        return;
    // An empty list says what to do about it.
    QPainter painter(viewport());
    QColor color = palette().color(QPalette::Text);
    color.setAlphaF(0.6);
    painter.setPen(color);
    painter.drawText(viewport()->rect().adjusted(12, 12, -12, -12),
                     Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap,
                     emptyText());
}

void PeerListView::setFindsPeersOnLan(bool on)
{
    m_findsPeersOnLan = on;
    viewport()->update();
}

QString PeerListView::emptyText() const
{
    if (m_findsPeersOnLan)
        return tr("No peers yet.\nShoal users on this network appear here by themselves. To "
                  "reach someone elsewhere, use \"Connect to peer…\" (Ctrl+N).");
    return tr("No peers yet.\nUse \"Connect to peer…\" (Ctrl+N) and type an address.");
}
