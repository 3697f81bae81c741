// SPDX-License-Identifier: GPL-3.0-or-later
#include "findbar.h"

#include "conversationpane.h"
#include "messagedelegate.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "models/peerlistmodel.h"
#include "searchresults.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QScrollBar>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <utility>

FindBar::FindBar(Messenger &messenger, ConversationPane &pane, QWidget *parent)
    : QWidget(parent)
    , m_messenger(messenger)
    , m_pane(pane)
    , m_field(new QLineEdit(this))
    , m_older(new QToolButton(this))
    , m_newer(new QToolButton(this))
    , m_count(new QLabel(this))
    , m_all(new QToolButton(this))
    , m_close(new QToolButton(this))
    , m_results(new SearchResults(this))
{
    m_field->setPlaceholderText(tr("Find in conversation"));
    m_field->setAccessibleName(tr("Find"));
    m_field->setClearButtonEnabled(true);
    m_field->installEventFilter(this);
    m_older->setText(tr("▲"));
    m_older->setToolTip(tr("Older match (Enter)"));
    m_older->setAccessibleName(tr("Older match"));
    m_newer->setText(tr("▼"));
    m_newer->setToolTip(tr("Newer match (Shift+Enter)"));
    m_newer->setAccessibleName(tr("Newer match"));
    m_all->setText(tr("All conversations"));
    m_all->setCheckable(true);
    m_all->setToolTip(tr("Search every conversation (Ctrl+Shift+F)"));
    m_close->setText(tr("✕"));
    m_close->setToolTip(tr("Close (Esc)"));
    m_close->setAccessibleName(tr("Close find bar"));
    m_count->setTextFormat(Qt::PlainText);
    m_results->hide();
    m_results->installEventFilter(this);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(6, 2, 6, 2);
    // Its own spacing: a nested layout takes its parent's, and that one's is 0 (the results
    // list sits right under the row), which left "1 of 2" touching the buttons beside it.
    int spacing = style()->pixelMetric(QStyle::PM_LayoutHorizontalSpacing, nullptr, this);
    if (spacing < 0)
        spacing = style()->layoutSpacing(QSizePolicy::ToolButton,
                                         QSizePolicy::Label,
                                         Qt::Horizontal,
                                         nullptr,
                                         this);
    row->setSpacing(spacing >= 0 ? spacing : 6);
    row->addWidget(m_field, 1);
    row->addWidget(m_older);
    row->addWidget(m_newer);
    row->addWidget(m_count);
    row->addWidget(m_all);
    row->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(row);
    layout->addWidget(m_results);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DefaultDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &FindBar::search);
    connect(m_field, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    connect(m_older, &QToolButton::clicked, this, &FindBar::older);
    connect(m_newer, &QToolButton::clicked, this, &FindBar::newer);
    connect(m_close, &QToolButton::clicked, this, &FindBar::closeBar);
    connect(m_all, &QToolButton::toggled, this, [this] {
        updateScope();
        search();
    });
    connect(m_results, &SearchResults::hitChosen, this, &FindBar::openHit);
    connect(&m_messenger, &Messenger::searchFinished, this, &FindBar::onSearchFinished);
    connect(&m_messenger, &Messenger::searchIndexProgress, this, [this](qint64 done, qint64 total) {
        m_indexed = done >= total || total <= 0 ? -1 : int(done * 100 / total);
        // What was indexed meanwhile is found too.
        if (isVisible() && !m_field->text().isEmpty() && !m_debounce.isActive())
            m_debounce.start();
        updateCount();
    });
    updateScope();
    hide();
}

void FindBar::open(bool allConversations)
{
    // Without an open conversation there is only everything to search.
    m_all->setChecked(allConversations || m_pane.peerId().isEmpty());
    updateScope();
    show();
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
    if (!m_field->text().isEmpty())
        search();
}

void FindBar::closeBar()
{
    m_debounce.stop();
    m_ticket = 0; // an answer still coming is dropped
    m_openWhenFound = false;
    hide();
    m_hits.clear();
    m_current = -1;
    m_searched.clear();
    m_pane.delegate()->setFindHighlight({}, {});
    m_pane.messageView()->viewport()->update();
    // Back to the newest messages, where the person writes.
    m_pane.showNewest();
    Q_EMIT closed();
}

bool FindBar::isAllConversations() const
{
    return m_all->isChecked();
}

void FindBar::updateScope()
{
    const bool all = isAllConversations();
    m_field->setPlaceholderText(all ? tr("Find in all conversations") : tr("Find in conversation"));
    m_results->setVisible(all);
    m_older->setVisible(!all);
    m_newer->setVisible(!all);
}

QString FindBar::conversationName(const QString &id) const
{
    if (const auto group = m_messenger.peers()->group(id))
        return group->name.isEmpty() ? PeerListModel::shortId(id) : group->name;
    return m_pane.nameOf(id);
}

void FindBar::search()
{
    m_debounce.stop();
    const QString text = m_field->text();
    const bool all = isAllConversations();
    const QString in = all ? QString() : m_pane.peerId();
    m_searched = text;
    m_searchedIn = in;
    if (text.trimmed().isEmpty() || (!all && in.isEmpty())) {
        m_ticket = 0;
        showMatches({}, {});
        return;
    }
    // Off this thread: a common word in a long history takes longer than a frame.
    m_ticket = m_messenger.startSearch(text, in, all ? AllLimit : ConversationLimit);
}

