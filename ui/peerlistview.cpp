#include "peerlistview.h"

#include "models/peerlistmodel.h"
#include "peerdelegate.h"

PeerListView::PeerListView(PeerListModel *model, QWidget *parent)
    : QListView(parent)
    , m_model(model)
{
    setModel(model);
    setItemDelegate(new PeerDelegate(this));
    setSelectionMode(QAbstractItemView::SingleSelection);
    setAccessibleName(tr("Peers"));
    connect(selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                Q_EMIT peerSelected(current.data(PeerListModel::IdRole).toString());
            });
}

QString PeerListView::currentPeerId() const
{
    return currentIndex().data(PeerListModel::IdRole).toString();
}

void PeerListView::selectPeer(const QString &peerId)
{
    const int row = m_model->rowOf(peerId);
    if (row >= 0)
        setCurrentIndex(m_model->index(row));
}
