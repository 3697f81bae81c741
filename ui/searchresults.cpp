// SPDX-License-Identifier: GPL-3.0-or-later
#include "searchresults.h"

#include <QLabel>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace {

constexpr int Before = 30; // characters of context before the match
constexpr int Shown = 120; // characters in the line at most

} // namespace

SearchResults::SearchResults(QWidget *parent)
    : QListWidget(parent)
{
    setAccessibleName(tr("Search results"));
    setSelectionMode(QAbstractItemView::SingleSelection);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setUniformItemSizes(true);
    auto choose = [this](QListWidgetItem *item) {
        const int row = this->row(item);
        if (row >= 0 && row < m_hits.size())
            Q_EMIT hitChosen(m_hits.at(row));
    };
    connect(this, &QListWidget::itemActivated, this, choose);
    connect(this, &QListWidget::itemClicked, this, choose);
}

QString SearchResults::snippet(const QString &text,
                               const QString &term,
                               const QString &open,
                               const QString &close)
{
    QString flat = text;
    for (QChar &c : flat) {
        if (c == u'\n' || c == u'\r' || c == u'\t' || c == QChar::LineSeparator
            || c == QChar::ParagraphSeparator)
            c = u' ';
    }
    const qsizetype first = term.isEmpty() ? -1 : flat.indexOf(term, 0, Qt::CaseInsensitive);
    qsizetype from = first > Before ? first - Before : 0;
    if (from > 0 && flat.at(from).isLowSurrogate())
        --from;
    qsizetype to = qMin(flat.size(), from + Shown);
    if (to < flat.size() && to > 0 && flat.at(to - 1).isHighSurrogate())
        --to;
    const QString line = flat.mid(from, to - from);
    QString out = from > 0 ? u"…"_s : QString();
    qsizetype at = 0;
    while (!term.isEmpty()) {
        const qsizetype hit = line.indexOf(term, at, Qt::CaseInsensitive);
        if (hit < 0)
            break;
        out += line.mid(at, hit - at).toHtmlEscaped() + open
               + line.mid(hit, term.size()).toHtmlEscaped() + close;
        at = hit + term.size();
    }
    out += line.mid(at).toHtmlEscaped();
    if (to < flat.size())
        out += u"…"_s;
    return out;
}

void SearchResults::setHits(const QList<SearchHit> &hits,
                            const QString &term,
                            const NameOf &conversationName,
                            const NameOf &authorName)
{
    clear();
    m_hits = hits;
    const QString mark = palette().color(QPalette::Text).lightness() > 128
                             ? u"<span style=\"background-color:#8a6d00\">"_s
                             : u"<span style=\"background-color:#ffe066\">"_s;
    for (const SearchHit &hit : hits) {
        const QString author = hit.outgoing ? tr("You") : authorName(hit.from);
        const QString date = QLocale().toString(hit.sentAt.toLocalTime(), QLocale::ShortFormat);
        // In a 1:1 conversation the other person's messages are theirs: named once.
        const QString heading
            = !hit.outgoing && hit.from == hit.conversation
                  ? tr("%1 · %2").arg(conversationName(hit.conversation), date)
                  : tr("%1 · %2 · %3").arg(conversationName(hit.conversation), author, date);
        auto *item = new QListWidgetItem(this);
        // Read by screen readers and tests; the label below draws it.
        item->setData(Qt::AccessibleTextRole, heading + u": "_s + hit.text);
        auto *label
            = new QLabel(u"<b>%1</b><br>%2"_s.arg(heading.toHtmlEscaped(),
                                                  snippet(hit.text, term, mark, u"</span>"_s)),
                         this);
        label->setTextFormat(Qt::RichText);
        label->setContentsMargins(6, 3, 6, 3);
        label->setAttribute(Qt::WA_TransparentForMouseEvents);
        item->setSizeHint(label->sizeHint());
        setItemWidget(item, label);
    }
    if (count() > 0)
        setCurrentRow(0);
    // As tall as its results, up to about six of them: the messages stay in sight below.
    int height = 2 * frameWidth();
    for (int row = 0; row < qMin(count(), 6); ++row)
        height += sizeHintForRow(row);
    setFixedHeight(count() > 0 ? height : 0);
}
