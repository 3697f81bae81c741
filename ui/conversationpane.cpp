// SPDX-License-Identifier: GPL-3.0-or-later
#include "conversationpane.h"
#include "statusicon.h" // issue 15

#include "accessiblerows.h"
#include "avatarpainter.h" // avatars and emoji (issue 15)
#include "emojipicker.h"   // avatars and emoji (issue 15)
#include "findbar.h"
#include "grouptext.h"
#include "ipmsgtext.h" // issue 17
#include "memberspanel.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messageviewer.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "peerstatus.h"
#include "relaytext.h" // issue 16
#include "replystrip.h"
#include "uicolors.h"

#include <QAction>
#include <QClipboard>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QStandardPaths>
#include <QStyle>
#include <QThreadPool>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

ConversationPane::ConversationPane(Messenger &messenger, QWidget *parent)
    : QWidget(parent)
    , m_messenger(messenger)
    , m_model(messenger.createConversationModel(this))
    , m_rows(new AccessibleRows(
          m_model,
          [this](const QModelIndex &index) {
              if (MessageDelegate::isGroupEvent(index))
                  return m_delegate->eventText(index);
              return MessageDelegate::accessibleText(index, peerName(), [this](const QString &id) {
                  return nameOf(id);
              });
          },
          this))
    , m_header(new QLabel(this))
    , m_view(new QListView(this))
    , m_delegate(new MessageDelegate(m_view))
    , m_input(new MessageInput(this))
    , m_sendButton(new QPushButton(tr("Send"), this))
    , m_members(new MembersPanel(messenger, this))
    , m_error(new QLabel(this))
    , m_reachBanner(new QWidget(this))
    , m_reachLabel(new QLabel(m_reachBanner))
    , m_networkButton(new QPushButton(tr("Network…"), m_reachBanner))
    , m_sendFilesAction(new QAction(tr("Send &files…"), this))
    , m_sendFolderAction(new QAction(tr("Send f&older…"), this))
    , m_findBar(new FindBar(messenger, *this, this))
    , m_findAction(new QAction(tr("&Find…"), this))
    , m_findAllAction(new QAction(tr("Find in &all conversations…"), this))
    , m_newestButton(new QPushButton(tr("Jump to newest messages ↓"), this))
    , m_replyStrip(new ReplyStrip(this))
{
    m_sendFilesAction->setToolTip(tr("Send files to this peer (or drop them on the conversation)"));
    m_sendFolderAction->setToolTip(tr("Send a folder with everything in it to this peer"));
    connect(m_sendFilesAction, &QAction::triggered, this, &ConversationPane::chooseFiles);
    connect(m_sendFolderAction, &QAction::triggered, this, &ConversationPane::chooseFolder);
    setAcceptDrops(true);
    // Transfers already known; the messenger keeps the model current from here on.
    for (const TransferInfo &t : messenger.transfers())
        m_model->updateTransfer(t);
    // Groups: authors by name, own messages' state per member.
    m_model->setAuthorNames([this](const QString &id) { return nameOf(id); });
    m_model->setDeliveries([this](const QUuid &id) { return m_messenger.groupDeliveries(id); });
    connect(&m_messenger,
            &Messenger::groupDeliveryChanged,
            m_model,
            &ConversationModel::updateDelivery);
    m_delegate->setGroupNames(m_messenger.id(), [this](const QString &id) { return nameOf(id); });
    m_header->setTextFormat(Qt::PlainText);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.15);
    m_header->setFont(headerFont);
    m_header->setContentsMargins(6, 6, 6, 6);
    // Wraps rather than widening the pane: a long "offline, last seen…" line squeezed the peer
    // list. A name too long for one line is cut at the edge; the tool tip has it whole.
    m_header->setWordWrap(true);
    m_header->setMinimumWidth(1);
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_view->setModel(m_rows);
    m_view->setItemDelegate(m_delegate);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setUniformItemSizes(false);
    m_view->setAccessibleName(tr("Messages"));
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // bubbles wrap to the width
    m_view->viewport()->setMouseTracking(true); // the pointer changes over links and text
    m_view->viewport()->installEventFilter(this);
    m_view->installEventFilter(this);
    m_input->setMaximumHeight(m_input->fontMetrics().height() * 5);
    m_input->setAccessibleName(tr("Message"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->hide();
    m_reachLabel->setTextFormat(Qt::PlainText);
    m_reachLabel->setWordWrap(true);
    m_reachLabel->setMinimumWidth(1);
    m_reachLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_networkButton->setToolTip(
        tr("Addresses, ports and LAN discovery: why can't I reach a peer?"));
    auto *reachRow = new QHBoxLayout(m_reachBanner);
    reachRow->setContentsMargins(6, 2, 6, 2);
    auto *reachIcon = new QLabel(m_reachBanner);
    const int iconSize = m_reachLabel->fontMetrics().height();
    reachIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize));
    reachRow->addWidget(reachIcon, 0, Qt::AlignTop);
    reachRow->addWidget(m_reachLabel, 1);
    reachRow->addWidget(m_networkButton, 0, Qt::AlignVCenter);
    m_reachBanner->hide();
    connect(m_networkButton, &QPushButton::clicked, this, &ConversationPane::networkPanelRequested);

    auto *inputRow = new QHBoxLayout;
    // The Send button off the window's right edge (the bottom stays in line with the list's).
    inputRow->setContentsMargins(0, 0, 6, 0);
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_sendButton, 0, Qt::AlignBottom);
    // --- Avatars and emoji (issue 15) ---
    m_emojiButton = EmojiPicker::createButton(m_input, this, [this] { return m_emojiSettings; });
    inputRow->insertWidget(1, m_emojiButton, 0, Qt::AlignBottom);
    // --- end avatars and emoji ---
    // The members of a group beside its messages, as wide as a short name list needs.
    m_members->setMaximumWidth(m_members->fontMetrics().averageCharWidth() * 34);
    m_members->setMinimumWidth(m_members->fontMetrics().averageCharWidth() * 22);
    auto *middle = new QHBoxLayout;
    middle->setContentsMargins(0, 0, 0, 0);
    middle->addWidget(m_view, 1);
    middle->addWidget(m_members);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    // --- Avatars (issue 15): the peer's picture beside the header ---
    auto *headerRow = new QHBoxLayout;
    headerRow->setContentsMargins(6, 0, 0, 0);
    headerRow->setSpacing(0);
    m_headerAvatar = new QLabel(this);
    m_headerAvatar->setFixedSize(HeaderAvatarSide, HeaderAvatarSide);
    headerRow->addWidget(m_headerAvatar, 0, Qt::AlignVCenter);
    headerRow->addWidget(m_header, 1);
    layout->addLayout(headerRow);
    layout->addWidget(m_findBar); // Searching in the window (issue 15)
    m_delegate->setAvatarSource(
        [this](const QString &peerId) { return m_messenger.avatar(peerId); });
    connect(&m_messenger, &Messenger::avatarChanged, this, [this](const QString &peerId) {
        if (peerId == m_peerId)
            updateHeaderAvatar();
        m_view->viewport()->update(); // a member's picture beside its group messages
    });
    connect(&m_messenger, &Messenger::peerUpdated, this, [this](const PeerInfo &peer) {
        if (peer.id == m_peerId)
            updateHeaderAvatar(); // a new name: new initials
    });
    // --- end avatars ---
    layout->addLayout(middle, 1);
    layout->addWidget(m_newestButton, 0, Qt::AlignHCenter);
    layout->addWidget(m_error);
    layout->addWidget(m_reachBanner);
    layout->addWidget(m_replyStrip); // issue 15
    layout->addLayout(inputRow);

    // Shift+Tab from the box reaches the messages (their menu, Delete, Copy).
    setTabOrder(m_view, m_input);
    // Then as they are seen: the emoji button left of Send.
    setTabOrder(m_input, m_emojiButton);
    setTabOrder(m_emojiButton, m_sendButton);

    connect(m_input, &MessageInput::submitted, this, &ConversationPane::send);
    connect(m_sendButton, &QPushButton::clicked, this, &ConversationPane::send);
    connect(m_input, &QPlainTextEdit::textChanged, m_error, &QWidget::hide);
    connect(m_input, &MessageInput::filesDropped, this, &ConversationPane::requestSend);
    connect(m_input, &MessageInput::imagePasted, this, &ConversationPane::sendImage);
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
        if (MessageDelegate::isFile(index)) { // a received file opens, as in a file manager
            if (m_delegate->fileItem(index).actions().contains(FileAction::Open))
                runFileAction(index, FileAction::Open);
            return;
        }
        if (m_delegate->isShortened(index))
            showWholeMessage(index);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_delegate->clearSelection();
        m_pressed = QPersistentModelIndex();
    });
    connect(m_messenger.peers(),
            &QAbstractItemModel::dataChanged,
            this,
            &ConversationPane::updateHeader);
    // --- Searching in the window (issue 15) ---
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAllAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    for (QAction *action : {m_findAction, m_findAllAction}) {
        action->setShortcutContext(Qt::WindowShortcut);
        addAction(action);
    }
    connect(m_findAction, &QAction::triggered, this, [this] { m_findBar->open(false); });
    connect(m_findAllAction, &QAction::triggered, this, [this] { m_findBar->open(true); });
    m_newestButton->setToolTip(tr("Show the newest messages of this conversation"));
    m_newestButton->hide();
    connect(m_newestButton, &QPushButton::clicked, this, &ConversationPane::showNewest);
    auto updateNewest = [this] { m_newestButton->setVisible(m_model->hasNewer()); };
    connect(m_model, &QAbstractItemModel::modelReset, this, updateNewest);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, updateNewest);
    // --- end searching in the window ---
    // --- Typing and quoting (issue 15) ---
    connect(m_input, &QPlainTextEdit::textChanged, this, &ConversationPane::onInputChanged);
    connect(&m_messenger, &Messenger::peerTyping, this, [this](const QString &peerId) {
        if (peerId == m_peerId)
            updateHeader();
    });
    // --- end typing and quoting ---
    // --- Carried delivery (issue 16): "via Carol"; helpers keeping own messages ---
    connect(&m_messenger, &Messenger::viaChanged, this, [this](const QString &peerId) {
        if (peerId == m_peerId)
            updateHeader();
    });
    m_model->setHeldBy([this](const QUuid &id) { return m_messenger.heldBy(id); });
    connect(&m_messenger, &Messenger::heldByChanged, m_model, &ConversationModel::updateHeldBy);
    // --- end carried delivery ---
    showPeer({});
}

