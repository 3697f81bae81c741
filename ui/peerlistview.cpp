#include "peerlistview.h"

#include "models/peerlistmodel.h"
#include "peerdelegate.h"

#include <QPainter>

PeerListView::PeerListView(PeerListModel *model, QWidget *parent)
    : QListView(parent)
    , m_model(model)
{
    setModel(model);
    setItemDelegate(new PeerDelegate(this));
    setSelectionMode(QAbstractItemView::SingleSelection);
    setAccessibleName(tr("Peers"));
    connect(selectionModel(),
            &QItemSelectionModel::currentChanged,
            this,
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
                     tr("No peers yet.\nUse \"Connect to peer…\" (Ctrl+N) and type an "
                        "address."));
}
