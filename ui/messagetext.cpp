// SPDX-License-Identifier: GPL-3.0-or-later
#include "messagetext.h"

#include <QTextBoundaryFinder>

namespace {

constexpr char16_t ZeroWidthJoiner = 0x200D;

bool isMark(char32_t c)
{
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
        return true;
    default:
        return false;
    }
}

// How many of a cluster's first units to show: at most MaxClusterLength units and
// MaxClusterMarks marks, never half a surrogate pair, never ending on a joiner.
qsizetype keptLength(QStringView cluster)
{
    qsizetype kept = 0;
    int marks = 0;
    while (kept < cluster.size()) {
        const bool pair = kept + 1 < cluster.size() && cluster.at(kept).isHighSurrogate()
                          && cluster.at(kept + 1).isLowSurrogate();
        const qsizetype units = pair ? 2 : 1;
        const char32_t c = pair ? QChar::surrogateToUcs4(cluster.at(kept), cluster.at(kept + 1))
                                : cluster.at(kept).unicode();
        const bool mark = isMark(c);
        if (kept + units > MessageText::MaxClusterLength
            || (mark && marks == MessageText::MaxClusterMarks))
            break;
        marks += mark;
        kept += units;
    }
    if (kept < cluster.size()) {
        while (kept > 1 && cluster.at(kept - 1) == QChar(ZeroWidthJoiner))
            --kept;
    }
    return kept;
}

// Grapheme cluster boundaries of `text`, found in windows: QTextBoundaryFinder reads its whole
// input first, and a bubble shows 2,000 units of a 64 KiB text.
class Clusters
{
public:
    explicit Clusters(const QString &text)
        : m_text(text)
    {}

    // Where the character starting at `start` ends; `ahead`: how far the caller may read on.
    qsizetype endOf(qsizetype start, qsizetype ahead)
    {
        if (start < m_base || start >= m_base + m_span)
            look(start, qMax<qsizetype>(ahead, 64));
        m_finder.setPosition(start - m_base);
        qsizetype end = m_base + m_finder.toNextBoundary();
        // The window may have cut this character: look again from it, twice as far each time.
        for (qsizetype span = 2 * m_span; end == m_base + m_span && end < m_text.size(); span *= 2) {
            look(start, span);
            end = m_base + m_finder.toNextBoundary();
        }
        return end > start ? end : m_text.size();
    }

private:
    void look(qsizetype from, qsizetype span)
    {
        m_base = from;
        m_span = qMin(span, m_text.size() - from);
        m_finder = QTextBoundaryFinder(QTextBoundaryFinder::Grapheme,
                                       m_text.constData() + m_base,
                                       m_span);
    }

    const QString &m_text;
    QTextBoundaryFinder m_finder;
    qsizetype m_base = 0;
    qsizetype m_span = 0;
};

qsizetype codePoints(QStringView text)
{
    qsizetype n = 0;
    for (QChar c : text)
        n += !c.isLowSurrogate();
    return n;
}

} // namespace

MessageText MessageText::fromText(const QString &text, int maxLength)
{
    MessageText m;
    QTextCharFormat marker;
    marker.setForeground(QColor(0x80, 0x80, 0x80));
    marker.setFontItalic(true);

    // Finding boundaries costs as much as the text it looks at: look at what can be shown, a
    // window at a time, and beyond it only as far as a character runs.
    Clusters clusters(text);
    qsizetype start = 0;
    while (start < text.size()) {
        if (maxLength >= 0 && m.shown.size() >= maxLength) {
            m.truncated = true;
            break;
        }
        const qsizetype end = clusters.endOf(start,
                                             maxLength < 0 ? text.size()
                                                           : maxLength - m.shown.size() + 64);
        const QStringView cluster = QStringView(text).mid(start, end - start);
        const qsizetype kept = cluster.size() <= MaxClusterMarks ? cluster.size()
                                                                 : keptLength(cluster);
        m.shown += cluster.left(kept);
        if (kept < cluster.size()) {
            // No plural to agree with: the count may be 1.
            const QString note = tr("[combined characters hidden: %L1]",
                                    "shown after a character carrying too many combining marks "
                                    "or joined emoji; they are hidden, the message keeps them")
                                     .arg(codePoints(cluster.mid(kept)));
            m.markers.append({int(m.shown.size()), int(note.size()), marker});
            m.shown += note;
        }
        start = end;
    }
    return m;
}