// --- Searching in the window (issue 15) ---
void ConversationPane::showNewest()
{
    if (!m_model->hasNewer())
        return;
    m_model->loadNewest();
    m_view->doItemsLayout();
    m_view->scrollToBottom();
}

bool ConversationPane::showMessage(const QUuid &id)
{
    int row = m_model->revealMessage(id);
    if (row < 0)
        return false;
    // Rows above it before scrolling: a view scrolled to its top loads older ones, which would
    // move it away from where it was put.
    while (row < ConversationModel::PageSize / 2 && m_model->hasOlder())
        row += m_model->loadOlder();
    m_view->doItemsLayout();
    const QModelIndex index = m_rows->index(row, 0);
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
    return true;
}
// --- end searching in the window ---

void ConversationPane::showPeer(const QString &peerId)
{
    if (!peerId.isEmpty() && peerId == m_peerId)
        return; // already open: where the person was reading stays
    // --- Typing and quoting (issue 15): neither follows the person to another conversation ---
    if (!m_peerId.isEmpty())
        m_messenger.setTyping(m_peerId, false);
    m_replyStrip->clear();
    // --- end typing and quoting ---
    // A half-written message stays with its conversation: left in the box, Enter sent it to
    // the next person opened.
    if (!m_peerId.isEmpty()) {
        const QString draft = m_input->toPlainText();
        if (draft.isEmpty())
            m_drafts.remove(m_peerId);
        else
            m_drafts.insert(m_peerId, draft);
    }
    m_peerId = peerId;
    {
        const QScopedValueRollback restoring(m_restoringDraft, true);
        m_input->setPlainText(m_drafts.take(peerId));
        m_input->moveCursor(QTextCursor::End);
    }
    // Counted before the conversation is shown, which marks it read.
    int unread = 0;
    if (const auto peer = m_messenger.peers()->peer(peerId))
        unread = peer->unread;
    else if (const auto group = m_messenger.peers()->group(peerId))
        unread = group->unread;
    m_model->setPeer(peerId);
    updateHeaderAvatar(); // avatars (issue 15)
    const bool group = isGroup();
    m_members->setGroup(group ? peerId : QString());
    m_members->setVisible(group);
    updateInputState();
    m_error->hide();
    updateHeader();
    scrollToFirstUnread(unread);
    updateVisibility();
    m_findBar->conversationChanged(); // Searching in the window (issue 15)
}

