// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/searchhit.h"

#include <QTimer>
#include <QWidget>

class ConversationPane;
class Messenger;
class QLabel;
class QLineEdit;
class QToolButton;
class SearchResults;

// History search in the window (Ctrl+F, Ctrl+Shift+F): a text field, ▲ (older match, Enter)
// and ▼ (newer match, Shift+Enter), "3 of 17", a toggle for every conversation, ✕ (or Esc).
// In the open conversation the matches are highlighted in the messages and the current one is
// brought into view (ConversationModel::revealMessage(): a match far back loads only the
// messages around it). Across every conversation a results list; choosing one opens its
// conversation at that message. The search runs as the person types, after a pause
// (debounceInterval()), off the GUI thread (Messenger::startSearch(): docs/benchmarks.md,
// "Searching in the window").
class FindBar final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultDebounceMs = 150;
    static constexpr int ConversationLimit = 1000; // matches counted in one conversation
    static constexpr int AllLimit = 200;           // results listed from every conversation

    FindBar(Messenger &messenger, ConversationPane &pane, QWidget *parent = nullptr);

    // Shows the bar (in every conversation or the open one) with the field focused.
    void open(bool allConversations);
    void closeBar();
    bool isAllConversations() const;

    QLineEdit *field() const { return m_field; }
    QLabel *countLabel() const { return m_count; }
    QToolButton *olderButton() const { return m_older; }
    QToolButton *newerButton() const { return m_newer; }
    QToolButton *allButton() const { return m_all; }
    QToolButton *closeButton() const { return m_close; }
    SearchResults *results() const { return m_results; }

    // In the open conversation: the matches, newest first, and the one shown (-1: none).
    const QList<SearchHit> &matches() const { return m_hits; }
    int currentMatch() const { return m_current; }
    void older(); // Enter, ▲
    void newer(); // Shift+Enter, ▼
    // Opens the hit's conversation at the message and marks it.
    void openHit(const SearchHit &hit);
    // The pane shows another conversation: the matches of this one.
    void conversationChanged();

    void setDebounceInterval(int ms) { m_debounce.setInterval(ms); }
    int debounceInterval() const { return m_debounce.interval(); }

Q_SIGNALS:
    // A result of another conversation was opened: the window selects it in its list.
    void conversationOpened(const QString &conversation);
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void search();
    void onSearchFinished(quint64 ticket, const QList<SearchHit> &hits, const QString &error);
    void showMatches(const QList<SearchHit> &hits, const QString &error);
    void goTo(int match);
    bool reveal(const QUuid &id);
    void updateCount();
    void updateScope();
    QString conversationName(const QString &id) const;

    Messenger &m_messenger;
    ConversationPane &m_pane;
    QLineEdit *m_field;
    QToolButton *m_older;
    QToolButton *m_newer;
    QLabel *m_count;
    QToolButton *m_all;
    QToolButton *m_close;
    SearchResults *m_results;
    QTimer m_debounce;
    QList<SearchHit> m_hits;
    int m_current = -1;
    QString m_searched; // the text m_hits are for
    QString m_searchedIn;
    QString m_error;
    quint64 m_ticket = 0; // the search being answered (Messenger::startSearch()); 0: none
    bool m_openWhenFound = false;
    int m_indexed = -1; // percent of the history indexed, while the index is being built
};
