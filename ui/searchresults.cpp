// SPDX-License-Identifier: GPL-3.0-or-later
#include "searchresults.h"

#include <QFontMetrics>
#include <QLabel>
#include <QLocale>
#include <QResizeEvent>

using namespace Qt::StringLiterals;

namespace {

constexpr int Before = 30; // characters of context before the match
constexpr int Shown = 120; // characters in the line at most
// Characters looked at when cutting by width: more than any screen shows.
constexpr int MeasuredChars = 2000;
constexpr int LabelMargin = 6; // each side of a row's text

// `text` on one line: line and paragraph breaks and tabs as spaces.
QString flattened(const QString &text)
{
    QString flat = text;
    for (QChar &c : flat) {
        if (c == u'\n' || c == u'\r' || c == u'\t' || c == QChar::LineSeparator
            || c == QChar::ParagraphSeparator)
            c = u' ';
    }
    return flat;
}

// Where the line starts: some context before the first match, not inside a character.
qsizetype lineStart(const QString &flat, qsizetype first, qsizetype before)
{
    qsizetype from = first > before ? first - before : 0;
    if (from > 0 && flat.at(from).isLowSurrogate())
        --from;
    return from;
}

// flat[from, to) with every match of `term` between `open` and `close`, the rest HTML-escaped,
// "…" where it was cut.
QString marked(const QString &flat,
               qsizetype from,
               qsizetype to,
               const QString &term,
               const QString &open,
               const QString &close)
{
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

// The end of the longest flat[from, end) that fits `width` with its "…"s.
qsizetype fittingEnd(const QString &flat, qsizetype from, const QFontMetrics &metrics, int width)
{
    const QString lead = from > 0 ? u"…"_s : QString();
    const qsizetype last = qMin(flat.size(), from + MeasuredChars);
    auto fits = [&](qsizetype end) {
        const QString tail = end < flat.size() ? u"…"_s : QString();
        return metrics.horizontalAdvance(lead + flat.mid(from, end - from) + tail) <= width;
    };
    if (last == flat.size() && fits(last))
        return last;
    qsizetype low = from;  // fits (or nothing does)
    qsizetype high = last; // does not fit
    while (high - low > 1) {
        const qsizetype mid = (low + high) / 2;
        (fits(mid) ? low : high) = mid;
    }
    if (low > from && flat.at(low - 1).isHighSurrogate())
        --low;
    return low;
}

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
    const QString flat = flattened(text);
    const qsizetype first = term.isEmpty() ? -1 : flat.indexOf(term, 0, Qt::CaseInsensitive);
    const qsizetype from = lineStart(flat, first, Before);
    qsizetype to = qMin(flat.size(), from + Shown);
    if (to < flat.size() && to > 0 && flat.at(to - 1).isHighSurrogate())
        --to;
    return marked(flat, from, to, term, open, close);
}

QString SearchResults::snippet(const QString &text,
                               const QString &term,
                               const QString &open,
                               const QString &close,
                               const QFontMetrics &metrics,
                               int width)
{
    const QString flat = flattened(text);
    const qsizetype first = term.isEmpty() ? -1 : flat.indexOf(term, 0, Qt::CaseInsensitive);
    qsizetype from = lineStart(flat, first, Before);
    qsizetype to = fittingEnd(flat, from, metrics, width);
    // Too narrow for the context before the match and the match: the match goes first.
    if (first > from && to < first + term.size()) {
        from = lineStart(flat, first, 0);
        to = fittingEnd(flat, from, metrics, width);
    }
    return marked(flat, from, to, term, open, close);
}

void SearchResults::setHits(const QList<SearchHit> &hits,
                            const QString &term,
                            const NameOf &conversationName,
                            const NameOf &authorName)
{
    clear();
    m_hits = hits;
    m_headings.clear();
    m_term = term;
    m_mark = palette().color(QPalette::Text).lightness() > 128
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
        m_headings.append(heading);
        auto *label = new QLabel(this);
        label->setTextFormat(Qt::RichText);
        label->setContentsMargins(LabelMargin, 3, LabelMargin, 3);
        label->setAttribute(Qt::WA_TransparentForMouseEvents);
        setItemWidget(item, label);
    }
    m_elidedAt = -1;
    elideRows();
    if (count() > 0)
        setCurrentRow(0);
    // As tall as its results, up to about six of them: the messages stay in sight below.
    int height = 2 * frameWidth();
    for (int row = 0; row < qMin(count(), 6); ++row)
        height += sizeHintForRow(row);
    setFixedHeight(count() > 0 ? height : 0);
}

void SearchResults::resizeEvent(QResizeEvent *event)
{
    QListWidget::resizeEvent(event);
    elideRows();
}

void SearchResults::elideRows()
{
    // The rows are as wide as the viewport (no horizontal scrolling): the text is cut there.
    const int width = qMax(0, viewport()->width() - 2 * LabelMargin);
    if (width == m_elidedAt)
        return;
    m_elidedAt = width;
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics headingMetrics(bold);
    const QFontMetrics lineMetrics(font());
    for (int row = 0; row < count() && row < m_hits.size(); ++row) {
        auto *label = qobject_cast<QLabel *>(itemWidget(item(row)));
        if (!label)
            continue;
        const QString heading = headingMetrics.elidedText(m_headings.value(row),
                                                          Qt::ElideRight,
                                                          width);
        label->setText(u"<b>%1</b><br>%2"_s.arg(
            heading.toHtmlEscaped(),
            snippet(m_hits.at(row).text, m_term, m_mark, u"</span>"_s, lineMetrics, width)));
        item(row)->setSizeHint(QSize(width, label->sizeHint().height()));
    }
}