bool ConversationPane::isGroup() const
{
    return isGroupId(m_peerId);
}

void ConversationPane::updateInputState()
{
    // A group this profile left (or was removed from) can be read, not written to.
    bool canWrite = !m_peerId.isEmpty();
    if (isGroup()) {
        const auto group = m_messenger.peers()->group(m_peerId);
        canWrite = group && group->isMember;
    }
    const bool changed = m_input->isEnabled() != canWrite;
    m_input->setEnabled(canWrite);
    m_sendButton->setEnabled(canWrite);
    m_emojiButton->setEnabled(canWrite); // avatars and emoji (issue 15)
    // Files go to peers: a group has no transfers (docs/groups.md).
    const bool files = !m_peerId.isEmpty() && !isGroup();
    m_sendFilesAction->setEnabled(files);
    m_sendFolderAction->setEnabled(files);
    if (changed && !canWrite)
        m_input->clearFocus();
}

QString ConversationPane::nameOf(const QString &peerId) const
{
    if (peerId == m_messenger.id())
        return m_messenger.name().isEmpty() ? tr("You") : m_messenger.name();
    if (const auto peer = m_messenger.peers()->peer(peerId); peer && !peer->name.isEmpty())
        return peer->name;
    // Someone only met in this group: the name it was added with.
    if (const auto group = m_messenger.peers()->group(m_peerId)) {
        for (const GroupMemberInfo &m : group->members) {
            if (m.id == peerId && !m.name.isEmpty())
                return m.name;
        }
    }
    return PeerListModel::shortId(peerId);
}

