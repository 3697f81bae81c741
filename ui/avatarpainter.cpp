// SPDX-License-Identifier: GPL-3.0-or-later
#include "avatarpainter.h"

#include <QPainter>
#include <QPainterPath>

namespace AvatarPainter {

QList<QColor> palette()
{
    // Material Design's 700/800 shades: each at least 4.5:1 against white text.
    static const QList<QColor> colors{
        QColor(0xc6, 0x28, 0x28), // red
        QColor(0xad, 0x14, 0x57), // pink
        QColor(0x6a, 0x1b, 0x9a), // purple
        QColor(0x45, 0x27, 0xa0), // deep purple
        QColor(0x28, 0x35, 0x93), // indigo
        QColor(0x15, 0x65, 0xc0), // blue
        QColor(0x00, 0x69, 0x5c), // teal
        QColor(0x2e, 0x7d, 0x32), // green
        QColor(0xa1, 0x3f, 0x00), // burnt orange
        QColor(0x5d, 0x40, 0x37), // brown
        QColor(0x45, 0x5a, 0x64), // blue grey
        QColor(0x00, 0x6d, 0x77), // cyan
    };
    return colors;
}

QColor colorFor(const QString &peerId)
{
    // An ID is the hex of a SHA-256: its digits are as good as a hash of it. Another text (a
    // group ID, a test's name) still gets a stable colour through qHash with a fixed seed.
    bool ok = false;
    const quint32 n = QStringView(peerId).left(8).toUInt(&ok, 16);
    const QList<QColor> colors = palette();
    const size_t index = ok ? n : qHash(peerId, 0);
    return colors.at(qsizetype(index % size_t(colors.size())));
}

static bool isCjk(char32_t c)
{
    const QChar::Script s = QChar::script(c);
    return s == QChar::Script_Han || s == QChar::Script_Hiragana || s == QChar::Script_Katakana
           || s == QChar::Script_Hangul || s == QChar::Script_Bopomofo;
}

QString initials(const QString &name)
{
    const QStringList words = name.simplified().split(u' ', Qt::SkipEmptyParts);
    // The first letter (or digit) of a word, as a whole code point; none for "(", "-" ...
    auto first = [](const QString &word) -> QList<char32_t> {
        for (char32_t c : word.toUcs4()) {
            if (QChar::isLetterOrNumber(c))
                return {c};
        }
        return {};
    };
    QList<char32_t> letters;
    for (const QString &word : words) {
        letters = first(word);
        if (!letters.isEmpty())
            break;
    }
    if (letters.isEmpty())
        return QStringLiteral("?");
    if (!isCjk(letters.first()) && words.size() > 1) {
        const QList<char32_t> last = first(words.last());
        if (!last.isEmpty() && !isCjk(last.first()) && words.last() != words.first())
            letters += last;
    }
    return QString::fromUcs4(letters.constData(), letters.size()).toUpper();
}

void paint(QPainter *painter,
           const QRectF &rect,
           const QImage &picture,
           const QString &name,
           const QString &peerId)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::SmoothPixmapTransform);
    QPainterPath circle;
    circle.addEllipse(rect);
    if (!picture.isNull()) {
        painter->setClipPath(circle, Qt::IntersectClip);
        painter->drawImage(rect, picture);
    } else {
        painter->setPen(Qt::NoPen);
        painter->setBrush(colorFor(peerId));
        painter->drawEllipse(rect);
        const QString letters = initials(name);
        QFont font = painter->font();
        font.setBold(true);
        font.setPixelSize(qMax(6, int(rect.height() * (letters.size() > 1 ? 0.38 : 0.46))));
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(rect, Qt::AlignCenter, letters);
    }
    painter->restore();
}

QPixmap pixmap(int side,
               qreal devicePixelRatio,
               const QImage &picture,
               const QString &name,
               const QString &peerId)
{
    QPixmap out(QSize(side, side) * devicePixelRatio);
    out.setDevicePixelRatio(devicePixelRatio);
    out.fill(Qt::transparent);
    QPainter painter(&out);
    paint(&painter, QRectF(0, 0, side, side), picture, name, peerId);
    return out;
}

} // namespace AvatarPainter
