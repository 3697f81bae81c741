// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QTextLayout>

// What a bubble shows of a message's text: bounded, whatever the text, so that laying it out
// costs little (a 64 KiB word, or one letter under 32,000 combining marks, takes seconds to
// lay out and draws far outside its line). For display only: the message keeps its exact text,
// which the person can copy or open whole.
//
// - At most MaxShownLength UTF-16 units are shown; the bubble says there is more.
// - A character (grapheme cluster) longer than MaxClusterLength units or carrying more than
//   MaxClusterMarks combining marks, such as a letter under a run of accents or a chain of
//   emoji joined by ZWJ, is cut there and followed by a marker saying how many were hidden.
//   (The longest emoji sequences in use take 15 units; a letter rarely carries more than 3.)
struct MessageText final
{
    Q_DECLARE_TR_FUNCTIONS(MessageText)

public:
    static constexpr int MaxShownLength = 2000;
    static constexpr int MaxClusterLength = 24;
    static constexpr int MaxClusterMarks = 6;

    QString shown;
    // The markers inside `shown`, to draw them unlike the text.
    QList<QTextLayout::FormatRange> markers;
    bool truncated = false; // the end of the text is not in `shown`

    bool isComplete() const { return !truncated && markers.isEmpty(); }

    // maxLength < 0: no limit on the length (the whole-message viewer).
    static MessageText fromText(const QString &text, int maxLength = MaxShownLength);
};