void ConversationPane::scrollToFirstUnread(int unread)
{
    // The unread messages are the newest received ones: load pages until the first of them is
    // there (a bounded number: beyond it, the oldest loaded is as far as it goes).
    auto firstUnread = [this, unread]() -> int {
        int seen = 0;
        for (int row = m_model->rowCount() - 1; row >= 0; --row) {
            if (!m_model->messageAt(row).outgoing && ++seen == unread)
                return row;
        }
        return -1;
    };
    int row = unread > 0 ? firstUnread() : -1;
    m_loadingOlder = true;
    for (int pages = 0; unread > 0 && row < 0 && m_model->hasOlder() && pages < 10; ++pages) {
        m_model->loadOlder();
        row = firstUnread();
    }
    m_loadingOlder = false;
    if (unread > 0 && row < 0 && m_model->rowCount() > 0)
        row = 0; // more unread than ten pages: the oldest loaded
    // Laid out now, at this width: scrolling to a row before that lands in the wrong place.
    m_view->doItemsLayout();
    if (row < 0) {
        m_view->scrollToBottom();
        return;
    }
    const QModelIndex index = m_rows->index(row, 0);
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index, QAbstractItemView::PositionAtTop);
}

bool ConversationPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport())
        return viewportEvent(event) || QWidget::eventFilter(watched, event);
    if (watched == m_view) {
        if (event->type() == QEvent::KeyPress && viewKeyEvent(static_cast<QKeyEvent *>(event)))
            return true;
        return QWidget::eventFilter(watched, event);
    }
    if (event->type() == QEvent::ActivationChange || event->type() == QEvent::WindowStateChange)
        updateVisibility();
    return QWidget::eventFilter(watched, event);
}

void ConversationPane::relayoutIfWidthChanged()
{
    // QListView lays its rows out again when its height changes, not its width; but the width
    // wraps the texts, and rows kept their old heights: bubbles overlapped or were cut off.
    const int width = m_delegate->textWidth();
    if (width == m_laidOutWidth)
        return;
    m_laidOutWidth = width;
    QScrollBar *bar = m_view->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 4;
    const QModelIndex top = m_view->indexAt(QPoint(m_view->viewport()->width() / 2, 0));
    m_view->doItemsLayout();
    if (atBottom)
        m_view->scrollToBottom();
    else if (top.isValid())
        m_view->scrollTo(top, QAbstractItemView::PositionAtTop);
}

void ConversationPane::showDeliveries(const QModelIndex &index, const QPoint &pos)
{
    const QString details = m_delegate->deliveryDetails(index);
    if (!details.isEmpty())
        QToolTip::showText(m_view->viewport()->mapToGlobal(pos),
                           details,
                           m_view->viewport(),
                           m_delegate->footerRect(index));
}

bool ConversationPane::viewportEvent(QEvent *event)
{
    switch (event->type()) {
    case QEvent::ToolTip: {
        // Over an own group message's state: who has it, who read it.
        const QPoint pos = static_cast<QHelpEvent *>(event)->pos();
        const QModelIndex index = m_view->indexAt(pos);
        if (m_delegate->isOnDeliveries(index, pos)) {
            showDeliveries(index, pos);
            return true;
        }
        // Issue 16: over an own message kept by helpers: who, and until when.
        if (m_delegate->isOnHeldBy(index, pos)) {
            QToolTip::showText(m_view->viewport()->mapToGlobal(pos),
                               m_delegate->heldByDetails(index, peerName()),
                               m_view->viewport(),
                               m_delegate->footerRect(index));
            return true;
        }
        QToolTip::hideText();
        return true;
    }
    case QEvent::Resize:
        relayoutIfWidthChanged();
        return false;
    case QEvent::MouseButtonPress: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (e->button() != Qt::LeftButton)
            return false;
        const QModelIndex index = m_view->indexAt(e->position().toPoint());
        const int at = m_delegate->cursorAt(index, e->position().toPoint());
        m_delegate->clearSelection();
        m_pressed = at >= 0 ? QPersistentModelIndex(index) : QPersistentModelIndex();
        m_pressedAt = at;
        m_view->viewport()->update();
        return false;
    }
    case QEvent::MouseMove: {
        auto *e = static_cast<QMouseEvent *>(event);
        const QPoint pos = e->position().toPoint();
        if ((e->buttons() & Qt::LeftButton) && m_pressed.isValid()) {
            // A selection stays inside the message it started in.
            m_delegate->setSelection(m_pressed,
                                     m_pressedAt,
                                     m_delegate->cursorAt(m_pressed, pos, true));
            m_view->viewport()->update();
            return true;
        }
        const QModelIndex index = m_view->indexAt(pos);
        if (!m_delegate->linkAt(index, pos).isEmpty() || m_delegate->fileActionAt(index, pos)
            || m_delegate->isOnQuote(index, pos) // issue 15
            || m_delegate->isOnDeliveries(index, pos))
            m_view->viewport()->setCursor(Qt::PointingHandCursor);
        else if (m_delegate->cursorAt(index, pos) >= 0)
            m_view->viewport()->setCursor(Qt::IBeamCursor);
        else
            m_view->viewport()->unsetCursor();
        return false;
    }
    case QEvent::MouseButtonRelease: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (e->button() != Qt::LeftButton)
            return false;
        const QModelIndex index = m_pressed;
        m_pressed = QPersistentModelIndex();
        if (!index.isValid()) {
            // A file item's button (pressed and released on it).
            const QModelIndex at = m_view->indexAt(e->position().toPoint());
            if (m_delegate->isOnQuote(at, e->position().toPoint())) // issue 15
                revealQuoted(at);
            else if (const auto action = m_delegate->fileActionAt(at, e->position().toPoint()))
                runFileAction(at, *action);
            else if (m_delegate->isOnDeliveries(at, e->position().toPoint()))
                showDeliveries(at, e->position().toPoint()); // the names, on a click too
            return false;
        }
        if (m_delegate->hasSelection(index)) {
            // As on X11 elsewhere: what is selected can be pasted with the middle button.
            if (QGuiApplication::clipboard()->supportsSelection())
                QGuiApplication::clipboard()->setText(m_delegate->selectedText(),
                                                      QClipboard::Selection);
            return false;
        }
        const QUrl link = m_delegate->linkAt(index, e->position().toPoint());
        if (!link.isEmpty())
            QDesktopServices::openUrl(link);
        return false;
    }
    default:
        return false;
    }
}

