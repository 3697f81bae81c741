// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/searchhit.h"

#include <QListWidget>

#include <functional>

// Messages found in every conversation: per hit the conversation's name, the author, the date
// and one line of the text with the match highlighted. Keyboard navigable; Enter, a click or a
// double click chooses one (hitChosen()).
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

Q_SIGNALS:
    void hitChosen(const SearchHit &hit);

private:
    QList<SearchHit> m_hits;
};
