// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

// Emoji (issue 15): every fully-qualified emoji of Unicode's list with its group and English
// name, from the resource :/emoji/emoji.txt (made by scripts/gen-emoji.py). Read once.
namespace EmojiData {

struct Emoji
{
    QString text; // the emoji itself: one or more code points
    QString name; // English, lower case, from Unicode ("grinning face")
    int group = 0;
};

// Unicode's groups in order: Smileys & Emotion, People & Body, ... Flags.
int groupCount();
// A group's name in the person's language.
QString groupName(int group);
const QList<Emoji> &all();

} // namespace EmojiData