bool ConversationPane::viewKeyEvent(QKeyEvent *event)
{
    const QModelIndex current = m_view->currentIndex();
    if (event->matches(QKeySequence::Copy)) {
        const QString selected = m_delegate->selectedText();
        if (!selected.isEmpty())
            QGuiApplication::clipboard()->setText(selected);
        else if (current.isValid())
            QGuiApplication::clipboard()->setText(copyText(current));
        return true;
    }
    if (event->key() == Qt::Key_Menu
        || (event->key() == Qt::Key_F10 && event->modifiers() == Qt::ShiftModifier)) {
        if (current.isValid())
            showMenuFor(current, m_view->visualRect(current).center());
        return true;
    }
    if (event->matches(QKeySequence::Paste) && m_input->isEnabled()) {
        m_input->setFocus();
        m_input->paste(); // a picture is sent, text goes into the box
        return true;
    }
    if (event->key() == Qt::Key_Delete && current.isValid()) {
        const ChatMessage m = m_model->messageAt(current.row());
        if (m.outgoing && (m.state == MessageState::Queued || m.state == MessageState::Failed))
            runAction(current, false);
        else if (m.kind == MessageKind::Text)
            deleteForMe(current); // issue 15
        return true;
    }
    // Typing while a message has the focus writes in the box, rather than being lost.
    if (m_input->isEnabled() && !event->text().isEmpty() && event->text().at(0).isPrint()
        && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))) {
        m_input->setFocus();
        m_input->insertPlainText(event->text());
        return true;
    }
    return false;
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
    // --- Searching in the window (issue 15): below a message revealed far back ---
    if (value == bar->maximum() && m_model->hasNewer() && !m_loadingOlder) {
        m_loadingOlder = true; // not followed to the end: the person reads down from here
        m_model->loadNewer();
        m_view->doItemsLayout();
        m_loadingOlder = false;
        return;
    }
    // --- end searching in the window ---
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
    if (index.isValid()) {
        showMenuFor(index, pos);
        return;
    }
    if (m_peerId.isEmpty())
        return;
    QMenu menu(this);
    menu.addAction(m_sendFilesAction);
    menu.addAction(m_sendFolderAction);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void ConversationPane::showMenuFor(const QModelIndex &index, const QPoint &pos)
{
    const ChatMessage m = m_model->messageAt(index.row());
    QMenu menu(this);
    if (m.kind == MessageKind::File) {
        const QList<FileAction> actions = m_delegate->fileItem(index).actions();
        QList<QAction *> entries;
        for (FileAction action : actions)
            entries.append(menu.addAction(FileItem::actionText(action)));
        QAction *copyName = menu.addAction(tr("Copy name"));
        menu.addSeparator();
        menu.addAction(m_sendFilesAction);
        menu.addAction(m_sendFolderAction);
        const QPersistentModelIndex kept(index);
        QAction *chosen = menu.exec(m_view->viewport()->mapToGlobal(pos));
        if (!chosen || !kept.isValid())
            return;
        if (chosen == copyName)
            QGuiApplication::clipboard()->setText(m.text);
        else if (const qsizetype i = entries.indexOf(chosen); i >= 0)
            runFileAction(kept, actions.at(i));
        return;
    }
    QAction *reply = canReplyTo(m) ? menu.addAction(tr("Reply")) : nullptr; // issue 15
    QAction *copySelected = m_delegate->hasSelection(index) ? menu.addAction(tr("Copy selection"))
                                                            : nullptr;
    QAction *copy = menu.addAction(tr("Copy text"));
    QAction *whole = m_delegate->isShortened(index) ? menu.addAction(tr("Show whole message…"))
                                                    : nullptr;
    QAction *retry = nullptr;
    QAction *remove = nullptr;
    QAction *forget = nullptr; // issue 15
    // Waiting: send now or take back. Not saved (the disk was full): save again or drop.
    if (m.outgoing && (m.state == MessageState::Queued || m.state == MessageState::Failed)) {
        menu.addSeparator();
        retry = menu.addAction(tr("Retry now"));
        remove = menu.addAction(tr("Delete"));
        remove->setShortcut(QKeySequence::Delete); // shown; the view handles the key
    } else if (m.kind == MessageKind::Text) {      // issue 15: from this history only
        menu.addSeparator();
        forget = menu.addAction(tr("Delete for me…"));
        forget->setShortcut(QKeySequence::Delete);
    }
    const QPersistentModelIndex kept(index);
    QAction *chosen = menu.exec(m_view->viewport()->mapToGlobal(pos));
    if (!chosen || !kept.isValid())
        return;
    if (chosen == copySelected) {
        QGuiApplication::clipboard()->setText(m_delegate->selectedText());
    } else if (chosen == copy) {
        QGuiApplication::clipboard()->setText(copyText(kept)); // exact, however it is shown
    } else if (chosen == whole) {
        showWholeMessage(kept);
    } else if (chosen == retry || chosen == remove) {
        runAction(kept, chosen == retry);
    } else if (chosen == reply) { // issue 15
        startReply(kept);
    } else if (chosen == forget) {
        deleteForMe(kept);
    }
}

