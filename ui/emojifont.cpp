// SPDX-License-Identifier: GPL-3.0-or-later
#include "emojifont.h"

#include <QFontDatabase>
#include <QStringList>
#include <QTextBoundaryFinder>
#include <QTextCharFormat>

#include <algorithm>
#include <iterator>

namespace {

// Emoji_Presentation=Yes below U+1F000 (Unicode's emoji-data.txt): drawn as emoji without a
// variation selector.
constexpr char32_t PresentedRanges[][2] = {
    {0x231A, 0x231B}, {0x23E9, 0x23EC}, {0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE},
    {0x2614, 0x2615}, {0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
    {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE}, {0x26D4, 0x26D4},
    {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5}, {0x26FA, 0x26FA}, {0x26FD, 0x26FD},
    {0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E},
    {0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
};

bool isEmojiCodePoint(char32_t c)
{
    if (c >= 0x1F000 && c <= 0x1FAFF)
        return true;
    if (c == 0xFE0F || c == 0x20E3)
        return true;
    return std::any_of(std::begin(PresentedRanges), std::end(PresentedRanges), [c](const auto &r) {
        return c >= r[0] && c <= r[1];
    });
}

} // namespace

namespace EmojiFont {

QString colourFamily()
{
    static const QString family = [] {
        const QStringList families = QFontDatabase::families();
        for (const QString &name : {QStringLiteral("Noto Color Emoji"),
                                    QStringLiteral("Twemoji"),
                                    QStringLiteral("Apple Color Emoji"),
                                    QStringLiteral("Segoe UI Emoji")}) {
            if (families.contains(name))
                return name;
        }
        return QString();
    }();
    return family;
}

QFont forEmojiOnly(const QFont &base)
{
    const QString colour = colourFamily();
    if (colour.isEmpty())
        return base;
    QFont font = base;
    font.setFamilies({colour, base.family()});
    return font;
}

bool isEmojiCluster(QStringView cluster)
{
    for (char32_t c : cluster.toUcs4()) {
        if (isEmojiCodePoint(c))
            return true;
    }
    return false;
}

QList<QTextLayout::FormatRange> ranges(const QString &text)
{
    QList<QTextLayout::FormatRange> out;
    const QString colour = colourFamily();
    if (colour.isEmpty() || text.isEmpty())
        return out;
    QTextCharFormat format;
    format.setFontFamilies(QStringList{colour});
    QTextBoundaryFinder clusters(QTextBoundaryFinder::Grapheme, text);
    qsizetype start = 0;
    for (qsizetype end = clusters.toNextBoundary(); end >= 0; end = clusters.toNextBoundary()) {
        if (isEmojiCluster(QStringView(text).mid(start, end - start))) {
            if (!out.isEmpty() && out.last().start + out.last().length == start)
                out.last().length += int(end - start);
            else
                out.append({int(start), int(end - start), format});
        }
        start = end;
    }
    return out;
}

} // namespace EmojiFont

void EmojiHighlighter::highlightBlock(const QString &text)
{
    for (const QTextLayout::FormatRange &r : EmojiFont::ranges(text))
        setFormat(r.start, r.length, r.format);
}