void FindBar::onSearchFinished(quint64 ticket, const QList<SearchHit> &hits, const QString &error)
{
    if (ticket != m_ticket)
        return; // a search since, or the bar closed
    m_ticket = 0;
    showMatches(hits, error);
}

void FindBar::showMatches(const QList<SearchHit> &hits, const QString &error)
{
    m_error = error;
    m_hits = hits;
    m_current = -1;
    const QString term = m_searched.trimmed();
    const bool all = isAllConversations();
    if (all) {
        m_results->setHits(
            m_hits,
            term,
            [this](const QString &id) { return conversationName(id); },
            [this](const QString &id) { return m_pane.nameOf(id); });
        m_pane.delegate()->setFindHighlight(term, {});
    } else {
        m_results->setHits({}, {}, {}, {});
        m_pane.delegate()->setFindHighlight(term, {});
        if (!m_hits.isEmpty())
            goTo(0); // the newest match: nearest to where the person reads
    }
    m_pane.messageView()->viewport()->update();
    updateCount();
    if (std::exchange(m_openWhenFound, false) && all && !m_hits.isEmpty())
        openHit(m_hits.first()); // Enter was pressed before the results came
}

void FindBar::updateCount()
{
    QString text;
    if (!m_error.isEmpty())
        text = m_error;
    else if (m_searched.trimmed().isEmpty())
        text.clear();
    else if (m_hits.isEmpty())
        text = tr("No matches");
    else if (isAllConversations())
        text = m_hits.size() >= AllLimit ? tr("%1+ results").arg(AllLimit)
               : m_hits.size() == 1      ? tr("1 result")
                                         : tr("%1 results").arg(m_hits.size());
    else if (m_hits.size() >= ConversationLimit)
        text = tr("%1 of %2+").arg(m_current + 1).arg(ConversationLimit);
    else
        text = tr("%1 of %2").arg(m_current + 1).arg(m_hits.size());
    if (m_indexed >= 0 && !m_messenger.searchIndexReady())
        text = text.isEmpty() ? tr("Indexing history… %1%").arg(m_indexed)
                              : tr("%1 (indexing history… %2%)").arg(text).arg(m_indexed);
    m_count->setText(text);
    m_older->setEnabled(m_hits.size() > 1);
    m_newer->setEnabled(m_hits.size() > 1);
}

void FindBar::older()
{
    if (m_debounce.isActive()) {
        search(); // Enter right after typing: the newest match of what is typed, when found
        return;
    }
    if (m_ticket != 0 || m_hits.isEmpty() || isAllConversations())
        return;
    goTo((m_current + 1) % int(m_hits.size()));
}

void FindBar::newer()
{
    if (m_debounce.isActive()) {
        search();
        return;
    }
    if (m_ticket != 0 || m_hits.isEmpty() || isAllConversations())
        return;
    goTo((m_current - 1 + int(m_hits.size())) % int(m_hits.size()));
}

void FindBar::goTo(int match)
{
    m_current = match;
    reveal(m_hits.at(match).id);
    updateCount();
}

bool FindBar::reveal(const QUuid &id)
{
    if (!m_pane.showMessage(id))
        return false;
    m_pane.delegate()->setFindHighlight(m_searched.trimmed(), id);
    m_pane.messageView()->viewport()->update();
    return true;
}

void FindBar::openHit(const SearchHit &hit)
{
    if (hit.conversation != m_pane.peerId()) {
        QWidget *focus = QApplication::focusWidget(); // the window's list may take it
        m_pane.showPeer(hit.conversation);
        Q_EMIT conversationOpened(hit.conversation);
        if (focus && focus->isVisible())
            focus->setFocus(Qt::OtherFocusReason);
    }
    if (!reveal(hit.id))
        m_count->setText(tr("That message is no longer in the history"));
}

void FindBar::conversationChanged()
{
    if (isVisible() && !isAllConversations() && !m_field->text().isEmpty())
        search();
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    switch (key->key()) {
    case Qt::Key_Escape:
        closeBar();
        return true;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (isAllConversations()) {
            if (m_debounce.isActive())
                search();
            if (m_ticket != 0)
                m_openWhenFound = true;
            else if (const int row = m_results->currentRow(); row >= 0 && row < m_hits.size())
                openHit(m_hits.at(row));
        } else if (key->modifiers() & Qt::ShiftModifier) {
            newer();
        } else {
            older();
        }
        return true;
    case Qt::Key_Up:
    case Qt::Key_Down:
    case Qt::Key_PageUp:
    case Qt::Key_PageDown:
        // From the field, the arrows walk the results.
        if (watched == m_field && isAllConversations() && m_results->count() > 0) {
            const int step = key->key() == Qt::Key_Up || key->key() == Qt::Key_PageUp ? -1 : 1;
            const int row = qBound(0, m_results->currentRow() + step, m_results->count() - 1);
            m_results->setCurrentRow(row);
            return true;
        }
        break;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}
