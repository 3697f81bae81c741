// SPDX-License-Identifier: GPL-3.0-or-later
#include "emojidata.h"

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcEmoji, "shoal.emoji")

namespace EmojiData {

namespace {
// In the order of Unicode's emoji-test.txt, which the resource keeps.
constexpr const char *GroupNames[] = {
    QT_TRANSLATE_NOOP("EmojiPicker", "Smileys & Emotion"),
    QT_TRANSLATE_NOOP("EmojiPicker", "People & Body"),
    QT_TRANSLATE_NOOP("EmojiPicker", "Animals & Nature"),
    QT_TRANSLATE_NOOP("EmojiPicker", "Food & Drink"),
    QT_TRANSLATE_NOOP("EmojiPicker", "Travel & Places"),
    QT_TRANSLATE_NOOP("EmojiPicker", "Activities"),
    QT_TRANSLATE_NOOP("EmojiPicker", "Objects"),
    QT_TRANSLATE_NOOP("EmojiPicker", "Symbols"),
    QT_TRANSLATE_NOOP("EmojiPicker", "Flags"),
};

QList<Emoji> load()
{
    QList<Emoji> out;
    QFile file(QStringLiteral(":/emoji/emoji.txt"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        qCWarning(lcEmoji) << "no emoji data:" << file.errorString();
        return out;
    }
    out.reserve(2000);
    int group = -1;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (line.startsWith('@')) {
            const QByteArray name = line.mid(1);
            group = -1;
            for (int i = 0; i < groupCount(); ++i) {
                if (name == GroupNames[i])
                    group = i;
            }
            if (group < 0)
                qCWarning(lcEmoji) << "unknown emoji group" << name;
            continue;
        }
        const qsizetype tab = line.indexOf('\t');
        if (group < 0 || tab <= 0)
            continue;
        out.append(
            Emoji{QString::fromUtf8(line.left(tab)), QString::fromUtf8(line.mid(tab + 1)), group});
    }
    return out;
}
} // namespace

int groupCount()
{
    return int(std::size(GroupNames));
}

QString groupName(int group)
{
    if (group < 0 || group >= groupCount())
        return {};
    return QCoreApplication::translate("EmojiPicker", GroupNames[group]);
}

const QList<Emoji> &all()
{
    static const QList<Emoji> emoji = load();
    return emoji;
}

} // namespace EmojiData
