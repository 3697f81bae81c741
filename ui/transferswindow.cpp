// SPDX-License-Identifier: GPL-3.0-or-later
#include "transferswindow.h"

#include "messenger/messenger.h"
#include "models/transferlistmodel.h"
#include "transferdelegate.h"
#include "uicolors.h"

#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMouseEvent>
#include <QVBoxLayout>

TransfersWindow::TransfersWindow(Messenger &messenger, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_messenger(messenger)
    , m_model(new TransferListModel(this))
    , m_view(new QListView(this))
    , m_delegate(new TransferDelegate(m_view,
                                      [&messenger](const QString &peerId) {
                                          const auto peer = messenger.peer(peerId);
                                          return peer && !peer->name.isEmpty()
                                                     ? peer->name
                                                     : PeerListModel::shortId(peerId);
                                      }))
    , m_empty(new QLabel(tr("No transfers yet. Send files from a conversation: "
                            "Send files…, or drop them on it."),
                         this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Transfers"));
    setObjectName(QStringLiteral("transfersWindow"));
    m_model->setTransfers(messenger.transfers());
    connect(&messenger, &Messenger::transferChanged, m_model, &TransferListModel::updateTransfer);

    m_view->setModel(m_model);
    m_view->setItemDelegate(m_delegate);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setUniformItemSizes(false);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAccessibleName(tr("Transfers"));
    m_view->viewport()->installEventFilter(this);
    // The buttons from the keyboard too: the Menu key or Shift+F10 on the current transfer.
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QModelIndex index = m_view->indexAt(pos);
        if (!index.isValid())
            index = m_view->currentIndex();
        if (!index.isValid())
            return;
        const FileItem item = m_delegate->fileItem(index);
        QMenu menu(this);
        QList<QAction *> entries;
        for (FileAction action : item.actions())
            entries.append(menu.addAction(FileItem::actionText(action)));
        if (entries.isEmpty())
            return;
        const qsizetype chosen = entries.indexOf(menu.exec(m_view->viewport()->mapToGlobal(pos)));
        if (chosen >= 0)
            run(item.transfer, item.actions().at(chosen));
    });
    m_view->viewport()->setMouseTracking(true);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_empty);
    layout->addWidget(m_error);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TransfersWindow::updateEmpty);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TransfersWindow::updateEmpty);
    updateEmpty();
    resize(560, 420);
}

void TransfersWindow::updateEmpty()
{
    const bool empty = m_model->rowCount() == 0;
    m_empty->setVisible(empty);
    m_view->setVisible(!empty);
}

bool TransfersWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_view->viewport())
        return QWidget::eventFilter(watched, event);
    if (event->type() == QEvent::MouseMove) {
        const QPoint pos = static_cast<QMouseEvent *>(event)->position().toPoint();
        if (m_delegate->actionAt(m_view->indexAt(pos), pos))
            m_view->viewport()->setCursor(Qt::PointingHandCursor);
        else
            m_view->viewport()->unsetCursor();
    } else if (event->type() == QEvent::MouseButtonRelease) {
        auto *e = static_cast<QMouseEvent *>(event);
        const QPoint pos = e->position().toPoint();
        const QModelIndex index = m_view->indexAt(pos);
        if (e->button() == Qt::LeftButton) {
            if (const auto action = m_delegate->actionAt(index, pos))
                run(m_delegate->fileItem(index).transfer, *action);
        }
    }
    return QWidget::eventFilter(watched, event);
}

void TransfersWindow::run(const TransferInfo &transfer, FileAction action)
{
    QString error;
    m_error->hide();
    if (!FileItem::run(action, transfer, m_messenger, this, &error)) {
        UiColors::showAsError(m_error);
        m_error->setText(error);
        m_error->show();
    }
}