QString ConversationPane::copyText(const QModelIndex &index) const
{
    // A membership event is stored as JSON: what is copied is what the person reads.
    if (MessageDelegate::isGroupEvent(index))
        return m_delegate->eventText(index);
    return m_model->messageAt(index.row()).text;
}

void ConversationPane::runFileAction(const QModelIndex &index, FileAction action)
{
    const FileItem item = m_delegate->fileItem(index);
    if (!item.known)
        return;
    QString error;
    if (!FileItem::run(action, item.transfer, m_messenger, this, &error))
        showError(error);
}

QStringList ConversationPane::localFiles(const QMimeData *data)
{
    QStringList paths;
    if (!data || !data->hasUrls())
        return paths;
    for (const QUrl &url : data->urls()) {
        if (url.isLocalFile() && !url.toLocalFile().isEmpty())
            paths.append(url.toLocalFile());
    }
    return paths;
}

bool ConversationPane::hasPastedImage(const QMimeData *data)
{
    // A spreadsheet's cells come as text and as a picture of them: the text wins.
    return data && data->hasImage() && !data->hasFormat(QStringLiteral("text/plain"));
}

QImage ConversationPane::pastedImage(const QMimeData *data)
{
    return hasPastedImage(data) ? qvariant_cast<QImage>(data->imageData()) : QImage();
}

