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
    // Selection, not the current index: the view makes the first row current by itself, and
    // that must not open (and mark read) a conversation the person did not choose.
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        Q_EMIT peerSelected(currentPeerId());
    });
}

QString PeerListView::currentPeerId() const
{
    const QModelIndexList selected = selectionModel()->selectedIndexes();
    return selected.isEmpty() ? QString() : selected.first().data(PeerListModel::IdRole).toString();
}

void PeerListView::selectPeer(const QString &peerId)
{
    const int row = m_model->rowOf(peerId);
    if (row >= 0)
        selectionModel()->setCurrentIndex(m_model->index(row), QItemSelectionModel::ClearAndSelect);
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
