#include "conversationpane.h"

#include "messagedelegate.h"
#include "messageinput.h"
#include "messageviewer.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"

#include <QClipboard>
#include <QEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

ConversationPane::ConversationPane(Messenger &messenger, QWidget *parent)
    : QWidget(parent)
    , m_messenger(messenger)
    , m_model(messenger.createConversationModel(this))
    , m_header(new QLabel(this))
    , m_view(new QListView(this))
    , m_delegate(new MessageDelegate(m_view))
    , m_input(new MessageInput(this))
    , m_sendButton(new QPushButton(tr("Send"), this))
    , m_error(new QLabel(this))
{
    m_header->setTextFormat(Qt::PlainText);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.15);
    m_header->setFont(headerFont);
    m_header->setContentsMargins(6, 6, 6, 6);

    m_view->setModel(m_model);
    m_view->setItemDelegate(m_delegate);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setUniformItemSizes(false);
    m_view->setAccessibleName(tr("Messages"));
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);

    m_input->setMaximumHeight(m_input->fontMetrics().height() * 5);
    m_input->setAccessibleName(tr("Message"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->hide();

    auto *inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_sendButton, 0, Qt::AlignBottom);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_error);
    layout->addLayout(inputRow);

    connect(m_input, &MessageInput::submitted, this, &ConversationPane::send);
    connect(m_sendButton, &QPushButton::clicked, this, &ConversationPane::send);
    connect(m_input, &QPlainTextEdit::textChanged, m_error, &QWidget::hide);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first) {
        if (m_loadingOlder || first == 0)
            return;
        // Follow the conversation unless the person scrolled up to read.
        QScrollBar *bar = m_view->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 40)
            QMetaObject::invokeMethod(m_view, &QListView::scrollToBottom, Qt::QueuedConnection);
    });
    connect(m_view->verticalScrollBar(),
            &QScrollBar::valueChanged,
            this,
            &ConversationPane::onScrolled);
    connect(m_view, &QWidget::customContextMenuRequested, this, &ConversationPane::showContextMenu);
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        if (m_delegate->isShortened(index))
            showWholeMessage(index);
    });
    connect(m_messenger.peers(),
            &QAbstractItemModel::dataChanged,
            this,
            &ConversationPane::updateHeader);
    showPeer({});
}

void ConversationPane::showPeer(const QString &peerId)
{
    m_peerId = peerId;
    m_model->setPeer(peerId);
    const bool hasPeer = !peerId.isEmpty();
    m_input->setEnabled(hasPeer);
    m_sendButton->setEnabled(hasPeer);
    m_error->hide();
    updateHeader();
    updateVisibility();
    m_view->scrollToBottom();
    if (hasPeer)
        m_input->setFocus();
}

bool ConversationPane::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::ActivationChange || event->type() == QEvent::WindowStateChange)
        updateVisibility();
    return QWidget::eventFilter(watched, event);
}

void ConversationPane::updateVisibility()
{
    // What is on screen in the active window has been seen: that is when it counts as read.
    if (window() != this)
        window()->installEventFilter(this);
    const bool visible = isVisible() && window()->isActiveWindow() && !window()->isMinimized();
    m_messenger.setActiveConversation(m_peerId, visible);
}

void ConversationPane::onScrolled(int value)
{
    QScrollBar *bar = m_view->verticalScrollBar();
    if (value != bar->minimum() || !m_model->hasOlder() || m_loadingOlder)
        return;
    // Keep the message the person is looking at where it is while older ones appear above.
    m_loadingOlder = true;
    const int before = bar->maximum();
    m_model->loadOlder();
    m_view->doItemsLayout();
    bar->setValue(bar->value() + (bar->maximum() - before));
    m_loadingOlder = false;
}

void ConversationPane::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const ChatMessage m = m_model->messageAt(index.row());
    QMenu menu(this);
    QAction *copy = menu.addAction(tr("Copy text"));
    QAction *whole = m_delegate->isShortened(index) ? menu.addAction(tr("Show whole message…"))
                                                    : nullptr;
    QAction *retry = nullptr;
    QAction *remove = nullptr;
    // Waiting: send now or take back. Not saved (the disk was full): save again or drop.
    if (m.outgoing && (m.state == MessageState::Queued || m.state == MessageState::Failed)) {
        menu.addSeparator();
        retry = menu.addAction(tr("Retry now"));
        remove = menu.addAction(tr("Delete"));
    }
    QAction *chosen = menu.exec(m_view->viewport()->mapToGlobal(pos));
    if (!chosen)
        return;
    if (chosen == copy) {
        QGuiApplication::clipboard()->setText(m.text); // exact, however it is shown
    } else if (chosen == whole) {
        showWholeMessage(index);
    } else {
        QString error;
        if ((chosen == retry && !m_messenger.retryMessage(m.id, &error))
            || (chosen == remove && !m_messenger.deleteMessage(m.id, &error))) {
            m_error->setText(error);
            m_error->show();
        }
    }
}

void ConversationPane::showWholeMessage(const QModelIndex &index)
{
    const ChatMessage m = m_model->messageAt(index.row());
    const auto peer = m_messenger.peers()->peer(m_peerId);
    const QString name = !peer || peer->name.isEmpty() ? PeerListModel::shortId(m_peerId)
                                                       : peer->name;
    auto *viewer = new MessageViewer(m.text,
                                     m.outgoing ? tr("Your message to %1").arg(name)
                                                : tr("Message from %1").arg(name),
                                     this);
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    viewer->show();
}

void ConversationPane::updateHeader()
{
    const auto peer = m_messenger.peers()->peer(m_peerId);
    if (!peer) {
        m_header->setText(tr("Choose a peer on the left, or connect to one with Ctrl+N."));
        return;
    }
    const QString name = peer->name.isEmpty() ? PeerListModel::shortId(peer->id) : peer->name;
    if (peer->online) {
        m_header->setText(tr("%1 — online").arg(name));
    } else if (peer->lastSeen.isValid()) {
        m_header->setText(
            tr("%1 — offline, last seen %2; messages wait until they are back")
                .arg(name, QLocale().toString(peer->lastSeen.toLocalTime(), QLocale::ShortFormat)));
    } else {
        m_header->setText(tr("%1 — offline; messages wait until they are back").arg(name));
    }
    m_header->setToolTip(tr("ID %1").arg(peer->id));
}

void ConversationPane::send()
{
    const QString text = m_input->toPlainText();
    if (m_peerId.isEmpty() || text.trimmed().isEmpty())
        return;
    QString error;
    if (!m_messenger.sendMessage(m_peerId, text, &error)) {
        m_error->setText(error);
        m_error->show();
        return;
    }
    m_input->clear();
    m_view->scrollToBottom();
}