void ConversationPane::dragEnterEvent(QDragEnterEvent *event)
{
    if (!m_peerId.isEmpty() && !isGroup() && !localFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void ConversationPane::dragMoveEvent(QDragMoveEvent *event)
{
    if (!m_peerId.isEmpty() && !isGroup() && !localFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void ConversationPane::dropEvent(QDropEvent *event)
{
    const QStringList paths = localFiles(event->mimeData());
    if (m_peerId.isEmpty() || isGroup() || paths.isEmpty())
        return;
    event->acceptProposedAction();
    requestSend(paths);
}

void ConversationPane::requestSend(const QStringList &paths)
{
    if (m_peerId.isEmpty() || paths.isEmpty())
        return;
    if (isGroup()) {
        showError(tr("Files go to one peer at a time: open a member's conversation to send them."));
        return;
    }
    // One folder arrives as that folder with its tree; anything else as files side by side.
    const bool asFolder = paths.size() == 1 && QFileInfo(paths.first()).isDir();
    m_error->hide();
    Q_EMIT sendFilesRequested(m_peerId, paths, asFolder);
}

QString ConversationPane::pickFrom() const
{
    // Where the last pick was, else home: never the folder Shoal happened to start in.
    return m_pickedIn.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::HomeLocation)
                                : m_pickedIn;
}

void ConversationPane::chooseFiles()
{
    if (m_peerId.isEmpty())
        return;
    const QStringList paths = QFileDialog::getOpenFileNames(this,
                                                            tr("Send files to %1").arg(peerName()),
                                                            pickFrom());
    if (paths.isEmpty())
        return;
    m_pickedIn = QFileInfo(paths.first()).absolutePath();
    Q_EMIT sendFilesRequested(m_peerId, paths, false);
}

void ConversationPane::chooseFolder()
{
    if (m_peerId.isEmpty())
        return;
    const QString dir = QFileDialog::getExistingDirectory(this,
                                                          tr("Send a folder to %1").arg(peerName()),
                                                          pickFrom());
    if (dir.isEmpty())
        return;
    m_pickedIn = QFileInfo(dir).absolutePath();
    Q_EMIT sendFilesRequested(m_peerId, {dir}, true);
}

void ConversationPane::sendImage(const QImage &image)
{
    if (m_peerId.isEmpty() || image.isNull())
        return;
    if (isGroup()) {
        showError(tr("Files go to one peer at a time: open a member's conversation to send them."));
        return;
    }
    // Kept until it has been sent: the offer reads it when the peer asks (maybe after a restart).
    const QString dirPath = QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
                            + QStringLiteral("/pasted");
    QDir dir;
    if (!dir.mkpath(dirPath)) {
        showError(tr("Cannot save the pasted picture: %1 cannot be created.")
                      .arg(QDir::toNativeSeparators(dirPath)));
        return;
    }
    const QString stem = tr("Pasted image %1")
                             .arg(QDateTime::currentDateTime().toString(
                                 QStringLiteral("yyyy-MM-dd HH.mm.ss")));
    // The name is taken here, at once (a second paste in the same second gets the next one);
    // the picture is encoded in the background: a screenshot's PNG takes a few hundred ms.
    QString path = QDir(dirPath).filePath(stem + QStringLiteral(".png"));
    QFile reserved(path);
    for (int n = 2; !reserved.open(QIODevice::WriteOnly | QIODevice::NewOnly); ++n) {
        if (n > 1000 || !QFileInfo::exists(path)) {
            showError(tr("Cannot save the pasted picture in %1. Is the disk full?")
                          .arg(QDir::toNativeSeparators(dirPath)));
            return;
        }
        path = QDir(dirPath).filePath(QStringLiteral("%1 (%2).png").arg(stem).arg(n));
        reserved.setFileName(path);
    }
    reserved.close();
    const QString peerId = m_peerId; // the conversation it was pasted in
    QThreadPool::globalInstance()->start(
        [pane = QPointer<ConversationPane>(this), image, path, peerId, dirPath] {
            const bool saved = image.save(path, "PNG");
            if (!saved)
                QFile::remove(path);
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [pane, saved, path, peerId, dirPath] {
                    if (!pane)
                        return;
                    if (!saved) {
                        pane->showError(
                            tr("Cannot save the pasted picture in %1. Is the disk full?")
                                .arg(QDir::toNativeSeparators(dirPath)));
                        return;
                    }
                    Q_EMIT pane->sendFilesRequested(peerId, {path}, false);
                },
                Qt::QueuedConnection);
        });
}

void ConversationPane::runAction(const QModelIndex &index, bool retry)
{
    const ChatMessage m = m_model->messageAt(index.row());
    // Only a waiting or unsaved message of ours can be sent again or taken back.
    if (!m.outgoing || (m.state != MessageState::Queued && m.state != MessageState::Failed))
        return;
    QString error;
    if (retry ? !m_messenger.retryMessage(m.id, &error) : !m_messenger.deleteMessage(m.id, &error))
        showError(error);
}

void ConversationPane::showError(const QString &error)
{
    UiColors::showAsError(m_error);
    m_error->setText(error);
    m_error->show();
}

QString ConversationPane::peerName() const
{
    if (const auto group = m_messenger.peers()->group(m_peerId))
        return group->name;
    const auto peer = m_messenger.peers()->peer(m_peerId);
    return !peer || peer->name.isEmpty() ? PeerListModel::shortId(m_peerId) : peer->name;
}

void ConversationPane::showWholeMessage(const QModelIndex &index)
{
    const ChatMessage m = m_model->messageAt(index.row());
    const QString name = peerName();
    const QString title = m.outgoing ? tr("Your message to %1").arg(name)
                          : m.author.isEmpty()
                              ? tr("Message from %1").arg(name)
                              : tr("Message from %1 in %2").arg(nameOf(m.author), name);
    auto *viewer = new MessageViewer(m.text, title, this);
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    viewer->show();
}

void ConversationPane::updateHeader()
{
    updateReachBanner();
    if (isGroup()) {
        updateInputState();
        const auto group = m_messenger.peers()->group(m_peerId);
        if (!group) {
            m_header->setText(tr("A group you are not in"));
            return;
        }
        int online = 0;
        for (const GroupMemberInfo &m : group->members)
            online += m.online && m.id != m_messenger.id();
        if (!group->isMember) {
            m_header->setText(tr("%1 — you are no longer a member").arg(group->name));
        } else if (online > 0) {
            m_header->setText(tr("%1 — %2, %3 online", "group, members, others online")
                                  .arg(group->name,
                                       GroupText::members(int(group->members.size())),
                                       QString::number(online)));
        } else {
            m_header->setText(tr("%1 — %2, none online; messages reach them when they next meet "
                                 "any member",
                                 "group, members")
                                  .arg(group->name, GroupText::members(int(group->members.size()))));
        }
        m_header->setToolTip(tr("Group ID %1").arg(group->id));
        return;
    }
    const auto peer = m_messenger.peers()->peer(m_peerId);
    if (!peer) {
        m_header->setText(tr("Choose a peer on the left, or connect to one with Ctrl+N."));
        return;
    }
    // --- IP Messenger (issue 17): what it is instead of presence; no typing from it ---
    if (peer->ipmsg) {
        m_header->setText(IpmsgText::header(*peer));
        m_header->setToolTip(IpmsgText::toolTip(peer->group, peer->address));
        return;
    }
    // --- end IP Messenger ---
    const QString name = peer->name.isEmpty() ? PeerListModel::shortId(peer->id) : peer->name;
    // --- Carried delivery (issue 16): "Bob — online, via Carol" while Carol relays ---
    const QString carrier = m_messenger.via(m_peerId);
    // --- end carried delivery ---
    if (peer->online || !carrier.isEmpty()) {
        // --- Presence (issue 15): "Bob — Away — at lunch until 13:00" ---
        if (peer->status != PeerInfo::Status::Available || !peer->statusText.isEmpty())
            m_header->setText(tr("%1 — %2", "name, status")
                                  .arg(name, StatusIcon::describe(peer->status, peer->statusText)));
        else
            m_header->setText(tr("%1 — online").arg(name));
        // --- end presence ---
    } else if (PeerStatus::cannotConnect(*peer)) {
        m_header->setText(peer->lan ? tr("%1 — seen on the network, can't connect").arg(name)
                                    : tr("%1 — invited, can't connect").arg(name));
    } else if (peer->lastSeen.isValid()) {
        // Today's is the time alone: the date made the line wrap (and the messages jump down)
        // at most widths the moment a peer left.
        const QDateTime seen = peer->lastSeen.toLocalTime();
        const QString when = seen.date() == QDate::currentDate()
                                 ? QLocale().toString(seen.time(), QLocale::ShortFormat)
                                 : QLocale().toString(seen, QLocale::ShortFormat);
        m_header->setText(
            tr("%1 — offline, last seen %2; messages wait until they are back").arg(name, when));
    } else {
        m_header->setText(tr("%1 — offline; messages wait until they are back").arg(name));
    }
    // --- Carried delivery (issue 16) ---
    if (!carrier.isEmpty()) {
        const QString carrierName = nameOf(carrier);
        m_header->setText(RelayText::viaHeader(m_header->text(), carrierName));
        m_header->setToolTip(RelayText::viaToolTip(name, carrierName) + QLatin1Char('\n')
                             + tr("ID %1").arg(peer->id));
    } else {
        m_header->setToolTip(tr("ID %1").arg(peer->id));
    }
    // --- end carried delivery ---
    // --- Typing and quoting (issue 15) ---
    if (m_messenger.isPeerTyping(m_peerId))
        m_header->setText(tr("%1 is typing…").arg(name));
    // --- end typing and quoting ---
}

void ConversationPane::updateReachBanner()
{
    const auto peer = isGroup() ? std::nullopt : m_messenger.peers()->peer(m_peerId);
    // Issue 16: relayed is reached; what is written goes now.
    if (!peer || !PeerStatus::cannotConnect(*peer) || !m_messenger.via(m_peerId).isEmpty()) {
        m_reachBanner->hide();
        return;
    }
    const QString name = peer->name.isEmpty() ? PeerListModel::shortId(peer->id) : peer->name;
    const QString reason = PeerStatus::reason(peer->problem);
    m_reachLabel->setText(
        peer->lan ? tr("Seen on the network, can't connect: %1. Messages wait and will be "
                       "delivered when %2 can be reached.")
                        .arg(reason, name)
                  : tr("Can't connect to the addresses in the invite link: %1. Messages wait "
                       "and will be delivered when %2 can be reached.")
                        .arg(reason, name));
    // The address tried and the transport's words.
    m_reachLabel->setToolTip(peer->problemDetail);
    m_reachBanner->show();
}

void ConversationPane::send()
{
    const QString text = m_input->toPlainText();
    if (m_peerId.isEmpty() || text.trimmed().isEmpty())
        return;
    showNewest(); // Searching in the window (issue 15): what is sent is seen
    QString error;
    const bool sent
        = isGroup()
              ? m_messenger.sendGroupMessage(m_peerId, text, &error, m_replyStrip->replyTo())
                    .has_value()
              : m_messenger.sendMessage(m_peerId, text, &error, m_replyStrip->replyTo()).has_value();
    if (!sent) {
        showError(error);
        return;
    }
    m_replyStrip->clear(); // issue 15
    m_input->clear();
    m_view->scrollToBottom();
}

// --- Avatars (issue 15) ---
void ConversationPane::updateHeaderAvatar()
{
    m_headerAvatar->setVisible(!m_peerId.isEmpty());
    if (m_peerId.isEmpty())
        return;
    // An IP Messenger user has no picture (issue 17): its initials.
    const QImage picture = isGroup() || isIpmsgPeer() ? QImage() : m_messenger.avatar(m_peerId);
    QString name = nameOf(m_peerId);
    if (const auto group = m_messenger.peers()->group(m_peerId))
        name = group->name;
    m_headerAvatar->setPixmap(
        AvatarPainter::pixmap(HeaderAvatarSide, devicePixelRatioF(), picture, name, m_peerId));
}
// --- end avatars ---
