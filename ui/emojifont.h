// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFont>
#include <QList>
#include <QString>
#include <QSyntaxHighlighter>
#include <QTextLayout>

// Colour emoji (issue 15). DejaVu Sans, the usual default font, has monochrome glyphs for most
// emoji, and fontconfig prefers it to the colour emoji font for them ("😀" came out black and
// white). So emoji are drawn with the colour font by name: whole where a widget shows only
// emoji (the picker, the emoji button), and as ranges inside a message's text.
namespace EmojiFont {

// The installed colour emoji font's family ("Noto Color Emoji"), or empty when there is none.
QString colourFamily();

// `base`, drawing emoji in colour: the colour font first, then base's own family. Only for
// text made of emoji: the colour font also has the digits, '#', '*' and the space.
QFont forEmojiOnly(const QFont &base);

// Whether a grapheme cluster is an emoji: it holds a code point of the emoji blocks
// (U+1F000–U+1FAFF), one shown as an emoji by default below them (☕, ⭐, ✅…), the emoji
// variation selector (U+FE0F) or a keycap (U+20E3).
bool isEmojiCluster(QStringView cluster);

// The emoji in `text` (whole clusters, neighbours joined into one range), each with a format
// that draws it with the colour font; none when that font is not installed.
QList<QTextLayout::FormatRange> ranges(const QString &text);

} // namespace EmojiFont

// Draws the emoji of a text document (the message box) with the colour font, as they are typed.
class EmojiHighlighter final : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override;
};
