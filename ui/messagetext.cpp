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

    QTextBoundaryFinder clusters(QTextBoundaryFinder::Grapheme, text);
    qsizetype start = 0;
    while (start < text.size()) {
        if (maxLength >= 0 && m.shown.size() >= maxLength) {
            m.truncated = true;
            break;
        }
        clusters.setPosition(start);
        qsizetype end = clusters.toNextBoundary();
        if (end <= start)
            end = text.size();
        const QStringView cluster = QStringView(text).mid(start, end - start);
        const qsizetype kept = cluster.size() <= MaxClusterMarks ? cluster.size()
                                                                 : keptLength(cluster);
        m.shown += cluster.left(kept);
        if (kept < cluster.size()) {
            const QString note = tr("[%Ln more combined characters]",
                                    "shown after a character carrying too many combining marks "
                                    "or joined emoji; they are hidden, the message keeps them",
                                    int(codePoints(cluster.mid(kept))));
            m.markers.append({int(m.shown.size()), int(note.size()), marker});
            m.shown += note;
        }
        start = end;
    }
    return m;
}
