// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/searchhit.h"

#include <QListWidget>

#include <functional>

class QFontMetrics;

// Messages found in every conversation: per hit the conversation's name, the author, the date
// and one line of the text with the match highlighted. Keyboard navigable; Enter, a click or a
// double click chooses one (hitChosen()). Both lines are cut with "…" at the list's width (again
// when it changes).
class SearchResults final : public QListWidget
{
    Q_OBJECT

public:
    using NameOf = std::function<QString(const QString &id)>;

    explicit SearchResults(QWidget *parent = nullptr);

    // `conversationName` names a peer's or group's conversation, `authorName` a peer.
    void setHits(const QList<SearchHit> &hits,
                 const QString &term,
                 const NameOf &conversationName,
                 const NameOf &authorName);
    const QList<SearchHit> &hits() const { return m_hits; }
    // The line shown for `text`: around the first match, the match between `open` and `close`
    // (HTML-escaped otherwise).
    static QString snippet(const QString &text,
                           const QString &term,
                           const QString &open,
                           const QString &close);
    // The same line, at most `width` pixels wide in `metrics`: around the first match, the match
    // kept in sight, "…" where it is cut.
    static QString snippet(const QString &text,
                           const QString &term,
                           const QString &open,
                           const QString &close,
                           const QFontMetrics &metrics,
                           int width);

Q_SIGNALS:
    void hitChosen(const SearchHit &hit);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // Each row's label text for the list's current width.
    void elideRows();

    QList<SearchHit> m_hits;
    QStringList m_headings; // per row, whole
    QString m_term;
    QString m_mark;      // opens a highlighted match
    int m_elidedAt = -1; // the width elideRows() last cut for
};
