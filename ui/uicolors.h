// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>
#include <QWidget>

// Colours derived from the palette, so that a dark palette (or a high-contrast one) gives
// readable bubbles, times and errors without a colour written into the code for each.
namespace UiColors {

// `a` moved towards `b` by `t` (0: a, 1: b).
inline QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

inline bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

inline QColor incomingBubble(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.08);
}

inline QColor outgoingBubble(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Highlight), 0.22);
}

// Secondary text (times, states) on `background`: readable, but quieter than the message.
inline QColor dimText(const QPalette &palette, const QColor &background)
{
    return mix(palette.color(QPalette::Text), background, 0.4);
}

// Red that stays readable on the palette's base (a dark red disappears on a dark one).
inline QColor error(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xff, 0x8a, 0x80) : QColor(0xb3, 0x26, 0x1e);
}

// Shows a label's text (or any widget's foreground) in the error colour of its palette.
inline void showAsError(QWidget *widget, bool isError = true)
{
    QPalette palette = widget->parentWidget() ? widget->parentWidget()->palette()
                                              : widget->palette();
    if (isError)
        palette.setColor(QPalette::WindowText, error(palette));
    widget->setPalette(palette);
}

// A peer's own colour (its name over its group messages, its avatar): a hue from its ID, the
// same on every screen, light enough on a dark palette and dark enough on a light one.
inline QColor peerColor(const QString &peerId, const QPalette &palette)
{
    // An ID is the hex of a SHA-256: its first digits are as good as a hash of it.
    const int hue = int(QStringView(peerId).left(4).toUInt(nullptr, 16) % 360);
    return isDark(palette) ? QColor::fromHsl(hue, 170, 170) : QColor::fromHsl(hue, 200, 80);
}

} // namespace UiColors
