#include "conversationpane.h"

#include "messagedelegate.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "storage/messagelog.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

ConversationPane::ConversationPane(Messenger &messenger, QWidget *parent)
    : QWidget(parent)
    , m_messenger(messenger)
    , m_model(new ConversationModel(messenger.log(), this))
    , m_header(new QLabel(this))
    , m_view(new QListView(this))
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
    m_view->setItemDelegate(new MessageDelegate(m_view));
    m_view->setResizeMode(QListView::Adjust);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setUniformItemSizes(false);
    m_view->setAccessibleName(tr("Messages"));

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
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        // Follow the conversation unless the person scrolled up to read.
        QScrollBar *bar = m_view->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 40)
            QMetaObject::invokeMethod(m_view, &QListView::scrollToBottom, Qt::QueuedConnection);
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
    m_messenger.setActiveConversation(peerId);
    const bool hasPeer = !peerId.isEmpty();
    m_input->setEnabled(hasPeer);
    m_sendButton->setEnabled(hasPeer);
    m_error->hide();
    updateHeader();
    m_view->scrollToBottom();
    if (hasPeer)
        m_input->setFocus();
}

void ConversationPane::updateHeader()
{
    const auto peer = m_messenger.peers()->peer(m_peerId);
    if (!peer) {
        m_header->setText(tr("Choose a peer on the left, or connect to one with Ctrl+N."));
        return;
    }
    const QString name = peer->name.isEmpty() ? PeerListModel::shortId(peer->id) : peer->name;
    m_header->setText(peer->online
                          ? tr("%1 — online").arg(name)
                          : tr("%1 — offline; messages wait until they are back").arg(name));
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
